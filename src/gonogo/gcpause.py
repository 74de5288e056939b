"""The cycle collector paused while a scan builds its facts, findings and report.

A scan makes millions of small objects (a large tree's cached facts alone are hundreds of
thousands) and almost none of them is in a reference cycle: reference counting frees them. Yet
every few hundred allocations set off a collection, and each full one walks every object still
alive, all the facts included, to find nothing. On a warm scan of a 1,600-file tree that was a
fifth of the CPU; after the scan, ``gonogo check`` compares the report with the history's last run
and writes its reports with that heap still alive, and the collections it set off cost as much
as the comparison itself. The collector is switched back on, as it was, when the block ends, so
a long-lived caller (the server, a fleet worker, a test) collects whatever cycles were left.

Switched back on as it was, it would at once walk everything the block made: the allocations
counted while it was paused make the first allocation after it start a collection of the youngest
generation, which then holds every object the block made and still alive (``gonogo check``'s
report and facts, held by the exception that carries its exit code: a sixth of a second on
site-packages, after the scan had ended). So the block's objects are moved to the oldest
generation first (``gc.freeze`` then ``gc.unfreeze``, no collection): they are looked at by the
next full collection, as objects that had survived two would be, and reference counting frees
them as before.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector for the block (or, as ``@collector_paused()``, the function);
    nested uses leave it as the outermost found it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()  # every tracked object to the permanent generation, the counts reset...
            gc.unfreeze()  # ...and back into the oldest one: no collection walks them now
            gc.enable()
