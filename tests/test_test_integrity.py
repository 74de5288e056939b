"""TEST001-TEST004 end to end: skipped, xfail, cannot-fail tests, and the test inventory."""

from __future__ import annotations

from gonogo.model import Outcome
from tests.helpers import make_repo, result_of, scan_repo

SKIPPING = {
    "app/core.py": "def run():\n    return 1\n",
    "tests/unit/test_core.py": """
        import pytest
        from app.core import run

        def test_run():
            assert run() == 1

        @pytest.mark.skip(reason="later")
        def test_later():
            assert run() == 2

        def test_feature():
            try:
                run()
            except NotImplementedError:
                pytest.skip("feature not implemented")
            assert run() == 1
    """,
    "tests/e2e/test_flow.py": """
        import pytest
        pytestmark = pytest.mark.skip(reason="no browser")

        def test_flow():
            assert False
    """,
}


def test_skipped_tests_are_counted_per_file(tmp_path):
    report = scan_repo(make_repo(tmp_path, SKIPPING), select="TEST")
    result = result_of(report, "TEST001")
    assert result.outcome is Outcome.FAIL
    assert report.metrics["tests.skipped"] == 3
    per_file = dict(result.tables[0].rows)
    assert per_file == {"tests/unit/test_core.py": "2", "tests/e2e/test_flow.py": "1"}
    located = {(f.path, f.line) for f in result.findings}
    assert ("tests/unit/test_core.py", 7) in located
    assert any("NotImplementedError" in f.message for f in result.findings)
    assert any(f.message == "pytestmark on <module> (1 test), unconditional: no browser" for f in result.findings)


def test_no_skips_passes(tmp_path):
    repo = make_repo(tmp_path, {"tests/test_a.py": "def test_a():\n    assert 1 + 1 == 2\n"})
    report = scan_repo(repo, select="TEST")
    assert result_of(report, "TEST001").outcome is Outcome.PASS
    assert report.metrics["tests.skipped"] == 0


def test_xfail_is_its_own_kind(tmp_path):
    repo = make_repo(
        tmp_path,
        {"tests/test_a.py": "import pytest\n@pytest.mark.xfail(reason='bug')\ndef test_a():\n    assert 0\n"},
    )
    report = scan_repo(repo, select="TEST")
    assert report.metrics["tests.xfail"] == 1
    assert report.metrics["tests.skipped"] == 0


def test_tests_that_cannot_fail(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "tests/test_weak.py": """
                def test_nothing():
                    x = 1

                def test_constant():
                    assert True

                def test_swallowed():
                    try:
                        assert compute()
                    except Exception:
                        pass

                def test_good():
                    assert compute() == 2

                def helper_not_a_test():
                    pass
            """
        },
    )
    report = scan_repo(repo, select="TEST003")
    messages = sorted(f.message for f in result_of(report, "TEST003").findings)
    assert messages == [
        "test_constant asserts only constants that are always true",
        "test_nothing has no assertion",
        "test_swallowed swallows every exception around its assertions",
    ]
    assert report.metrics["tests.without_assertions"] == 3


def test_inventory_splits_by_folder(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "tests/unit/test_a.py": "def test_a():\n    assert 1\n\ndef test_b():\n    assert 2\n",
            "tests/integration/test_c.py": "class TestC:\n    def test_c(self):\n        assert 3\n",
            "tests/e2e/test_d.py": "def test_d():\n    assert 4\n",
            "tests/helpers.py": "def test_like_helper():\n    pass\n",
        },
    )
    report = scan_repo(repo, select="TEST004")
    assert report.metrics["tests.files"] == 3
    assert report.metrics["tests.functions"] == 4
    assert report.metrics["tests.unit_functions"] == 2
    assert report.metrics["tests.integration_functions"] == 1
    assert report.metrics["tests.e2e_functions"] == 1
    assert result_of(report, "TEST004").outcome is Outcome.PASS


def test_no_tests_at_all_is_a_finding(tmp_path):
    report = scan_repo(make_repo(tmp_path, {"app.py": "print('hi')\n"}), select="TEST004")
    result = result_of(report, "TEST004")
    assert result.outcome is Outcome.FAIL
    assert report.metrics["tests.files"] == 0
    assert "no test files" in result.findings[0].message


