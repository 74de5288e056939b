"""Collectors: passive readers that turn files into typed facts, with no judgement."""
