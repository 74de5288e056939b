"""Active, opt-in evidence: run the test suite, call services, apply a bounded load.

Nothing here runs in a static scan. The facts ``test_run`` and ``service_probes`` are built only
when the user asked (``--run-tests``, ``--probe``); otherwise they are *unknown*, never passing.
Every probe has a timeout, reads a bounded amount, and turns whatever goes wrong into evidence.
"""