def test_nested_functions_and_asserting_helpers_are_understood(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "tests/helpers.py": "def common_object_test(app):\n    assert app.secret == 'x'\n",
            "tests/test_views.py": """
                from tests.helpers import common_object_test

                def test_uses_helper(app):
                    common_object_test(app)

                def test_route(app):
                    @app.route("/")
                    def test():
                        return "handler, not a test"
                    assert app.get("/") == "handler, not a test"

                def test_records_but_never_checks(monkeypatch):
                    seen = {}
                    def fake(**kwargs):
                        seen.update(kwargs)
                    monkeypatch.setattr("app.run", fake)
            """,
        },
    )
    report = scan_repo(repo, select="TEST003,TEST004")
    assert [f.message for f in result_of(report, "TEST003").findings] == [
        "test_records_but_never_checks has no assertion"
    ]
    assert report.metrics["tests.functions"] == 3


def test_a_skip_marker_kept_in_a_variable_counts_where_it_decorates(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "tests/test_env.py": """
                import pytest

                need_dotenv = pytest.mark.skipif(True, reason="dotenv is not installed")

                @need_dotenv
                def test_one():
                    assert 1

                @need_dotenv
                def test_two():
                    assert 2

                def test_three():
                    assert 3
            """,
        },
    )
    result = result_of(scan_repo(repo, select="TEST001"), "TEST001")
    assert sorted((f.line, f.message) for f in result.findings) == [
        (5, "@need_dotenv on test_one, unconditional: dotenv is not installed"),
        (9, "@need_dotenv on test_two, unconditional: dotenv is not installed"),
    ]


def test_benchmarks_measure_speed_and_are_not_held_to_assertions(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "bench/test_module_marked.py": """
                def test_before_the_marker():
                    build()

                import pytest as pt
                pytestmark = [pt.mark.benchmark(), pt.mark.slow]

                def test_after_the_marker():
                    build()
            """,
            "tests/test_mixed.py": """
                import pytest

                def test_with_fixture(benchmark):
                    benchmark(build)

                @pytest.mark.benchmark(group="fast")
                def test_marked():
                    build()

                class TestSpeed:
                    pytestmark = pytest.mark.benchmark

                    def test_in_marked_class(self):
                        build()

                class TestPlain:
                    def test_not_a_benchmark(self):
                        build()

                def test_benchmark_in_its_name_only():
                    build()
            """,
        },
    )
    report = scan_repo(repo, select="TEST003")
    assert sorted(f.message for f in result_of(report, "TEST003").findings) == [
        "TestPlain.test_not_a_benchmark has no assertion",
        "test_benchmark_in_its_name_only has no assertion",
    ]


def test_helpers_that_assert_are_recognised_and_tests_without_any_still_found(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "tests/conftest.py": """
                def compare(expected, actual):
                    assert expected == actual

                def run_and_compare(app, expected):
                    compare(expected, app())
            """,
            "tests/test_api.py": """
                from unittest import TestCase

                def _assert_with_payload(response, payload):
                    assert response == payload

                class CreateCheckTestCase(TestCase):
                    def post(self, data, expect_fragment=None):
                        response = self.client.post("/api", data)
                        if expect_fragment:
                            self.assertIn(expect_fragment, response.text)
                        return response

                    def test_rejects_bad_value(self):
                        self.post({"methods": "bad"}, expect_fragment="unexpected value")

                    def test_only_posts(self):
                        self.client.post("/api", {})

                def test_private_helper():
                    _assert_with_payload(1, 1)

                def test_helper_of_a_helper(app):
                    run_and_compare(app, 1)

                def test_query_count(django_assert_num_queries):
                    with django_assert_num_queries(3):
                        load()

                def test_builds_only():
                    build()
            """,
        },
    )
    result = result_of(scan_repo(repo, select="TEST003"), "TEST003")
    assert sorted(f.message for f in result.findings) == [
        "CreateCheckTestCase.test_only_posts has no assertion",
        "test_builds_only has no assertion",
    ]


