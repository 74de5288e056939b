"""README, licence and changelog checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo.model import Outcome
from tests.helpers import make_repo, result_of, scan_repo

LIBRARY = "[build-system]\nrequires = ['hatchling']\n[project]\nname = 'lib'\n"


def test_complete_project_docs_pass(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "README.md": "# Lib\n## Installation\npip install lib\n## Usage\nrun it\n## Tests\npytest\n",
            "LICENSE": "MIT\n",
            "CHANGELOG.md": "# 1.0\n",
            "lib/pyproject.toml": LIBRARY,
        },
    )
    report = scan_repo(root, select="DOC1")
    assert {r.check_id: r.outcome for r in report.checks} == {
        "DOC101": Outcome.PASS,
        "DOC102": Outcome.PASS,
        "DOC103": Outcome.PASS,
        "DOC104": Outcome.PASS,
    }


def test_missing_docs_are_findings(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"README.rst": "Lib\n===\nA library.\n", "setup.py": "from setuptools import setup\nsetup(name='x')\n"})
    report = scan_repo(root, select="DOC1")
    topics = [f.get("topic") for f in result_of(report, "DOC102").findings]
    assert topics == ["install", "run", "test"]
    assert result_of(report, "DOC103").outcome is Outcome.FAIL
    assert result_of(report, "DOC104").outcome is Outcome.FAIL


def test_no_readme_and_a_binary_readme(tmp_path: Path) -> None:
    report = scan_repo(make_repo(tmp_path / "a", {"app.py": "x = 1\n"}), select="DOC101")
    assert "has no README" in result_of(report, "DOC101").findings[0].message
    report = scan_repo(make_repo(tmp_path / "b", {"README.md": b"\x00\x01"}), select="DOC101")
    assert "cannot be read" in result_of(report, "DOC101").findings[0].message


DOC_REFERENCE_CASES = [
    # (case, document text, DOC001 targets, DOC002 targets)
    ("web routes in a web app's docs", "See [the API](../http_api/) and [profile](../../accounts/profile/).\n", [], []),
    ("a route link next to a broken file link", "See [api](../api/) and [setup](setup.md).\n", ["setup.md"], []),
    ("url patterns in backticks", "Add the redirect `SITE_ROOT/integrations/add_slack/` and `/projects/<uuid>/`.\n",
     [], []),
    ("github-relative badge link", "[![CI](../../actions/workflows/ci.yml/badge.svg)](../../actions/workflows/ci.yml)\n",
     [], []),
    ("a link climbing one level too few", "[agents](../AGENTS.md)\n", ["../AGENTS.md"], []),
    ("generated output", "Tests write `htmlcov/index.html`; the build goes to `dist/app.whl` and `site/x.html`.\n",
     [], []),
    ("a rendered page of a doc source", "The wheel holds `docs/guide/index.html`.\n", [], []),
    ("gitignored local settings", "Settings are read from `app/local_settings.py`, and `local_settings.py` wins.\n",
     [], []),
    ("a file the reader creates", "Copy `app/config_example.py` to `app/configuration.py`. Then edit it.\n", [], []),
    ("an example", "Put each lock next to its model (e.g. `app/locks.py`).\n", [], []),
    ("a stale path in a plain statement", "Languages are listed in `app/settings.py`.\n", ["app/settings.py"], []),
    ("a path written from outside the clone", "Routes are in `shop/app/__init__.py`.\n", [], []),
    ("a missing path written from outside the clone", "Styles are in `shop/app/style.css`.\n",
     ["shop/app/style.css"], []),
    ("a bare name and a path from elsewhere are loose", "Edit `helpers.py` and the action's `requirements/run.txt`.\n",
     [], ["helpers.py", "requirements/run.txt"]),
    # wagtail's docs: a template name resolved under an app's templates/ folder, and a path in the
    # reader's project, start with a folder the tree has only deeper down
    ("a folder the tree has only deeper down", "Render it with `blocks/heading.html`.\n", [], ["blocks/heading.html"]),
    ("a folder beside the document", "See `sub/gone.md`.\n", ["sub/gone.md"], []),
    ("a version placeholder", "Release notes are in `docs/releases/x.x.x.md`.\n", [], []),
    ("a heading that gives an example", "#### Example Configuration (`app/config.js`):\n", [], []),
    ("a sentence that only mentions examples", "The settings are in `app/settings.py`, with examples.\n",
     ["app/settings.py"], []),
    ("a link its author marks external", "[llms.txt](llms.txt){.external} and [full](gone.md)\n", ["gone.md"], []),
    # liberapay's CONTRIBUTING.md: the reader writes sql/branch.sql, which the release script
    # merges into the schema and which is absent between releases
    ("a file the reader puts changes in",
     "Don't modify `app/schema.sql` directly, instead put the changes in `app/branch.sql`.\n", [], []),
    ("a file the reader puts code into", "Put your overrides into `app/local.sql`.\n", [], []),
    ("a file something else is put in", "The schema is put in place by `app/schema.sql`.\n", ["app/schema.sql"], []),
]


@pytest.mark.parametrize(
    ("text", "claims", "loose"),
    [case[1:] for case in DOC_REFERENCE_CASES],
    ids=[case[0] for case in DOC_REFERENCE_CASES],
)
def test_a_doc_reference_is_a_claim_only_when_the_text_says_a_file_exists(
    tmp_path: Path, text: str, claims: list[str], loose: list[str]
) -> None:
    files = {
        "docs/page.md": text,
        "docs/guide.md": "# Guide\n",
        "app/__init__.py": "",
        "app/config_example.py": "",
        "app/blocks/__init__.py": "",
        "docs/sub/page.md": "# Sub\n",
        ".gitignore": "/app/local_settings.py\n",
        ".github/workflows/ci.yml": "on: push\n",
        "setup.py": "from setuptools import setup\nsetup(name='shop')\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="DOC001,DOC002")
    assert [f.get("target") for f in result_of(report, "DOC001").findings] == claims
    assert report.metrics["docs.broken_references"] == len(claims)
    doc002 = result_of(report, "DOC002")
    assert [f.get("target") for f in doc002.findings] == loose
    assert (doc002.outcome is Outcome.FAIL) == bool(loose)


def _broken_references(tmp_path: Path, files: dict[str, str]) -> list[tuple[str | None, str | None]]:
    """(document, target) of each DOC001 finding of a repository holding ``files``."""
    report = scan_repo(make_repo(tmp_path, files), select="DOC001")
    return [(f.path, f.get("target")) for f in result_of(report, "DOC001").findings]


def test_release_notes_folders_are_history_but_current_docs_are_judged(tmp_path: Path) -> None:
    files = {
        "docs/release-notes/version-3.1.md": "Moved `app/gone.py` into the core.\n",
        "docs/releases/5.2.md": "The header is rendered by `app/templates/old.html`.\n",
        "docs/guide.md": "The entry point is `app/gone.py`.\n",
        "app/__init__.py": "",
    }
    assert _broken_references(tmp_path, files) == [("docs/guide.md", "app/gone.py")]


def test_a_document_whose_sections_name_versions_is_history(tmp_path: Path) -> None:
    """zds-site's ``update.md`` lists what each release needed in production, one section per
    version: the files it names may be gone. Sections numbered without naming a version are read."""
    history = "".join(
        f"Actions pour la version : v1.{minor}\n==========\n\nDans `app/settings_prod.py`.\n\n" for minor in range(4)
    )
    files = {
        "update.md": "Ce fichier liste les actions par version.\n\n" + history,
        "docs/guide.md": "# Guide\n\n## 1.1 Install\n\n## 1.2 Run\n\n## 1.3 Deploy\n\nRun `app/gone.py`.\n",
        "app/__init__.py": "",
    }
    assert _broken_references(tmp_path, files) == [("docs/guide.md", "app/gone.py")]


def test_a_template_the_application_renders_is_no_documentation(tmp_path: Path) -> None:
    """djangoproject.com's ``checklists/templates/checklists/*.md`` render release checklists for
    Django's own repository (its ``docs/conf.py``); documentation kept in a ``templates/`` folder
    without template tags (healthchecks' ``templates/docs/``) is still judged."""
    files = {
        "checklists/templates/checklists/freeze.md": "{% load extras %}\n- [ ] Update `app/conf.py`.\n",
        "templates/docs/self_hosted.md": "Edit `app/local.py`.\n",
        "app/__init__.py": "",
    }
    assert _broken_references(tmp_path, files) == [("templates/docs/self_hosted.md", "app/local.py")]


def test_a_translated_page_may_link_a_page_only_the_default_language_has(tmp_path: Path) -> None:
    """FastAPI's translations link ``../release-notes.md``, which only ``docs/en/docs/`` has: the
    site serves the English page. A page no language has is still a broken link."""
    files = {
        "docs/en/docs/release-notes.md": "# Release notes\n",
        "docs/en/docs/deployment/versions.md": "See the [release notes](../release-notes.md).\n",
        "docs/de/docs/deployment/versions.md": "Siehe [Release Notes](../release-notes.md) und [FAQ](../faq.md).\n",
        "app/__init__.py": "",
    }
    assert _broken_references(tmp_path, files) == [("docs/de/docs/deployment/versions.md", "../faq.md")]


def test_a_coding_agents_commands_name_paths_from_the_folder_it_runs_in(tmp_path: Path) -> None:
    """Flagsmith's ``frontend/.claude/commands/unit-test.md`` names ``../api/README.md``: Claude
    Code runs in ``frontend/``, beside ``api/``. A path missing from there too is still broken,
    a page's paths still start from the page, and a path that leaves the repository is not
    looked up beside it (``../api/NOTES.md`` from the root exists on this machine, not in the tree)."""
    files = {
        "api/README.md": "# API\n",
        "frontend/.claude/commands/unit-test.md": "For backend tests, see `../api/README.md` and `../api/TESTING.md`.\n",
        "frontend/docs/guide.md": "See `../api/README.md` and `../../api/README.md`.\n",
        ".claude/notes.md": "See `../api/NOTES.md`.\n",
        "app/__init__.py": "",
    }
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "NOTES.md").write_text("beside the repository, not in it\n")
    assert _broken_references(tmp_path / "repo", files) == [
        (".claude/notes.md", "../api/NOTES.md"),
        ("frontend/.claude/commands/unit-test.md", "../api/TESTING.md"),
        ("frontend/docs/guide.md", "../api/README.md"),
    ]


