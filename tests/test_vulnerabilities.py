"""VULN001-003 end to end: scans of small repositories against a fixture advisory index."""

from __future__ import annotations

import json
import socket
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from gonogo.model import Gate, GateStatus, Outcome, Severity
from gonogo.verdict import evaluate_gate
from gonogo.vulndb.index import VulnIndex, build_index
from tests.helpers import make_repo, result_of, scan_repo
from tests.vulndb_fakes import FakeSite, fixture_advisories, pypi_project, serve

TODAY = date(2024, 10, 15)  # the fixture data is of 2024-09-30: fresh enough for the standard profile

# Not from the snapshot: a GHSA record naming a PYSEC one as its alias, with GitHub's own severity,
# and an npm advisory, shaped as the OSV export has them.
GHSA_PYJWT = {
    "id": "GHSA-ffqj-6fqr-9h24",
    "aliases": ["CVE-2022-29217"],
    "summary": "Key confusion through non-blocklisted public key formats",
    "modified": "2024-09-30T00:00:00Z",
    "database_specific": {"severity": "HIGH"},
    "affected": [{"package": {"ecosystem": "PyPI", "name": "pyjwt"},
                  "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.5.0"}, {"fixed": "2.4.0"}]}]}],
}
NPM_LODASH = {
    "id": "GHSA-35jh-r3h4-6jhm",
    "summary": "Command Injection in lodash",
    "modified": "2024-01-01T00:00:00Z",
    "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"}],
    "affected": [{"package": {"ecosystem": "npm", "name": "lodash"},
                  "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "4.17.21"}]}]}],
}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("vulndb") / "vulndb.sqlite3"
    build_index(_documents(), path, source="fixtures")
    return path


def _documents():
    docs = dict(fixture_advisories())
    docs["GHSA-ffqj-6fqr-9h24"] = GHSA_PYJWT
    docs["GHSA-35jh-r3h4-6jhm"] = NPM_LODASH
    return ((f"{k}.json", json.dumps(v).encode()) for k, v in docs.items())


def run(root, db, select="VULN", **options):
    options.setdefault("vulndb_path", str(db))
    return scan_repo(root, select, options={"today": TODAY, **options})


def gate(report):
    """The Security gate judged on its vulnerability conditions only (other families add theirs)."""
    security = next(g for g in report.gates if g.gate.name == "Security")
    own = [c for c in security.conditions if c.condition.metric.startswith("vulns.")]
    assert own, "the Security gate has no vulnerability condition"
    return SimpleNamespace(status=evaluate_gate(
        Gate(name="vulns", conditions=tuple(c.condition for c in own)), report.metrics).status)


def test_vulnerable_pin_in_two_files_is_one_vulnerability_and_one_action(tmp_path, db):
    root = make_repo(tmp_path, {"requirements.txt": "PyJWT==2.3.0\nrequests==2.32.3\n",
                                "requirements-dev.txt": "pyjwt==2.3.0\n"})
    report = run(root, db)
    result = result_of(report, "VULN001")
    assert result.outcome is Outcome.FAIL
    assert sorted(str(f.location) for f in result.findings) == ["requirements-dev.txt:1", "requirements.txt:1"]
    finding = result.findings[0]
    # PYSEC-2022-202 and GHSA-ffqj-6fqr-9h24 alias each other: one finding listing every id
    assert finding.get("ids") == ("GHSA-ffqj-6fqr-9h24", "PYSEC-2022-202", "CVE-2022-29217")
    assert finding.get("level") == "high"  # GitHub's word, since PyPA's record has no CVSS
    assert finding.severity is Severity.HIGH
    assert finding.get("fixed") == "2.4.0"
    assert "2.3.0" in finding.message and "fixed in 2.4.0" in finding.message
    assert report.metrics["vulns.total"] == 1
    assert report.metrics["vulns.high"] == 1
    assert report.metrics["vulns.packages"] == 1
    assert report.metrics["vulns.critical"] == 0
    assert gate(report).status is GateStatus.FAIL
    [action] = [a for a in report.plan if a.check_ids == ("VULN001",)]
    assert action.title == "upgrade PyJWT 2.3.0 -> 2.4.0 in 2 files: fixes GHSA-ffqj-6fqr-9h24"


def test_plan_picks_the_smallest_version_fixing_every_advisory(tmp_path, db):
    root = make_repo(tmp_path, {"requirements.txt": "PyJWT==1.4.0\n"})
    report = run(root, db)
    result = result_of(report, "VULN001")
    # 1.4.0 is hit by PYSEC-2017-24 only (fixed in 1.5.1), but 1.5.0-2.4.0 are hit by another one
    [finding] = result.findings
    assert (finding.get("ids")[0], finding.get("fixed"), finding.get("fix")) == (
        "PYSEC-2017-24", "1.5.1", "2.4.0")
    [action] = [a for a in report.plan if a.check_ids == ("VULN001",)]
    assert action.title == "upgrade PyJWT 1.4.0 -> 2.4.0 in 1 file: fixes PYSEC-2017-24"
    assert result.tables[0].rows == (("PyJWT", "1.4.0", "1", "unknown", "2.4.0", "1"),)


def test_clean_pins_pass_and_the_gate_passes_on_fresh_evidence(tmp_path, db):
    root = make_repo(tmp_path, {"requirements.txt": "PyJWT==2.10.1\nrequests==2.32.3\n"})
    with VulnIndex(db) as index:
        data_date = index.status().data_date
    report = run(root, db, today=data_date + timedelta(days=3))
    assert result_of(report, "VULN001").outcome is Outcome.PASS
    assert result_of(report, "VULN002").outcome is Outcome.PASS
    assert {k: v for k, v in report.metrics.items() if k.startswith("vulns.")} == {
        "vulns.total": 0, "vulns.critical": 0, "vulns.high": 0, "vulns.medium": 0, "vulns.low": 0,
        "vulns.unknown_severity": 0, "vulns.packages": 0, "vulns.data_age_days": 3,
    }
    assert report.metrics["vulndb.age_days"] == 3
    assert gate(report).status is GateStatus.PASS
    assert f"data as of {data_date.isoformat()} (3 days old)" in report.data_versions["osv"]


@pytest.mark.parametrize(
    ("profile", "age", "expected"),
    [("standard", 30, GateStatus.PASS), ("standard", 31, GateStatus.FAIL), ("critical", 8, GateStatus.FAIL),
     ("prototype", 90, GateStatus.PASS)],
    ids=["standard, a month old", "standard, older than a month", "critical, older than a week",
         "prototype, three months old"],
)
def test_counts_made_with_stale_advisory_data_cannot_clear_the_security_gate(tmp_path, db, profile, age, expected):
    root = make_repo(tmp_path, {"requirements.txt": "PyJWT==2.10.1\n"})
    with VulnIndex(db) as index:
        data_date = index.status().data_date
    report = scan_repo(root, "VULN", profile=profile,
                       options={"today": data_date + timedelta(days=age), "vulndb_path": str(db)})
    assert report.metrics["vulns.data_age_days"] == age
    assert gate(report).status is expected


def test_with_nothing_to_audit_the_age_of_the_data_does_not_matter(tmp_path, db):
    report = run(make_repo(tmp_path, {"app.py": "x = 1\n"}), db, today=date(2030, 1, 1))
    assert result_of(report, "VULN001").outcome is Outcome.NOT_APPLICABLE
    assert report.metrics["vulns.data_age_days"] == 0
    [age] = [c for g in report.gates if g.gate.name == "Security" for c in g.conditions
             if c.condition.metric == "vulns.data_age_days"]
    assert age.status is GateStatus.PASS


def test_unpinned_requirements_are_not_guessed_at(tmp_path, db):
    root = make_repo(tmp_path, {"requirements.txt": "requests>=2\nflask\nPyJWT==2.10.1\n"})
    report = run(root, db)
    unaudited = result_of(report, "VULN002")
    assert unaudited.outcome is Outcome.FAIL
    assert [f.message for f in unaudited.findings] == [
        "requests>=2: cannot be audited, not pinned (constrained only by >=2) and no lock file pins it",
        "flask: cannot be audited, not pinned (any version allowed) and no lock file pins it",
    ]
    assert report.metrics["deps.unauditable"] == 2
    # no vulnerability found among what could be audited is not evidence of none
    assert report.metrics["vulns.critical"] is None
    assert gate(report).status is GateStatus.UNKNOWN


def test_a_lock_file_pins_what_the_manifest_leaves_open(tmp_path, db):
    root = make_repo(tmp_path, {
        "pyproject.toml": '[project]\nname = "app"\nversion = "1"\ndependencies = ["requests>=2"]\n',
        "uv.lock": 'version = 1\n\n[[package]]\nname = "app"\nversion = "1"\nsource = { editable = "." }\n\n'
                   '[[package]]\nname = "requests"\nversion = "2.30.0"\n'
                   'source = { registry = "https://pypi.org/simple" }\n',
    })
    report = run(root, db)
    assert result_of(report, "VULN002").outcome is Outcome.PASS
    [finding] = result_of(report, "VULN001").findings
    assert finding.location.path == "uv.lock"
    assert finding.get("ids")[0] == "PYSEC-2023-74"
    assert report.metrics["vulns.unknown_severity"] == 1
    assert gate(report).status is GateStatus.FAIL  # unknown severity is not taken as mild


def test_npm_lock_is_audited_with_semver(tmp_path, db):
    lock = {"name": "web", "lockfileVersion": 3, "packages": {
        "": {"name": "web"}, "node_modules/lodash": {"version": "4.17.20"}}}
    root = make_repo(tmp_path, {"package-lock.json": json.dumps(lock, indent=2)})
    report = run(root, db)
    [finding] = result_of(report, "VULN001").findings
    assert (finding.get("ids"), finding.get("level"), finding.get("fixed")) == (
        ("GHSA-35jh-r3h4-6jhm",), "high", "4.17.21")


def test_no_database_means_unknown_not_pass(tmp_path):
    root = make_repo(tmp_path, {"requirements.txt": "PyJWT==2.3.0\n"})
    report = run(root, tmp_path / "missing.sqlite3")
    result = result_of(report, "VULN001")
    assert result.outcome is Outcome.UNKNOWN
    assert result.reason == "no vulnerability database; run gonogo db update"
    assert report.metrics["vulns.critical"] is None
    assert gate(report).status is GateStatus.UNKNOWN
    assert report.data_versions["osv"].startswith("none: no vulnerability database")
    assert result_of(report, "VULN002").outcome is Outcome.PASS  # needs no advisory data


@pytest.mark.parametrize("content", [b"", b"not sqlite" * 50, bytes(range(256))],
                         ids=["empty", "text", "binary"])
def test_corrupt_database_means_unknown(tmp_path, content):
    root = make_repo(tmp_path / "repo", {"requirements.txt": "PyJWT==2.3.0\n"})
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(content)
    result = result_of(run(root, bad), "VULN001")
    assert result.outcome is Outcome.UNKNOWN
    assert "not a usable vulnerability database" in result.reason


def test_waived_findings_leave_the_counts(tmp_path, db):
    root = make_repo(tmp_path, {
        "requirements.txt": "PyJWT==2.3.0\n",
        "gonogo.toml": '[[waivers]]\ncheck = "VULN001"\nreason = "only HS256 with a fixed key"\n',
    })
    report = run(root, db)
    [finding] = result_of(report, "VULN001").findings
    assert finding.waived is not None
    assert report.metrics["vulns.high"] == 0
    assert gate(report).status is GateStatus.PASS


def test_critical_profile_also_refuses_medium(tmp_path, db):
    root = make_repo(tmp_path, {"requirements.txt": "urllib3==1.26.17\n",
                                "gonogo.toml": 'profile = "critical"\n'})
    report = run(root, db)
    assert report.metrics["vulns.medium"] == 1  # PYSEC-2023-212, CVSS 4.2
    assert gate(report).status is GateStatus.FAIL
    root2 = make_repo(tmp_path / "standard", {"requirements.txt": "urllib3==1.26.17\n"})
    assert gate(run(root2, db)).status is GateStatus.PASS


@pytest.mark.parametrize(
    "files",
    [{"requirements.txt": bytes(range(256)) * 10}, {"requirements.txt": "==\n-r missing.txt\n@@@\n"},
     {"uv.lock": "[[package]\nname="}, {"package-lock.json": "{\"packages\": 3}"}],
    ids=["binary requirements", "nonsense requirements", "broken uv.lock", "wrong-shaped npm lock"],
)
def test_bad_manifests_never_crash_the_vulnerability_checks(tmp_path, db, files):
    report = run(make_repo(tmp_path, files), db)
    for check_id in ("VULN001", "VULN002"):
        result = result_of(report, check_id)
        assert result.outcome is not Outcome.UNKNOWN or "failed" not in (result.reason or ""), result.reason


def test_online_osv_finds_what_the_api_says(tmp_path):
    site = FakeSite(advisories={"PYSEC-2023-74": fixture_advisories()["PYSEC-2023-74"]},
                    affected={("requests", "2.30.0"): ["PYSEC-2023-74"]})
    root = make_repo(tmp_path, {"requirements.txt": "requests==2.30.0\n"})
    with serve(site) as base:
        report = run(root, None, online_vulns=True, osv_api_url=base, vulndb_path=None)
    [finding] = result_of(report, "VULN001").findings
    assert finding.get("fixed") == "2.31.0"
    assert report.metrics["vulndb.age_days"] == 0
    assert report.data_versions["osv"].startswith(f"OSV API {base}")


def test_network_failure_is_a_clear_unknown_and_the_scan_finishes(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = make_repo(tmp_path, {"requirements.txt": "requests==2.30.0\n"})
    report = run(root, None, online_vulns=True, osv_api_url=f"http://127.0.0.1:{port}", vulndb_path=None)
    result = result_of(report, "VULN001")
    assert result.outcome is Outcome.UNKNOWN
    assert f"127.0.0.1:{port}" in result.reason
    assert gate(report).status is GateStatus.UNKNOWN
    assert any("vulnerabilities not checked" in n.message for n in report.notes)


def test_outdated_is_opt_in(tmp_path, db):
    report = run(make_repo(tmp_path, {"requirements.txt": "PyJWT==2.8.0\n"}), db)
    assert result_of(report, "VULN003").outcome is Outcome.NOT_APPLICABLE
    assert "deps.outdated" not in report.metrics


def test_outdated_pins_against_pypi(tmp_path, db):
    site = FakeSite(projects={
        "pyjwt": pypi_project({"2.8.0": "2023-07-18", "2.10.1": "2024-11-28", "3.0.0b1": "2024-11-30"}),
        "requests": pypi_project({"2.32.3": "2024-05-29"}),
    })
    root = make_repo(tmp_path, {"requirements.txt": "PyJWT==2.8.0\nrequests==2.32.3\nmissing==1.0\n"})
    with serve(site) as base:
        report = run(root, db, outdated=True, pypi_url=base)
    result = result_of(report, "VULN003")
    [finding] = result.findings
    assert finding.message == "PyJWT 2.8.0 is behind the latest stable 2.10.1 (2024-11-28)"
    assert result.tables[0].rows == (("PyJWT", "2.8.0", "2.10.1", "2024-11-28"),)
    assert report.metrics["deps.outdated"] == 1
    assert report.metrics["deps.outdated_unknown"] == 1
    assert any("latest release of missing unknown" in n.message for n in report.notes)


def test_outdated_with_pypi_unreachable_is_unknown(tmp_path, db):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = make_repo(tmp_path, {"requirements.txt": "PyJWT==2.8.0\n"})
    report = run(root, db, outdated=True, pypi_url=f"http://127.0.0.1:{port}")
    result = result_of(report, "VULN003")
    assert result.outcome is Outcome.UNKNOWN
    assert "PyPI could not be asked" in result.reason


def test_every_vulnerability_check_documents_why_and_fix():
    from gonogo.registry import load_plugins

    registry = load_plugins()
    for check_id in ("VULN001", "VULN002", "VULN003"):
        spec = registry.checks[check_id]
        assert spec.why and spec.fix, check_id


def test_a_lock_file_gonogo_cannot_read_is_reported_not_left_out(tmp_path, db):
    lock = {"name": "web", "lockfileVersion": 3, "packages": {"": {"name": "web"},
            "node_modules/lodash": {"version": "4.17.21"}}}
    root = make_repo(tmp_path, {
        "web/package-lock.json": json.dumps(lock, indent=2),  # read and audited: clean
        "frontend/yarn.lock": "lodash@^4.17.0:\n  version \"4.17.20\"\n",
        "ui/pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
    })
    report = run(root, db)
    unread = result_of(report, "VULN002").findings
    assert [(f.path, f.get("ecosystem")) for f in unread] == [("frontend/yarn.lock", "npm"), ("ui/pnpm-lock.yaml", "npm")]
    assert "vulnerability counts for npm are unknown" in unread[0].message
    assert result_of(report, "VULN001").findings == ()
    # what was read found nothing, but the unread lock files may hide something: unknown, not 0
    assert report.metrics["vulns.total"] is None
    assert gate(report).status is GateStatus.UNKNOWN
    assert any("audit 2 lock files gonogo cannot read" in a.title for a in report.plan)


def test_a_range_pinned_by_a_sibling_requirements_file_is_auditable_through_that_pin(tmp_path, db):
    root = make_repo(tmp_path, {
        "base_requirements.txt": "requests\nflask>=2\nPyJWT\n",
        "requirements.txt": "requests==2.31.0\nflask==3.0.0\n",
        "pyproject.toml": '[project]\nname = "app"\nversion = "1"\ndependencies = ["requests>=2"]\n',
        "tools/requirements-dev.txt": "-r ../base_requirements.txt\nblack\n",
    })
    report = run(root, db)
    # requests and flask are audited through requirements.txt's pins; PyJWT and black are pinned nowhere
    assert sorted(f.get("package") for f in result_of(report, "VULN002").findings) == ["PyJWT", "black"]


def test_a_range_pinned_by_the_file_that_includes_it_is_auditable(tmp_path, db):
    root = make_repo(tmp_path, {
        "requirements/base.in": "requests\nPyJWT\n",
        "deploy/requirements.txt": "-r ../requirements/base.in\nrequests==2.31.0\n",
    })
    report = run(root, db)
    assert [f.get("package") for f in result_of(report, "VULN002").findings] == ["PyJWT"]


def test_a_range_pinned_by_a_constraints_file_is_auditable(tmp_path, db):
    root = make_repo(tmp_path, {
        "app/requirements.in": "-c ../constraints/pins.txt\nrequests\nPyJWT\n",
        "constraints/pins.txt": "requests==2.31.0\n",
    })
    report = run(root, db)
    assert [f.get("package") for f in result_of(report, "VULN002").findings] == ["PyJWT"]


def test_npm_shrinkwrap_is_read_like_a_package_lock(tmp_path, db):
    lock = {"name": "cli", "lockfileVersion": 3, "packages": {
        "": {"name": "cli"}, "node_modules/lodash": {"version": "4.17.20"}}}
    report = run(make_repo(tmp_path, {"npm-shrinkwrap.json": json.dumps(lock, indent=2)}), db)
    [finding] = result_of(report, "VULN001").findings
    assert (finding.path, finding.get("ids")) == ("npm-shrinkwrap.json", ("GHSA-35jh-r3h4-6jhm",))
    assert result_of(report, "VULN002").findings == ()


def test_stale_data_fails_the_gate_without_making_any_finding_block(tmp_path, db):
    """Resolving a finding cannot make the advisory data fresher: when only the data's age fails
    the Security gate, no VULN001 finding is marked as blocking (and none becomes P0)."""
    root = make_repo(tmp_path, {"requirements.txt": "urllib3==1.26.0\n"})
    with VulnIndex(db) as index:
        data_date = index.status().data_date
    report = run(root, db, today=data_date + timedelta(days=400))
    security = next(g for g in report.gates if g.gate.name == "Security")
    failing = {c.condition.metric for c in security.conditions if c.status is GateStatus.FAIL}
    assert "vulns.data_age_days" in failing
    fresh = run(root, db, today=data_date + timedelta(days=1))
    stale_blocking = [f.blocks for f in result_of(report, "VULN001").findings]
    fresh_blocking = [f.blocks for f in result_of(fresh, "VULN001").findings]
    assert sorted(fresh_blocking) == [False, True], "the high advisory blocks, the medium one does not"
    assert stale_blocking == fresh_blocking