CAPABILITIES = {
    "app/export.py": "def to_pdf(document):\n    raise NotImplementedError('PDF export')\n",
    "app/backends.py": """
        class Backend:
            def ensure_chords_allowed(self):
                pass

        class DisabledBackend(Backend):
            def ensure_chords_allowed(self):
                raise NotImplementedError("chords need a result backend")
    """,
    "tests/test_capabilities.py": """
        import os
        import pytest
        from app.export import to_pdf

        def test_pdf():
            try:
                to_pdf("report")
            except NotImplementedError:
                pytest.skip("not yet")

        def test_chord(manager):
            try:
                manager.app.backend.ensure_chords_allowed()
            except NotImplementedError as exc:
                pytest.skip(exc.args[0])

        def test_symlink(tmp_path):
            try:
                os.symlink(tmp_path / "a", tmp_path / "b")
            except NotImplementedError:
                pytest.skip("symlinks are not supported")

        def test_broken_symlink(tmp_path):
            try:
                (tmp_path / "link").symlink_to("nowhere")
            except (OSError, NotImplementedError):
                pytest.skip("symlinks are not supported")

        def test_pdf_of_a_joined_path(tmp_path):
            try:
                to_pdf(os.path.join(tmp_path, "report"))
            except NotImplementedError:
                pytest.skip("not yet")

        def test_export_endpoint(client):
            try:
                client.post("/export")
            except NotImplementedError:
                pytest.skip("not yet")
    """,
    "tests/optional.py": """
        import pytest

        def pytest_collection_modifyitems(config, items):
            for item in items:
                if "slow" in item.keywords and not config.getoption("--run-slow"):
                    item.add_marker(skip_mark("slow"))

        def skip_mark(name):
            return pytest.mark.skip(reason=f"{name} tests are off")

        @pytest.fixture
        def remote_httpbin(remote_httpbin_available):
            if remote_httpbin_available:
                return "http://httpbin.org"
            pytest.skip("httpbin.org not resolvable")

        @pytest.fixture
        def always_off(request):
            if request.config.getoption("--fast"):
                print("fast")
            pytest.skip("never runs")
    """,
}


def test_a_skip_around_a_capability_is_conditional_and_one_around_the_projects_stub_is_not(tmp_path):
    """Celery skips a chord test where the configured result backend cannot run chords, and
    FastAPI one where the file system has no symlinks: those depend on where the tests run. A
    skip around the project's own stub (a function that only raises), or around a call whose
    target the tree does not show, hides a missing feature everywhere."""
    report = scan_repo(make_repo(tmp_path, CAPABILITIES), select="TEST")
    conditions = {f.key.split(":")[0]: f.get("condition") for f in result_of(report, "TEST001").findings}
    assert conditions == {
        "test_pdf": None,
        "test_chord": "runtime check",
        "test_symlink": "runtime check",
        # ``OSError`` too: where the platform or its permissions allow no link, which no stub raises
        "test_broken_symlink": "runtime check",
        "test_pdf_of_a_joined_path": None,
        "test_export_endpoint": None,
        # Black's optional tests: a marker a helper builds reaches the tests its caller picks
        "skip_mark": "runtime check",
        # httpie's fixtures: a guard clause returns first where the service is there
        "remote_httpbin": "optional dependency",
        # an ``if`` that does not return guards nothing
        "always_off": None,
    }
    assert report.metrics["tests.skipped.unconditional"] == 4