def test_plans_and_proposals_name_files_to_come_and_are_not_claims(tmp_path: Path) -> None:
    """Prefect's ``plans/`` names the modules a migration will add (``plans/completed/`` those a
    refactor renamed since): intent, not a claim that they exist."""
    files = {
        "plans/2026-02-05-cli-migration.md": "Create `src/app/cli/_new/__init__.py`.\n",
        "plans/completed/2026-02-18-runner.md": "Tests go in `tests/runner/test_gone.py`.\n",
        "docs/rfcs/0001-storage.md": "The backend lives in `src/app/storage.py`.\n",
        "docs/guide.md": "The entry point is `src/app/gone.py`.\n",
        "src/app/__init__.py": "",
        "tests/test_app.py": "def test_a():\n    assert True\n",
    }
    assert _broken_references(tmp_path, files) == [("docs/guide.md", "src/app/gone.py")]


def test_old_notes_and_todo_documents_are_not_claims(tmp_path: Path) -> None:
    """ArchiveBox keeps superseded design notes in ``old/`` and plans in ``TODO_*.md``."""
    files = {
        "old/TODO_cli_refactor.md": "Add `src/app/cli/orchestrator.py`.\n",
        "TODO.md": "Write `src/app/exporter.py`.\n",
        "docs/TODO-storage.md": "Move it to `src/app/store.py`.\n",
        "README.md": "Run `src/app/gone.py`.\n",
        "src/app/__init__.py": "",
    }
    assert _broken_references(tmp_path, files) == [("README.md", "src/app/gone.py")]


