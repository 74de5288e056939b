"""Reading one file of a tree gonogo does not trust: every collector's bytes come through here.

A scanned repository may hold a symlink to ``/dev/zero`` or to a file outside itself, a FIFO that
blocks whoever opens it, a device, or a file of many gigabytes. So a read never follows a symlink
(``O_NOFOLLOW``), never blocks on opening (``O_NONBLOCK``), accepts only a regular file (checked
on the open descriptor, so a file swapped after the folder walk is caught too), and stops after
``limit`` bytes. Every refusal is a ``FileReadError`` whose message says why, for a note.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CHUNK = 1024 * 1024


class FileReadError(Exception):
    """A file that could not be read as text; the message says why, for a note."""


def kind_of(mode: int) -> str:
    """A file type in words, for a note: why a file was not read."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def read_regular_file(path: Path | str, limit: int, *, follow_links: bool = False) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them, or ``FileReadError``.
    ``follow_links`` is for a path the user named (``--config``), never for a scanned file."""
    return read_with_stat(path, limit, follow_links=follow_links)[0]


def read_with_stat(path: Path | str, limit: int, *, follow_links: bool = False) -> tuple[bytes, os.stat_result]:
    """As :func:`read_regular_file`, with the file's status taken on the open descriptor before
    reading: a change during the read leaves a status that no longer matches (the stat index)."""
    try:
        fd = os.open(path, _OPEN_FLAGS if follow_links else _OPEN_FLAGS | _NO_FOLLOW)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FileReadError("a symbolic link; not followed") from exc
        raise FileReadError(f"not readable: {exc.strerror or exc}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileReadError(f"{kind_of(info.st_mode)}, not a regular file; not read")
        if info.st_size > limit:
            raise FileReadError(f"{info.st_size:,} bytes is over the {limit:,}-byte limit; not read")
        data = _read_at_most(fd, limit + 1)
    except OSError as exc:
        raise FileReadError(f"not readable: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    if len(data) > limit:  # it grew after fstat: still never more than limit + 1 bytes in memory
        raise FileReadError(f"over the {limit:,}-byte limit; not read")
    return data, info


def _read_at_most(fd: int, count: int) -> bytes:
    chunks: list[bytes] = []
    remaining = count
    while remaining > 0:
        chunk = os.read(fd, min(remaining, _CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
