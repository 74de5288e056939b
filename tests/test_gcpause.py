"""The cycle collector is paused while a scan runs and back as it was afterwards, so a long-lived
caller (the server, a fleet worker, this test process) keeps collecting."""

from __future__ import annotations

import gc

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