def test_a_link_into_a_folder_the_docs_build_makes_is_a_weaker_claim(tmp_path: Path) -> None:
    """Nautobot's MkDocs site writes ``code-reference/`` pages with the gen-files plugin: a link
    into that folder names a page no file shows. A missing page in a folder that exists is still
    a broken link, and without gen-files any such link is."""
    files = {
        "mkdocs.yml": 'site_name: "Docs"\nplugins:\n  - "search"\n  - "gen-files":\n      scripts:\n        - docs/gen.py\n',
        "docs/guide/caching.md": "See [utils](../code-reference/app/utils.md) and [the FAQ](../faq.md).\n",
        "docs/index.md": "# Docs\n",
        "app/__init__.py": "",
    }
    assert _broken_references(tmp_path / "with", files) == [("docs/guide/caching.md", "../faq.md")]
    files["mkdocs.yml"] = 'site_name: "Docs"\nplugins:\n  - "search"\n'
    assert sorted(_broken_references(tmp_path / "without", files)) == [
        ("docs/guide/caching.md", "../code-reference/app/utils.md"), ("docs/guide/caching.md", "../faq.md"),
    ]


def test_a_file_that_can_be_deleted_and_an_app_name_placeholder_are_not_claims(tmp_path: Path) -> None:
    """Nautobot's migration guide: "File ``.../clustertype.html`` can be deleted." (it was); its
    testing guide names ``nautobot/APPNAME/factory.py``, one per app."""
    files = {
        "docs/migration.md": "File `app/templates/app/old.html` can be deleted.\n\n"
                             "Factories live in `app/APPNAME/factory.py` files.\n\nSee `app/gone.py`.\n",
        "app/templates/app/new.html": "",
        "app/__init__.py": "",
    }
    assert _broken_references(tmp_path, files) == [("docs/migration.md", "app/gone.py")]


