"""``replaced`` builds what ``dataclasses.replace`` builds, and fails where it fails."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pytest

from gonogo.evolve import replaced
from gonogo.model import Finding, Location, Severity


@dataclass(frozen=True, slots=True, kw_only=True)
class _Counted:
    name: str
    tags: tuple[str, ...] = ()
    seen: list[str] = field(default_factory=list, init=False, compare=False)
    cached: dict[str, int] | None = field(default=None, init=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class _NoSlots:
    name: str
    size: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class _Checked:
    size: int

    def __post_init__(self) -> None:
        if self.size < 0:
            raise ValueError("a size is not negative")


def _finding() -> Finding:
    return Finding(
        check_id="CODE002", severity=Severity.LOW, message="f is 90 lines (limit 60)",
        location=Location(path="pkg/mod.py", line=12), evidence="def f():", key="f", data=(("lines", 90),),
    )


def test_a_finding_with_one_field_changed_is_what_dataclasses_replace_makes():
    finding = _finding()
    assert finding.get("lines") == 90  # fills the finding's cache of its data
    mine, theirs = replaced(finding, fingerprint="0a1b2c"), dataclasses.replace(finding, fingerprint="0a1b2c")
    assert mine == theirs and repr(mine) == repr(theirs)
    assert [getattr(mine, f.name) for f in dataclasses.fields(Finding)] == [
        getattr(theirs, f.name) for f in dataclasses.fields(Finding)
    ]
    assert mine.fingerprint == "0a1b2c" and finding.fingerprint == ""  # the original is untouched
    changed = replaced(mine, data=(("lines", 95),))
    assert changed.get("lines") == 95  # the data's cache starts empty, as __init__ leaves it


def test_fields_init_does_not_take_get_their_defaults_each_copy_its_own():
    original = _Counted(name="a", tags=("x",))
    original.seen.append("kept by the original only")
    copy = replaced(original, name="b")
    assert copy == _Counted(name="b", tags=("x",))
    assert copy.seen == [] and copy.seen is not replaced(original, name="c").seen
    assert copy.cached is None


def test_no_change_gives_an_equal_new_object():
    location = Location(path="a.py", line=3)
    copy = replaced(location)
    assert copy == location and copy is not location


def test_unknown_and_init_false_names_fail_as_dataclasses_replace_fails():
    with pytest.raises(TypeError, match="nope"):
        replaced(_finding(), nope=1)
    with pytest.raises(ValueError, match="init=False"):
        replaced(_finding(), _by_name={})
    with pytest.raises(ValueError, match="init=False"):
        replaced(_Counted(name="a"), seen=["x"])


def test_classes_without_slots_or_with_post_init_go_through_dataclasses_replace():
    assert replaced(_NoSlots(name="a"), size=2) == _NoSlots(name="a", size=2)
    assert replaced(_Checked(size=1), size=2) == _Checked(size=2)
    with pytest.raises(ValueError, match="not negative"):  # __post_init__ still runs
        replaced(_Checked(size=1), size=-1)
