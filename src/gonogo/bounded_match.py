"""A pattern someone else wrote, run on a few short texts of ours, with its time bounded.

Some facts need a repository's own regular expression run: SEC036 asks whether a CORS origin
pattern (Starlette's ``allow_origin_regex``, django-cors-headers' ``CORS_ALLOWED_ORIGIN_REGEXES``)
accepts two origins nobody would list. Python's ``re`` backtracks, cannot be interrupted, and holds
the interpreter while it runs: 12 bytes of pattern (``(.*.*)*x``) keep it busy for minutes on a
24-character origin. A pattern :func:`~gonogo.regex_literals.may_backtrack_exponentially` cannot
clear used to be left unjudged, silently: a gate an attacker could blind with one nested group,
and a realistic pattern (``^https://([a-z0-9-]+\\.)*example\\.com$``) never judged either.

Such a pattern is run here in a forked child that the kernel stops once it has used
:data:`SECONDS` of processor time (not of the clock: a busy machine does not change the answer).
The child says its answer by its exit status only, and a child that is stopped has no answer
(``None``: the caller says the pattern was not judged). A file judges at most :data:`PER_FILE`
patterns this way, so a file of many hostile patterns costs about as much as parsing a megabyte,
and the answer depends only on the file (facts are cached by content).
"""

from __future__ import annotations

import os
import re
import signal
import warnings
from collections.abc import Sequence

SECONDS = 0.05
"""The processor time a child may match for: a pattern that cannot finish a few short texts in it
backtracks exponentially (a realistic origin pattern takes microseconds, the hostile ones minutes)."""
PER_FILE = 2
"""Patterns one file may have judged in a child; the later ones are not judged."""


def matches_every(pattern: re.Pattern[str], texts: Sequence[str]) -> bool | None:
    """Whether ``pattern`` matches at the start of every text; ``None`` when the child was stopped
    before it knew, or when this system cannot fork one."""
    if not hasattr(os, "fork"):
        return None
    with warnings.catch_warnings():
        # Python 3.12+ warns when a process with threads forks (a small tree's pass runs in the scan's
        # process, beside the progress bar's thread): the child runs re's C code and os._exit only,
        # and takes no lock another thread could hold
        warnings.simplefilter("ignore", DeprecationWarning)
        child = os.fork()
    if child == 0:  # the child: it answers by its exit status, and never returns
        code = 2
        try:
            # SIGVTALRM's default action ends the process, even inside re's C code, which a Python
            # handler would only run after
            signal.signal(signal.SIGVTALRM, signal.SIG_DFL)
            signal.setitimer(signal.ITIMER_VIRTUAL, SECONDS)
            code = 0 if all(pattern.match(text) for text in texts) else 1
        finally:
            os._exit(code)  # no buffer of the parent's is flushed, no handler of its runs
    _, status = os.waitpid(child, 0)
    return {0: True, 1: False}.get(os.waitstatus_to_exitcode(status))
