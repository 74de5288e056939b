"""CODE001-CODE004: stubs, long functions, large modules, files that do not parse."""

from __future__ import annotations

from gonogo.model import Outcome, Severity
from tests.helpers import make_repo, result_of, scan_repo


def test_stubs_in_product_code_only(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "app/service.py": """
                import abc

                def todo():
                    raise NotImplementedError

                def later():
                    pass

                class Base(abc.ABC):
                    @abc.abstractmethod
                    def run(self):
                        ...

                def real():
                    return 1
            """,
            "tests/test_service.py": "def test_x():\n    assert 1\n\ndef fake():\n    pass\n",
        },
    )
    result = result_of(scan_repo(repo, select="CODE001"), "CODE001")
    found = {(f.message, f.severity) for f in result.findings}
    assert found == {
        ("todo is a stub (raise NotImplementedError)", Severity.MEDIUM),
        ("later is a stub (pass)", Severity.LOW),
    }


def test_long_function_threshold_is_configurable(tmp_path):
    body = "def long_one():\n" + "    x = 1\n" * 65 + "    return x\n\ndef short():\n    return 2\n"
    repo = make_repo(tmp_path, {"app.py": body})
    report = scan_repo(repo, select="CODE002")
    result = result_of(report, "CODE002")
    assert [f.message for f in result.findings] == ["long_one is 67 lines (limit 60)"]
    assert result.findings[0].line == 1
    relaxed = scan_repo(repo, select="CODE002", thresholds={"max_function_lines": 100})
    assert result_of(relaxed, "CODE002").outcome is Outcome.PASS
    assert relaxed.metrics["code.long_functions"] == 0


def test_large_module(tmp_path):
    repo = make_repo(tmp_path, {"big.py": "x = 1\n" * 1200, "small.py": "y = 2\n"})
    report = scan_repo(repo, select="CODE003")
    assert [f.path for f in result_of(report, "CODE003").findings] == ["big.py"]


def test_unparsable_file_is_a_finding_and_the_rest_is_scanned(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "broken.py": "def oops(:\n    pass\n",
            "py2.py": "print 'hello'\n",
            "fine.py": "def todo():\n    raise NotImplementedError\n",
        },
    )
    report = scan_repo(repo, select="CODE")
    unparsable = result_of(report, "CODE004")
    assert sorted(f.path for f in unparsable.findings) == ["broken.py", "py2.py"]
    assert unparsable.findings[0].line == 1
    assert report.metrics["code.unparsable_files"] == 2
    assert report.metrics["code.stubs"] == 1


def test_base_methods_a_subclass_implements_are_abstract_by_convention(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "app/base.py": """
                class Provider:
                    def dumps(self, obj):
                        raise NotImplementedError

                    def loads(self, text):
                        raise NotImplementedError
            """,
            "app/json.py": """
                from app.base import Provider

                class DefaultProvider(Provider):
                    def dumps(self, obj):
                        return str(obj)
            """,
        },
    )
    result = result_of(scan_repo(repo, select="CODE001"), "CODE001")
    assert [f.message for f in result.findings] == ["Provider.loads is a stub (raise NotImplementedError)"]
