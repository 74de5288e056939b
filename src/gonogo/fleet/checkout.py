"""A source as a folder on the worker: a local folder as it is, a git URL cloned shallowly.

The clone is the one step of a task that waits on the outside world (a server that accepts the
connection and never answers, a host asking for a password), so it runs with the task's remaining
time as its timeout, in its own process group (git spawns helpers: all of them are killed), with
every prompt switched off. Its error output is shown with the source's credentials masked.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path

from gonogo.fleet.sources import Source
from gonogo.redaction import redact
from gonogo.reporters.text import terminal_text

GIT_ERROR_CHARS = 400
_QUIET_GIT = {
    "GIT_TERMINAL_PROMPT": "0",  # a private repository fails at once instead of waiting for a password
    "GIT_ASKPASS": "true",
    "SSH_ASKPASS": "true",
    "GIT_SSH_COMMAND": "ssh -o BatchMode=yes -o ConnectTimeout=30",
    "GIT_LFS_SKIP_SMUDGE": "1",  # large files stay pointers: a scan reads text
}


class CheckoutError(Exception):
    """The source could not be made a folder to scan; the message says why, credentials masked."""


def checkout(source: Source, scratch: Path, timeout: float) -> Path:
    """The folder to scan for ``source``; a git source is cloned into ``scratch`` (which must not exist)."""
    if source.kind == "path":
        folder = Path(source.location)
        if not folder.is_dir():
            raise CheckoutError(f"{source.shown}: no such folder on this worker")
        return folder
    if timeout <= 0:
        raise CheckoutError("no time left to clone")
    command = ["git", "-c", "protocol.ext.allow=never", "clone", "--quiet", "--depth", "1", "--single-branch",
               "--no-tags"]
    if source.ref:
        command += ["--branch", source.ref]
    command += ["--", source.location, str(scratch)]
    _run(command, source, timeout)
    return scratch


def _run(command: list[str], source: Source, timeout: float) -> None:
    environment = {**os.environ, **_QUIET_GIT}
    with subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env=environment, start_new_session=True,
    ) as process:
        try:
            _, error = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            process.communicate()
            raise CheckoutError(f"git clone of {source.shown} timed out after {timeout:.0f} s") from None
    if process.returncode != 0:
        text = error.decode("utf-8", "replace").replace(source.location, source.shown)
        raise CheckoutError(f"git clone of {source.shown} failed: {_last_words(text)}")


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended on its own meanwhile
        os.killpg(process.pid, signal.SIGKILL)


def _last_words(text: str) -> str:
    """The end of git's message, where the reason is, on one line with credentials masked."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return terminal_text(redact(" ".join(lines)))[-GIT_ERROR_CHARS:] or "no message"
