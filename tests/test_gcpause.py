"""The cycle collector is paused while a scan runs and back as it was afterwards, so a long-lived
caller (the server, a fleet worker, this test process) keeps collecting."""

from __future__ import annotations

import gc
import weakref

import pytest
from typer.testing import CliRunner

from gonogo import cli
from gonogo.collectors import python as python_collector
from gonogo.gcpause import collector_paused
from tests.helpers import make_repo, scan_repo


def test_nested_pauses_leave_the_collector_as_the_outermost_found_it():
    assert gc.isenabled()
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block found it paused, and left it so
    assert gc.isenabled()


def test_the_collector_comes_back_after_a_block_that_raised():
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("a scan that failed")
    assert gc.isenabled()


def test_what_the_block_made_is_left_to_a_full_collection_not_walked_on_resuming():
    with collector_paused():
        made = [[index] for index in range(100_000)]  # a scan's facts and report, in small
    oldest = gc.get_objects(generation=2)
    # in the oldest generation, not the youngest: the first allocation after the block does not
    # start a collection that walks the 100,000 objects the block made and still holds
    assert any(item is made for item in oldest)
    assert any(item is made[-1] for item in oldest)


class _Node:
    def __init__(self) -> None:
        self.itself = self


def test_a_cycle_made_while_paused_is_still_collected_once_resumed():
    with collector_paused():
        node = _Node()
        gone = weakref.ref(node)
        del node  # a cycle: reference counting alone cannot free it
    assert gone() is not None
    gc.collect()
    assert gone() is None


@pytest.mark.parametrize("run", ["scan", "gonogo check"])
def test_a_scan_runs_with_the_collector_paused_and_gives_it_back(run, tmp_path, monkeypatch):
    root = make_repo(tmp_path / "repo", {"a.py": "def f():\n    return 1\n", "b.py": "x = 1\n"})
    enabled_while_parsing = []
    real = python_collector.extract

    def spying(data):
        enabled_while_parsing.append(gc.isenabled())
        return real(data)

    monkeypatch.setattr(python_collector, "extract", spying)
    monkeypatch.setenv("GONOGO_HISTORY", "off")
    if run == "scan":
        report = scan_repo(root, "CODE", options={"jobs": 1, "use_cache": False})
        assert report.metrics["code.python_files"] == 2
    else:
        result = CliRunner().invoke(cli.app, ["check", str(root), "--select", "CODE", "--no-cache", "--jobs", "1"])
        assert result.exit_code in (0, 1), result.output
    assert enabled_while_parsing == [False, False]
    assert gc.isenabled()
