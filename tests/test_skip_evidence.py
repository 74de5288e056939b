"""TEST001 and the Test integrity gate: unconditional skips apart from conditional ones, tests
silenced rather than sites, what CI shows, and a test run's skips outranking the static ones."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from gonogo.model import GateStatus, Priority
from tests.helpers import make_repo, result_of, scan_repo

MIXED_SKIPS = {
    "app/core.py": "def run():\n    return 1\n",
    "tests/test_core.py": """
        import sys
        import pytest
        from app.core import run

        @pytest.mark.skip(reason="later")
        def test_later():
            assert run() == 2

        def test_feature():
            try:
                run()
            except NotImplementedError:
                pytest.skip("feature not implemented")
            assert run() == 1

        @pytest.mark.skipif(sys.platform == "win32", reason="posix paths")
        def test_posix():
            assert run() == 1
    """,
    "tests/test_numpy.py": """
        import pytest
        np = pytest.importorskip("numpy")

        def test_one():
            assert np.zeros(1)[0] == 0

        def test_two():
            assert np.ones(1)[0] == 1
    """,
}


def gate(report, name):
    return next(g for g in report.gates if g.gate.name == name)


def test_unconditional_and_conditional_skips_are_told_apart(tmp_path):
    report = scan_repo(make_repo(tmp_path, MIXED_SKIPS), select="TEST")
    findings = {f.line: f for f in result_of(report, "TEST001").findings}
    # the seeds' cases stay high and unconditional
    assert findings[5].message == "@pytest.mark.skip on test_later, unconditional: later"
    assert "NotImplementedError" in findings[13].message and "unconditional" in findings[13].message
    assert findings[5].severity.value == findings[13].severity.value == "high"
    # a platform skip and a missing optional dependency are conditional, and say on what
    assert "conditional on platform windows" in findings[16].message
    assert "conditional on optional dependency numpy" in findings[2].message
    assert findings[16].severity.value == findings[2].severity.value == "medium"
    assert report.metrics["tests.skipped.unconditional"] == 2
    assert report.metrics["tests.skipped.conditional"] == 3  # the importorskip silences 2 tests
    assert report.metrics["tests.skipped"] == 5
    assert report.metrics["tests.skip_sites"] == 4


@pytest.mark.parametrize(
    ("files", "profile", "status"),
    [
        ({"tests/test_a.py": "import pytest\n@pytest.mark.skip\ndef test_a():\n    assert 1\n"}, "standard", "fail"),
        ({"tests/test_a.py": "import pytest\nnp = pytest.importorskip('numpy')\ndef test_a():\n    assert 1\n"},
         "standard", "pass"),
        ({"tests/test_a.py": "import pytest\nnp = pytest.importorskip('numpy')\ndef test_a():\n    assert 1\n"},
         "critical", "fail"),
        ({"tests/test_a.py": "import pytest\n@pytest.mark.skip\ndef test_a():\n    assert 1\n"}, "prototype", "pass"),
    ],
    ids=[
        "standard blocks on an unconditional skip",
        "standard lets a skip on an optional dependency pass",
        "critical blocks on every skip",
        "prototype sets no bar on skips",
    ],
)
def test_the_profile_decides_which_skips_block(tmp_path, files, profile, status):
    report = scan_repo(make_repo(tmp_path, files), select="TEST", profile=profile)
    assert gate(report, "Test integrity").status.value == status


def test_a_pytestmark_over_two_tests_silences_two_tests_at_one_site(tmp_path):
    files = {
        "tests/test_e2e.py": """
            import pytest
            pytestmark = pytest.mark.skip(reason="no browser")

            def test_one():
                assert 1

            @pytest.mark.skip(reason="also skipped on its own")
            def test_two():
                assert 2
        """,
    }
    report = scan_repo(make_repo(tmp_path, files), select="TEST")
    assert report.metrics["tests.skipped"] == 2  # test_two is silenced twice but counted once
    assert report.metrics["tests.skip_sites"] == 2


def test_a_skip_because_the_project_itself_does_not_import_is_unconditional(tmp_path):
    files = {
        "backend/main.py": "queue = []\n",
        "tests/conftest.py": """
            import pytest

            @pytest.fixture
            def app():
                try:
                    from backend.main import queue
                except ImportError:
                    pytest.skip("app not importable")
                return queue

            @pytest.fixture
            def cache():
                try:
                    import redis
                except ImportError:
                    pytest.skip("redis not installed")
                return redis
        """,
        "tests/test_app.py": "def test_a(app, cache):\n    assert app == []\n",
    }
    findings = {f.line: f for f in result_of(scan_repo(make_repo(tmp_path, files), select="TEST"), "TEST001").findings}
    assert "unconditional" in findings[8].message
    assert "conditional on optional dependency redis" in findings[16].message


def test_ci_that_provides_the_condition_is_named(tmp_path):
    files = {
        ".github/workflows/ci.yml": """
            on: push
            jobs:
              test:
                runs-on: ${{ matrix.os }}
                strategy:
                  matrix:
                    os: [ubuntu-latest, windows-latest]
                steps:
                  - run: pip install numpy pytest
                  - run: pytest
        """,
        "tests/test_a.py": """
            import sys
            import pytest

            @pytest.mark.skipif(sys.platform != "win32", reason="windows only")
            def test_windows():
                assert 1

            @pytest.mark.skipif(sys.platform != "darwin", reason="mac only")
            def test_mac():
                assert 1

            def test_numpy():
                np = pytest.importorskip("numpy")
                assert np

            def test_pandas():
                pd = pytest.importorskip("pandas")
                assert pd
        """,
    }
    messages = {f.line: f.message for f in result_of(scan_repo(make_repo(tmp_path, files), select="TEST"), "TEST001").findings}
    assert "runs in CI: windows in .github/workflows/ci.yml:7" in messages[4]
    assert "runs in CI: .github/workflows/ci.yml:9 installs numpy" in messages[13]
    assert "runs in CI" not in messages[8]  # no mac job
    assert "runs in CI" not in messages[17]  # pandas is installed nowhere


RUN_REPO = {
    "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["."]\n',
    "tests/test_env.py": """
        import pytest

        json = pytest.importorskip("json")  # present wherever the suite runs

        def test_dumps():
            assert json.dumps(1) == "1"
    """,
}


def scan_with_run(root: Path, run: bool):
    return scan_repo(root, "TEST,RUN", options={"run_tests": run, "python": sys.executable})


def test_a_test_run_outranks_the_static_skips(tmp_path):
    root = make_repo(tmp_path, RUN_REPO)
    static = scan_with_run(root, run=False)
    assert static.metrics["tests.skipped"] == 1  # a guess: the import might fail somewhere
    ran = scan_with_run(root, run=True)
    assert ran.metrics["tests.skipped"] == 0  # the run imported json and skipped nothing
    assert ran.metrics["tests.skip_sites"] == 1  # the static finding stays, as context
    assert result_of(ran, "TEST001").findings
    assert not [a for a in ran.plan if "TEST001" in a.check_ids and a.priority is Priority.P0]


def test_a_test_run_that_skips_keeps_the_gate_failing(tmp_path):
    files = dict(RUN_REPO)
    files["tests/test_later.py"] = "import pytest\n\n@pytest.mark.skip(reason='later')\ndef test_later():\n    assert 0\n"
    report = scan_with_run(make_repo(tmp_path, files), run=True)
    assert report.metrics["tests.skipped"] == 1
    assert report.metrics["tests.skipped.unconditional"] == 1
    assert gate(report, "Test integrity").status is GateStatus.FAIL
    [p0] = [a for a in report.plan if a.priority is Priority.P0 and "RUN004" in a.check_ids]
    assert "test_later" in p0.findings[0].message


def test_a_version_skip_names_the_workflow_with_the_version_matrix(tmp_path):
    files = {
        ".github/workflows/a-publish.yml": "on: push\njobs:\n  p:\n    steps:\n      - run: python -m build\n",
        ".github/workflows/tests.yml": """
            on: push
            jobs:
              test:
                strategy:
                  matrix:
                    python-version: ["3.10", "3.12"]
                steps:
                  - run: pytest
        """,
        "tests/test_a.py": """
            import sys
            import pytest

            @pytest.mark.skipif(sys.version_info < (3, 11), reason="needs 3.11")
            def test_new():
                assert 1
        """,
    }
    [finding] = result_of(scan_repo(make_repo(tmp_path, files), select="TEST001"), "TEST001").findings
    assert "runs in CI: Python 3.10, 3.12 in .github/workflows/tests.yml" in finding.message
