"""What a scan tells the reader besides findings: evidence it could not gather, and the versions
of outside data it used.

The engine makes one ``Notes`` per scan. The workspace records its own walk problems in it, and a
collector that has something to say declares a ``notes: Notes`` parameter and adds to it, so a
collector's output is its return value plus what it declared it would write, never a change to the
workspace it reads. The report takes its notes and data versions from here, in the order written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from gonogo.model import Note


@dataclass(slots=True)
class Notes:
    items: list[Note] = field(default_factory=list)
    data_versions: dict[str, str] = field(default_factory=dict)
    """Versions of outside data the scan used (an advisory snapshot, ruff), for the evidence."""

    def add(self, message: str, path: str | None = None, source: str = "") -> None:
        self.items.append(Note(message=message, path=path, source=source))

    def record_version(self, name: str, text: str) -> None:
        self.data_versions[name] = text

    def __iter__(self) -> Iterator[Note]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)
