"""The secrets pass as two collectors: the scan itself in the background, and its fact.

The pass reads every text file of the tree in a process pool of its own. Run when the ``secrets``
fact was first asked for, that pool used to run alone while the scan's thread waited: on
site-packages, 2.4 s of a cold scan with one core's checks still to run after it. Now its first
half, hashing the files and looking them up in the cache (``secret_lookup``), runs in the scan's
thread as soon as the Python pass is done; its second half, scanning what the cache did not know
(``secret_scan``), runs in the background (``registry.background``) beside the checks, which use
one core, and not against the Python pass, which uses them all. A warm scan has only the first
half: in a thread it would only contend with the checks for the interpreter. The note about files
too large to scan is made in the scan's thread, when the ``secrets`` fact is read.
"""

from __future__ import annotations

from dataclasses import replace

from gonogo.collectors import secrets as scanning
from gonogo.collectors.python import PythonFacts
from gonogo.collectors.secret_allowlists import allowlisted_values
from gonogo.collectors.secrets import SecretFacts, SecretLookup, SecretScan
from gonogo.options import ScanOptions
from gonogo.registry import background, collector
from gonogo.workspace import Workspace


@collector("secret_lookup")
def secret_lookup(workspace: Workspace, options: ScanOptions, python: PythonFacts) -> SecretLookup:
    # the Python files were scanned in the Python pass, from the bytes it read
    return scanning.look_up_secrets(workspace, options, {item.file: item.secrets for item in python.files})


@collector("secret_scan")
@background(after=(PythonFacts,))
def secret_scan(secret_lookup: SecretLookup, options: ScanOptions, workspace: Workspace) -> SecretScan:
    return scanning.scan_looked_up(secret_lookup, options, workspace)


@collector("secrets")
def secrets(workspace: Workspace, secret_scan: SecretScan) -> SecretFacts:
    if secret_scan.too_large:
        workspace.note(
            f"{secret_scan.too_large} file(s) over {scanning.MAX_SECRET_SCAN_BYTES:,} bytes not scanned for secrets",
            source="secrets",
        )
    return _with_allowlisted(workspace, secret_scan.facts)


def _with_allowlisted(workspace: Workspace, facts: SecretFacts) -> SecretFacts:
    """The hits whose value the root's own gitleaks allowlist names, marked so
    (``SecretHit.allowlisted``); done here, after the cache, since the mark depends on another file."""
    allowed = {(prefix, scanning.fingerprint(value)) for prefix, value in allowlisted_values(workspace)}
    if not allowed:
        return facts
    hits = tuple(
        replace(hit, allowlisted=True)
        if any(hit.path.startswith(prefix) and hit.fingerprint == mark for prefix, mark in allowed)
        else hit
        for hit in facts.hits
    )
    return replace(facts, hits=hits)