def test_the_items_of_a_list_a_sentence_tells_the_reader_to_create_are_not_claims(tmp_path: Path) -> None:
    """warehouse's email guide: "Create those 3 new templates in a folder named like your email:"
    then a list of the three paths. A list after a sentence that claims nothing of the kind, an
    item that says more than a path (starlette's "create a pull request that includes:" ... "see
    ``__version__.py``") and the paragraph after the list still name files that must be there."""
    files = {
        "docs/email.md": (
            "Create those 3 new templates in a folder named like your email:\n\n"
            "- `app/templates/email/new-mail/body.txt`\n"
            "- `app/templates/email/new-mail/subject.txt`\n"
            "  - `app/templates/email/new-mail/nested/extra.txt`\n\n"
            "Add a function in `app/emails/__init__.py` that renders them.\n\n"
            "Before a release, create a pull request that includes:\n\n"
            "- **A version bump**: see `app/__version__.py`.\n\n"
            "The templates are in:\n\n"
            "1. `app/templates/email/gone.txt`\n"
        ),
        "app/__init__.py": "",
        "app/templates/email/old.txt": "",
    }
    assert _broken_references(tmp_path, files) == [
        ("docs/email.md", "app/emails/__init__.py"), ("docs/email.md", "app/__version__.py"),
        ("docs/email.md", "app/templates/email/gone.txt"),
    ]


