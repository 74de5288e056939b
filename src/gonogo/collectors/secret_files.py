"""The secrets pass as two collectors: the scan itself in the background, and its fact.

The pass reads every text file of the tree in a process pool of its own (``secrets.scan_workspace``).
Run when the ``secrets`` fact is first asked for, that pool used to run alone while the scan's
thread waited; on site-packages, 2.4 s of a cold scan with one core's checks still to run after it.
As a background collector started once the Python pass is done (``registry.background``), it runs
beside the checks, which use one core, and not against the Python pass, which uses them all.
Its note about files too large to scan is made here, in the scan's thread, when the fact is read.
"""

from __future__ import annotations

from gonogo.collectors import secrets as scanning
from gonogo.collectors.python import PythonFacts
from gonogo.collectors.secrets import SecretFacts, SecretScan
from gonogo.options import ScanOptions
from gonogo.registry import background, collector
from gonogo.workspace import Workspace


@collector("secret_scan")
@background(after=(PythonFacts,))
def secret_scan(workspace: Workspace, options: ScanOptions) -> SecretScan:
    return scanning.scan_workspace(workspace, options)


@collector("secrets")
def secrets(workspace: Workspace, secret_scan: SecretScan) -> SecretFacts:
    if secret_scan.too_large:
        workspace.note(
            f"{secret_scan.too_large} file(s) over {scanning.MAX_SECRET_SCAN_BYTES:,} bytes not scanned for secrets",
            source="secrets",
        )
    return secret_scan.facts
