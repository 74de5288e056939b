"""Checks: one module per family; each check a small function from facts to findings."""