@pytest.mark.parametrize(
    "gitmodules",
    ['[submodule "vendor/llhttp"]\n\tpath = vendor/llhttp\n\turl = https://github.com/nodejs/llhttp.git\n',
     '[submodule "x"]\npath=vendor/llhttp/\n'],
    ids=["as git writes it", "no blanks, trailing slash"],
)
def test_a_reference_into_an_uninitialised_submodule_is_a_name_not_a_claim(tmp_path: Path, gitmodules: str) -> None:
    """aiohttp's threat model names ``vendor/llhttp/package.json``, a file of its llhttp submodule:
    a checkout without ``--recursive`` has the folder empty. The reference is left to DOC002; one
    to a file missing beside the submodule is still DOC001's."""
    files = {
        ".gitmodules": gitmodules,
        "vendor/README.rst": "",
        "THREAT_MODEL.md": "See `vendor/llhttp/package.json` and `vendor/gone.txt`.\n",
        "docs/build.md": "The parser is built from [its sources](../vendor/llhttp/src/llhttp.c).\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="DOC001,DOC002")
    assert [(f.path, f.get("target")) for f in result_of(report, "DOC001").findings] == [
        ("THREAT_MODEL.md", "vendor/gone.txt"),
    ]
    assert sorted(f.get("target") for f in result_of(report, "DOC002").findings) == [
        "../vendor/llhttp/src/llhttp.c", "vendor/llhttp/package.json",
    ]


@pytest.mark.parametrize(
    "gitmodules",
    ["", "\0\1binary\0" * 100, "path = ../../etc\n", "path =\n" * 10000, '[submodule "x"]\n\tpath = ' + "a/" * 5000 + "\n",
     " \n" * 500_000 + "path"],
    ids=["empty", "binary", "outside the tree", "ten thousand empty paths", "a very deep path", "a million blank lines"],
)
def test_a_hostile_gitmodules_changes_no_judgement(tmp_path: Path, gitmodules: str) -> None:
    files = {".gitmodules": gitmodules, "README.md": "See `vendor/gone.txt`.\n", "vendor/x.txt": ""}
    assert _broken_references(tmp_path, files) == [("README.md", "vendor/gone.txt")]


def test_a_files_former_name_is_not_a_claim(tmp_path: Path) -> None:
    """awx's ``docs/websockets.md``: "``awx/main/wsrelay.py`` (formerly ``awx/main/wsbroadcast.py``)"
    names the file as it was called; the next sentence's missing file is still a claim."""
    files = {
        "docs/websockets.md": "* `app/relay.py` (formerly `app/broadcast.py`) - a client.\n\n"
                              "The server is in `app/server.py`.\n",
        "app/relay.py": "",
    }
    assert _broken_references(tmp_path, files) == [("docs/websockets.md", "app/server.py")]


def test_a_pelican_link_claims_the_path_after_its_placeholder(tmp_path: Path) -> None:
    """Pelican's sample article (``samples/content/cat1/markdown-article.md``) links
    ``|filename|/unbelievable.rst`` (from the content folder, a setting of the site) and
    ``|filename|../unbelievable.rst`` (from the page's folder): neither is a file named
    ``|filename|...``. A page-relative one that names no file is still a broken link."""
    files = {
        "content/unbelievable.rst": "Unbelievable\n",
        "content/cat1/article.md": (
            "[root](|filename|/unbelievable.rst) [up]({filename}../unbelievable.rst)\n"
            "[tag]({tag}python) [image]({static}/images/logo.png) [gone]({filename}../gone.md)\n"
        ),
        "app/__init__.py": "",
    }
    assert _broken_references(tmp_path, files) == [("content/cat1/article.md", "../gone.md")]


def test_a_hostile_pelican_lookalike_link_is_read_in_linear_time() -> None:
    import time

    from gonogo.collectors.doc_references import _link_target

    started = time.perf_counter()
    for href in ("{" * 200_000 + "x.md", "|filename" * 50_000 + "|x.md", "{filename" + "}" * 200_000):
        _link_target(href)
    assert _link_target("{filename}" + "a/" * 100_000 + "x.md") == "a/" * 100_000 + "x.md"
    assert time.perf_counter() - started < 1.0


def test_a_folders_index_page_is_rendered_from_its_readme(tmp_path: Path) -> None:
    """wagtail's ``client/README.md`` is rendered by TypeDoc into the docs site and links
    ``../index.html``: the page MkDocs and TypeDoc make of the root's ``README.md``. A folder with
    no README (``lib/``) renders no such page."""
    files = {
        "README.md": "# Project\n",
        "client/README.md": "[Return to the index.](../index.html) [Lib](../lib/index.html)\n",
        "lib/__init__.py": "",
    }
    report = scan_repo(make_repo(tmp_path, files), select="DOC001")
    assert [f.get("target") for f in result_of(report, "DOC001").findings] == ["../lib/index.html"]


def test_a_snippet_another_page_includes_links_from_that_page(tmp_path: Path) -> None:
    """SQLModel's ``docs_src/.../annotations/en/test_main_003.md`` holds code annotations that
    ``docs/tutorial/fastapi/tests.md`` includes (markdown-include's ``{!./docs_src/...!}``); its
    ``../create-db-and-table.md`` is read from the including page, where it exists. pymdown's
    snippets (``--8<-- "path"``) include alike, and the copy of an included file in a Python
    version's variant folder (``tutorial001_py310/``, which markdown-include-variants includes in
    its place) is read from the same page. A link missing from the includer's folder too, and
    the same link in a page nobody includes, are still broken."""
    annotation = "1. Remember that [Order Matters](../create-db-and-table.md) and [gone](../gone.md).\n"
    files = {
        "docs/tutorial/create-db-and-table.md": "# Create\n",
        "docs/tutorial/fastapi/tests.md": "# Tests\n\n{!./docs_src/app_testing/annotations/en/test_main.md!}\n",
        "docs/tutorial/snippets.md": '# Snippets\n\n--8<-- "docs_src/snippets/note.md"\n',
        "docs_src/app_testing/annotations/en/test_main.md": annotation,
        "docs_src/app_testing_py310/annotations/en/test_main.md": annotation,
        "docs_src/app_testing_v2/annotations/en/test_main.md": annotation,
        "docs_src/snippets/note.md": "See [Create](../tutorial/create-db-and-table.md).\n",
        "docs_src/alone/en/notes.md": "See [Order Matters](../create-db-and-table.md).\n",
        "app/__init__.py": "",
    }
    assert _broken_references(tmp_path, files) == [
        ("docs_src/alone/en/notes.md", "../create-db-and-table.md"),
        ("docs_src/app_testing/annotations/en/test_main.md", "../gone.md"),
        ("docs_src/app_testing_py310/annotations/en/test_main.md", "../gone.md"),
        ("docs_src/app_testing_v2/annotations/en/test_main.md", "../create-db-and-table.md"),
        ("docs_src/app_testing_v2/annotations/en/test_main.md", "../gone.md"),
    ]


def test_hostile_include_lookalike_lines_are_read_in_linear_time() -> None:
    """A line that opens an include many times, or never closes one, costs its length once."""
    import time

    from gonogo.collectors.doc_references import _includes

    started = time.perf_counter()
    lines = ["{!" * 200_000, "{!" + "a" * 400_000, '--8<-- "' + "a" * 400_000, "--8<--" * 100_000, " " * 400_000 + "{!"]
    assert _includes(lines) == ()
    assert _includes(['  {! docs_src/x/a.md !}', '--8<-- "x/b.md"']) == (
        ("docs_src/x/a.md", "include", 1), ("x/b.md", "include", 2),
    )
    assert time.perf_counter() - started < 1.0
