"""The per-file fact cache: a warm scan parses nothing, a damaged cache is survived."""

from __future__ import annotations

from gonogo.cache import CACHE_FILE
from gonogo.collectors import python as python_collector
from tests.helpers import make_repo, scan_repo


def scan_counting_parses(root, cache_dir, monkeypatch):
    parsed = []
    real = python_collector.extract

    def counting(data):
        parsed.append(data)
        return real(data)

    monkeypatch.setattr(python_collector, "extract", counting)
    report = scan_repo(root, "CODE", options={"jobs": 1, "cache_dir": str(cache_dir), "use_cache": True})
    return report, len(parsed)


def test_warm_scan_parses_only_changed_files(tmp_path, monkeypatch):
    root = make_repo(tmp_path / "repo", {"a.py": "def f():\n    pass\n", "b.py": "x = 1\n"})
    cold, cold_parses = scan_counting_parses(root, tmp_path / "cache", monkeypatch)
    warm, warm_parses = scan_counting_parses(root, tmp_path / "cache", monkeypatch)
    assert (cold_parses, warm_parses) == (2, 0)
    assert warm.metrics == cold.metrics
    (root / "b.py").write_text("def g():\n    ...\n")
    changed, changed_parses = scan_counting_parses(root, tmp_path / "cache", monkeypatch)
    assert changed_parses == 1
    assert changed.metrics["code.stubs"] == 2


def test_corrupt_cache_is_a_note_not_a_failure(tmp_path, monkeypatch):
    root = make_repo(tmp_path / "repo", {"a.py": "def f():\n    pass\n"})
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    (cache_dir / CACHE_FILE).write_bytes(b"this is not a database" * 100)
    report, parses = scan_counting_parses(root, cache_dir, monkeypatch)
    assert parses == 1
    assert report.metrics["code.stubs"] == 1
    assert any("cache" in n.message for n in report.notes)


def test_secret_scan_results_are_cached_and_keep_their_paths(tmp_path, monkeypatch):
    from gonogo.collectors import secrets as secrets_collector

    token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    root = make_repo(tmp_path / "repo", {"one/settings.py": f'TOKEN = "{token}"\n', "two/settings.py": f'TOKEN = "{token}"\n'})
    calls = []
    real = secrets_collector.scan_payload

    def counting(payload):
        calls.append(payload)
        return real(payload)

    monkeypatch.setattr(secrets_collector, "scan_payload", counting)
    options = {"jobs": 1, "cache_dir": str(tmp_path / "cache"), "use_cache": True}
    first = scan_repo(root, "SEC020", options=options)
    second = scan_repo(root, "SEC020", options=options)
    assert len(calls) == 1  # two files, one content: scanned once, then cached
    for report in (first, second):
        assert sorted(f.path for f in report.findings) == ["one/settings.py", "two/settings.py"]


def test_slotted_facts_come_back_equal_and_still_frozen_through_the_written_out_builder():
    import dataclasses
    import pickle

    import pytest

    from gonogo.cache import dumps
    from gonogo.collectors.python_facts.model import Import, ModuleFacts

    imported = Import(module="os.path", line=2, level=0, optional=True, type_checking=False, names=("join",))
    facts = ModuleFacts(lines=3, parse_error="bad", imports=(imported,), names=frozenset({"os"}))
    loaded = pickle.loads(dumps([facts, facts, ModuleFacts(lines=0)]))
    assert loaded == [facts, facts, ModuleFacts(lines=0)]
    assert loaded[0].imports[0].names == ("join",) and loaded[0].imports[0].optional is True
    assert loaded[0] is loaded[1]  # pickle's memo: one object stored once, loaded once
    with pytest.raises(dataclasses.FrozenInstanceError):
        loaded[0].lines = 4  # type: ignore[misc]


def test_a_finding_answers_get_as_its_last_pair_says_before_and_after_a_copy_and_a_pickle():
    import dataclasses
    import pickle

    from gonogo.cache import dumps
    from gonogo.model import Finding, Severity

    finding = Finding(check_id="SEC001", severity=Severity.LOW, message="m", data=(("rule", "S1"), ("rule", "S2")))
    assert finding.get("rule") == "S2" and finding.get("absent", 7) == 7
    changed = dataclasses.replace(finding, data=(("rule", "S3"),))
    assert changed.get("rule") == "S3" and finding.get("rule") == "S2"  # a copy answers from its own data
    assert changed == dataclasses.replace(changed) and hash(changed) == hash(dataclasses.replace(changed))
    for loaded in (pickle.loads(pickle.dumps(finding)), pickle.loads(dumps(finding))):
        assert loaded == finding and loaded.get("rule") == "S2"
