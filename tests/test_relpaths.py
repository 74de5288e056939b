"""The one resolver of paths written inside a root: what stays in the root, and what leaves it."""

from __future__ import annotations

import pytest

from gonogo.relpaths import at_or_below, resolved_within


@pytest.mark.parametrize(
    ("folder", "path", "expected"),
    [
        ("docker", "./dovecot_config", "docker/dovecot_config"),
        ("", "docker/../app.py", "app.py"),
        (".", "./", "."),
        ("frontend", "../api/README.md", "api/README.md"),
        ("", "../outside.md", None),
        ("a/b", "../../../etc/passwd", None),
        ("docs", "/etc/passwd", None),
        ("", "..", None),
        ("a", "..//..//" * 50 + "x", None),
    ],
)
def test_a_path_is_resolved_inside_the_root_or_refused(folder: str, path: str, expected: str | None) -> None:
    assert resolved_within(folder, path) == expected


def test_at_or_below_is_by_whole_folder_names() -> None:
    assert at_or_below("docker/dovecot_config/x.conf", "docker")
    assert at_or_below("docker", "docker")
    assert not at_or_below("dockerfiles/x", "docker")