def test_a_skip_for_the_optional_dependency_the_projects_backend_imports_is_conditional(tmp_path):
    """uvicorn's tests skip where ``httptools_impl``, its module that imports httptools, cannot be
    imported, and say so: "httptools is not installed". A skip around the project's own module
    whose reason names nothing it imports still hides a defect."""
    files = {
        "uvicorn/__init__.py": "",
        "uvicorn/protocols/http/httptools_impl.py": "import asyncio\nimport httptools\n",
        "uvicorn/workers.py": "import asyncio\nfrom gunicorn.workers import base\n",
        "uvicorn/config.py": "import asyncio\nfrom uvicorn import workers\n",
        "app/main.py": "import redis\n",
        "tests/test_http.py": """
            import pytest

            try:
                from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
                skip_if_no_httptools = pytest.mark.skipif(False, reason="httptools is installed")
            except ModuleNotFoundError:
                skip_if_no_httptools = pytest.mark.skipif(True, reason="httptools is not installed")

            @skip_if_no_httptools
            def test_fragmentation():
                assert HttpToolsProtocol

            def test_queue():
                try:
                    from app.main import queue
                except ImportError:
                    pytest.skip("the app does not import")
                assert queue
        """,
        # aiohttp's ``importorskip("aiohttp.worker")``: pytest names the import that failed, and
        # the module imports gunicorn; one that imports nothing from outside hides a defect, as
        # does one whose own reason names nothing it imports
        "tests/test_workers.py": """
            import pytest

            workers = pytest.importorskip("uvicorn.workers")
        """,
        "tests/test_config.py": """
            import pytest

            config = pytest.importorskip("uvicorn.config")
        """,
        "tests/test_config_reason.py": """
            import pytest

            workers = pytest.importorskip("uvicorn.workers", reason="the workers are broken")
        """,
    }
    report = scan_repo(make_repo(tmp_path, files), select="TEST")
    findings = result_of(report, "TEST001").findings
    by_path = {f.path: f.get("condition") for f in findings if f.path != "tests/test_http.py"}
    assert by_path == {
        "tests/test_workers.py": "optional dependency",
        "tests/test_config.py": None,
        "tests/test_config_reason.py": None,
    }
    http = {f.key.split(":")[0]: f.get("condition") for f in findings if f.path == "tests/test_http.py"}
    assert http == {"test_fragmentation": "optional dependency", "test_queue": None}


def test_a_subclass_skipping_a_test_its_test_base_runs_is_conditional(tmp_path):
    """wagtail's ``TestSubmitSnippetToWorkflowNotLockable`` skips the lock tests it inherits from
    ``TestSubmitPageToWorkflow`` ("Model is not lockable"): the base still runs them. A skip of a
    test only a mixin defines, or of the subclass's own test, still blocks."""
    files = {
        "tests/test_workflow.py": """
            from unittest import TestCase, skip

            class LockTests:
                def test_lock_mixin(self):
                    assert True

            class TestPage(LockTests, TestCase):
                def test_lock(self):
                    assert True

            class TestSnippet(TestPage):
                pass

            class TestSnippetNotLockable(TestSnippet):
                @skip("Model is not lockable")
                def test_lock(self):
                    pass

                def test_schema(self):
                    self.skipTest("no schema")

                @skip("later")
                def test_lock_mixin(self):
                    pass
        """,
    }
    report = scan_repo(make_repo(tmp_path, files), select="TEST001")
    by_scope = {f.message.split(",")[0]: f for f in result_of(report, "TEST001").findings}
    inherited = by_scope["@unittest.skip on TestSnippetNotLockable.test_lock"]
    assert inherited.get("condition") == "the subclass (TestPage runs the test)"
    assert inherited.severity.value == "medium"
    assert by_scope["self.skipTest() on TestSnippetNotLockable.test_schema"].get("condition") is None
    assert by_scope["@unittest.skip on TestSnippetNotLockable.test_lock_mixin"].get("condition") is None
    assert report.metrics["tests.skipped.unconditional"] == 2
    assert report.metrics["tests.skipped.conditional"] == 1


def test_a_skip_marker_made_and_dropped_skips_nothing(tmp_path):
    """BookWyrm writes ``pytest.mark.skip("...")`` alone on a line of a class body, above the test
    it meant to decorate: the marker is made and thrown away, pytest never sees it, the test runs."""
    files = {
        "tests/test_connector.py": """
            import pytest
            from unittest import skip

            class TestConnector:
                pytest.mark.skip("Function reserved for future use.")

                def test_update(self):
                    assert True

                def test_other(self):
                    skip("not a decorator either")
                    assert True

                @pytest.mark.skip("later")
                def test_later(self):
                    assert True
        """,
    }
    report = scan_repo(make_repo(tmp_path, files), select="TEST001")
    found = [(f.line, f.get("reason")) for f in result_of(report, "TEST001").findings]
    assert found == [(14, "later")]
    assert report.metrics["tests.skipped.unconditional"] == 1
