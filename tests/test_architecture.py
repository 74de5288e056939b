"""CODE005 import cycles and CODE006 complexity, on layouts shaped like the corpus's
(Django apps re-exporting from ``__init__``, ``src/`` layouts, namespace sub-folders)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo.collectors.import_graph import _absolute, module_name
from gonogo.collectors.python_facts import Import, extract
from tests.helpers import make_repo, result_of, scan_repo

_PACKAGE_REEXPORT = {
    # netbox's tenancy/tables: the package re-exports a submodule that imports the package back
    "app/__init__.py": "",
    "app/tables/__init__.py": "from .columns import *\nfrom .tenants import *\n",
    "app/tables/columns.py": "class ContactsColumnMixin: ...\n",
}


def _cycles(repo: Path) -> list[str]:
    result = result_of(scan_repo(repo, select="CODE005"), "CODE005")
    return [f.message for f in result.findings]


def test_an_import_time_cycle_is_listed_with_the_line_of_each_import(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {
        **_PACKAGE_REEXPORT,
        "app/tables/tenants.py": "import os\n\nfrom app.tables import ContactsColumnMixin\n",
    })
    result = result_of(scan_repo(repo, select="CODE005"), "CODE005")
    [finding] = result.findings
    assert finding.message == "import cycle app.tables -> app.tables.tenants -> app.tables"
    assert (finding.path, finding.line) == ("app/tables/__init__.py", 2)
    assert finding.evidence == (
        "app/tables/__init__.py:2 imports app.tables.tenants; app/tables/tenants.py:3 imports app.tables"
    )


@pytest.mark.parametrize(
    ("tenants", "cycles"),
    [
        ("from app.tables import ContactsColumnMixin\n", 1),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app.tables import ContactsColumnMixin\n", 0),
        # saleor's site/apps.py spells the guard out
        ("import typing\nif typing.TYPE_CHECKING is True:\n    from app.tables import ContactsColumnMixin\n", 0),
        ("def columns():\n    from app.tables import ContactsColumnMixin\n    return ContactsColumnMixin\n", 0),
        ("try:\n    from app.tables import ContactsColumnMixin\nexcept ImportError:\n    pass\n", 1),
        ('if __name__ == "__main__":\n    from app.tables import ContactsColumnMixin\n', 0),
    ],
    ids=["module level import closes the cycle", "type checking only", "type checking is True",
         "import inside a function", "optional import still runs at import time", "only when run as a script"],
)
def test_only_imports_that_run_at_import_time_make_a_cycle(tmp_path: Path, tenants: str, cycles: int) -> None:
    repo = make_repo(tmp_path, {**_PACKAGE_REEXPORT, "app/tables/tenants.py": tenants})
    assert len(_cycles(repo)) == cycles


def test_deferred_cycles_are_counted_not_reported(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {
        **_PACKAGE_REEXPORT,
        "app/tables/tenants.py": "def columns():\n    from app.tables import ContactsColumnMixin\n",
    })
    report = scan_repo(repo, select="CODE005")
    assert result_of(report, "CODE005").findings == ()
    assert report.metrics["code.deferred_import_cycles"] == 1


@pytest.mark.parametrize(
    ("connection", "cycles"),
    [
        ("from . import Schema\n", 1),
        ("from .context import Context\n", 0),
    ],
    ids=["imports the package itself", "imports a sibling module the scan cannot parse"],
)
def test_a_module_that_does_not_parse_still_has_its_name(tmp_path: Path, connection: str, cycles: int) -> None:
    # saleor's graphql/core/context.py uses Python 3.12 syntax; unparsed, it must not turn
    # ``from .context import X`` into an import of the package
    repo = make_repo(tmp_path, {
        "src/core/__init__.py": "from .connection import Connection\n\nclass Schema: ...\n",
        "src/core/connection.py": connection + "class Connection: ...\n",
        "src/core/context.py": "class Context(:\n    pass\n",
    })
    assert len(_cycles(repo)) == cycles


@pytest.mark.parametrize(
    ("app", "cycles"),
    [
        ("from . import url_for\n", 1),
        ("from .sansio.app import App\n", 0),
    ],
    ids=["imports a name from the package", "imports from a namespace sub-folder"],
)
def test_a_folder_without_init_inside_a_package_is_part_of_it(tmp_path: Path, app: str, cycles: int) -> None:
    # flask's src/flask/sansio/ has no __init__.py: sansio/app.py is flask.sansio.app, not "app"
    repo = make_repo(tmp_path, {
        "src/flask/__init__.py": "from .helpers import url_for\nfrom .app import Flask\n",
        "src/flask/helpers.py": "def url_for(): ...\n",
        "src/flask/app.py": app + "class Flask: ...\n",
        "src/flask/sansio/app.py": "class App: ...\n",
    })
    assert len(_cycles(repo)) == cycles


@pytest.mark.parametrize(
    ("relpath", "expected"),
    [
        ("src/paperless/settings.py", "paperless.settings"),
        ("netbox/netbox/settings.py", "netbox.settings"),
        ("netbox/netbox/__init__.py", "netbox"),
        ("src/flask/sansio/app.py", "flask.sansio.app"),
        ("manage.py", "manage"),
    ],
    ids=["src layout", "django project folder", "package init", "namespace portion", "top-level script"],
)
def test_module_name_follows_the_package_chain(relpath: str, expected: str) -> None:
    packages = {"src/paperless", "netbox/netbox", "src/flask"}
    assert module_name(relpath, packages) == expected


@pytest.mark.parametrize(
    ("level", "module", "importer", "is_package", "expected"),
    [
        (1, "views", "shop", True, "shop.views"),
        (1, "", "shop.views", False, "shop"),
        (2, "core.context", "saleor.graphql.core.connection", False, "saleor.graphql.core.context"),
        (3, "x", "shop.views", False, None),
    ],
    ids=["from .views in a package init", "from . import in a module", "two dots", "above the top package"],
)
def test_relative_imports_resolve_like_the_interpreter(
    level: int, module: str, importer: str, is_package: bool, expected: str | None
) -> None:
    statement = Import(module=module, line=1, level=level, optional=False, type_checking=False)
    assert _absolute(statement, importer, is_package) == expected


def test_imports_record_whether_they_run_at_import_time() -> None:
    facts = extract(b"import os\ndef f():\n    import json\n")
    assert [(i.module, i.deferred) for i in facts.imports] == [("os", False), ("json", True)]


_BRANCHY = "def route(kind):\n" + "".join(f"    if kind == {n}:\n        return {n}\n" for n in range(16)) + "    return 0\n"
_FLAT = "def add(a, b):\n    if a:\n        return a + b\n    return b\n"


@pytest.mark.parametrize(
    ("source", "flagged"),
    [(_BRANCHY, ["route"]), (_FLAT, [])],
    ids=["sixteen branches", "one branch"],
)
def test_complexity_over_the_limit_is_a_finding(tmp_path: Path, source: str, flagged: list[str]) -> None:
    repo = make_repo(tmp_path, {"app/logic.py": source})
    result = result_of(scan_repo(repo, select="CODE006"), "CODE006")
    assert [f.key for f in result.findings] == flagged


def test_complexity_limit_is_configurable_and_tests_are_not_judged(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"app/logic.py": _BRANCHY, "tests/test_logic.py": _BRANCHY.replace("route", "test_x")})
    strict = result_of(scan_repo(repo, select="CODE006"), "CODE006")
    assert [f.path for f in strict.findings] == ["app/logic.py"]
    assert strict.findings[0].message == "route has cyclomatic complexity 17 (limit 15)"
    relaxed = result_of(scan_repo(repo, select="CODE006", thresholds={"max_complexity": 20}), "CODE006")
    assert relaxed.findings == ()


def test_complexity_comes_from_mccabe_and_nested_functions_count_in_their_parent() -> None:
    facts = extract(b"def outer(x):\n    def inner():\n        if x:\n            return 1\n    if x:\n        return 2\n")
    by_name = {f.name: f.complexity for f in facts.functions}
    # mccabe folds the nested function's paths into the function that defines it
    assert by_name == {"outer": 4, "inner": None}
