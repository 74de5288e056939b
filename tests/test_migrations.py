"""Migrations (MIG): Alembic heads and chains, Django leaf conflicts, unreadable revision files."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo.model import Outcome
from tests.helpers import make_repo, result_of, scan_repo


def _revision(revision: str, down: str | None, labels: str = "None") -> str:
    down_text = f'"{down}"' if down else "None"
    return (
        f'"""add things\n\nRevision ID: {revision}\n"""\nfrom alembic import op\n\n'
        f'revision = "{revision}"\ndown_revision: str | None = {down_text}\nbranch_labels = {labels}\n'
        "depends_on = None\n\n\ndef upgrade():\n    pass\n"
    )


def _alembic(revisions: dict[str, str]) -> dict[str, str]:
    return {"alembic.ini": "[alembic]\nscript_location = alembic\n", "alembic/env.py": "# env\n", **revisions}


def _messages(tmp_path: Path, files: dict[str, str], check_id: str) -> list[str]:
    return [f.message for f in result_of(scan_repo(make_repo(tmp_path, files), select=check_id), check_id).findings]


@pytest.mark.parametrize(
    ("revisions", "expected"),
    [
        ({"a1": None, "b2": "a1", "c3": "b2"}, []),
        ({"a1": None, "b2": "a1", "c3": "a1"}, ["alembic/versions has 2 heads: b2, c3"]),
    ],
    ids=["linear history", "two branches never merged"],
)
def test_alembic_heads(tmp_path: Path, revisions: dict[str, str | None], expected: list[str]) -> None:
    files = _alembic({f"alembic/versions/{r}_x.py": _revision(r, d) for r, d in revisions.items()})
    assert _messages(tmp_path, files, "MIG001") == expected


def test_a_merge_revision_leaves_one_head(tmp_path: Path) -> None:
    files = _alembic(
        {
            "alembic/versions/a1_x.py": _revision("a1", None),
            "alembic/versions/b2_x.py": _revision("b2", "a1"),
            "alembic/versions/c3_x.py": _revision("c3", "a1"),
            "alembic/versions/d4_merge.py": _revision("d4", "b2").replace('= "b2"', '= ("b2", "c3")'),
        }
    )
    assert _messages(tmp_path, files, "MIG001") == []


def test_branch_labels_keep_several_heads_on_purpose(tmp_path: Path) -> None:
    files = _alembic(
        {
            "alembic/versions/a1_x.py": _revision("a1", None, '("core",)'),
            "alembic/versions/b2_x.py": _revision("b2", None, '("reports",)'),
        }
    )
    assert _messages(tmp_path, files, "MIG001") == []
    assert _messages(tmp_path / "again", files, "MIG002") == []


@pytest.mark.parametrize(
    ("down", "expected"),
    [("a1", []), ("zz", ["revision b2 follows zz, which no file in alembic/versions defines"])],
    ids=["chain intact", "down_revision names a missing revision"],
)
def test_alembic_chain(tmp_path: Path, down: str, expected: list[str]) -> None:
    files = _alembic({"alembic/versions/a1_x.py": _revision("a1", None), "alembic/versions/b2_x.py": _revision("b2", down)})
    found = _messages(tmp_path, files, "MIG002")
    assert [m for m in found if "follows" in m] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_revision("b2", "a1"), 0),
        (_revision("b2", "a1").replace("def upgrade():", "def upgrade(:"), 1),
        ("revision = make_id()\ndown_revision = 'a1'\n", 1),
    ],
    ids=["parses", "syntax error", "revision not a literal"],
)
def test_unreadable_revision_files(tmp_path: Path, text: str, expected: int) -> None:
    files = _alembic({"alembic/versions/a1_x.py": _revision("a1", None), "alembic/versions/b2_x.py": text})
    assert len(_messages(tmp_path, files, "MIG003")) == expected


def test_a_project_template_migration_is_not_judged(tmp_path: Path) -> None:
    files = {
        "{{cookiecutter.slug}}/users/migrations/__init__.py": "",
        "{{cookiecutter.slug}}/users/migrations/0001_initial.py": (
            "from django.db import migrations\nimport {{cookiecutter.slug}}.users.models\n\n"
            "class Migration(migrations.Migration):\n    dependencies = []\n"
        ),
    }
    report = scan_repo(make_repo(tmp_path, files), select="MIG003")
    assert result_of(report, "MIG003").findings == ()


def _django(name: str, *dependencies: tuple[str, str], replaces: str = "") -> str:
    deps = ", ".join(f'("{a}", "{b}")' for a, b in dependencies)
    extra = f"\n    replaces = {replaces}" if replaces else ""
    return (
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
        f"    dependencies = [{deps}, migrations.swappable_dependency('auth.User')]{extra}\n    operations = []\n"
    )


@pytest.mark.parametrize(
    ("third_depends_on", "expected"),
    [
        ("0002_add_total", 0),
        ("0001_initial", 1),
    ],
    ids=["one line of migrations", "two migrations both follow 0001"],
)
def test_django_leaf_conflicts(tmp_path: Path, third_depends_on: str, expected: int) -> None:
    files = {
        "shop/orders/migrations/__init__.py": "",
        "shop/orders/migrations/0001_initial.py": _django("0001_initial", ("products", "0001_initial")),
        "shop/orders/migrations/0002_add_total.py": _django("0002", ("orders", "0001_initial")),
        "shop/orders/migrations/0003_add_status.py": _django("0003", ("orders", third_depends_on)),
    }
    found = _messages(tmp_path, files, "MIG004")
    assert len(found) == expected
    if expected:
        assert found[0] == "app orders (shop/orders/migrations) has 2 leaf migrations: 0002_add_total, 0003_add_status"


def test_a_renamed_app_keeps_its_old_label_in_dependencies(tmp_path: Path) -> None:
    files = {
        "checkout/migrations/__init__.py": "",
        "checkout/migrations/0001_initial.py": _django("1", replaces='[("cart", "0001_initial")]'),
        "checkout/migrations/fix_lines.py": _django("f", ("cart", "0001_initial"), replaces='[("cart", "fix_lines")]'),
        "checkout/migrations/0002_more.py": _django("2", ("checkout", "fix_lines")),
    }
    assert _messages(tmp_path, files, "MIG004") == []


def test_no_migrations_is_not_applicable(tmp_path: Path) -> None:
    report = scan_repo(make_repo(tmp_path, {"app.py": "x = 1\n"}), select="MIG")
    assert {r.outcome for r in report.checks} == {Outcome.NOT_APPLICABLE}


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"pyproject.toml": '[project]\nname = "app"\ndependencies = ["alembic>=1.13"]\n'},
         ["alembic is a dependency in pyproject.toml:3 but no Alembic environment (alembic.ini, "
          "script.py.mako) exists under the root"]),
        ({"pyproject.toml": '[project]\nname = "app"\ndependencies = ["alembic>=1.13"]\n',
          "alembic.ini": "[alembic]\nscript_location = migrations\n"}, []),
        ({"backend/requirements.txt": "alembic==1.13.1\n",
          "backend/app/alembic/script.py.mako": "${message}\n", "backend/app/alembic/env.py": "# env\n"}, []),
        ({"backend/requirements.txt": "alembic==1.13.1\n", "tools/alembic.ini": "[alembic]\n"},
         ["alembic is a dependency in backend/requirements.txt:1 but no Alembic environment (alembic.ini, "
          "script.py.mako) exists under backend"]),
        ({"pyproject.toml": '[project]\nname = "app"\n[dependency-groups]\ndev = ["alembic"]\n'}, None),
    ],
    ids=["a dependency with no environment", "alembic.ini at the root", "an environment before its first revision",
         "an environment outside the project's folder", "a dev-group dependency"],
)
def test_alembic_is_set_up_where_it_is_a_dependency(
    tmp_path: Path, files: dict[str, str], expected: list[str] | None
) -> None:
    result = result_of(scan_repo(make_repo(tmp_path, files), select="MIG006"), "MIG006")
    if expected is None:
        assert result.outcome is Outcome.NOT_APPLICABLE
    else:
        assert [f.message for f in result.findings] == expected


def _migration(*operations: str) -> str:
    body = "".join(f"        {op},\n" for op in operations)
    return (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        f"    dependencies = []\n    operations = [\n{body}    ]\n"
    )


INITIAL = _migration(
    'migrations.CreateModel(name="Order", fields=[("id", models.BigAutoField(primary_key=True)), '
    '("number", models.CharField(max_length=20))])',
    'migrations.CreateModel("Customer", [("id", models.BigAutoField(primary_key=True)), ("email", models.EmailField())])',
)
MODELS = '''from django.db import models
from djmoney.models.fields import MoneyField


class Order(models.Model):
    number = models.CharField(max_length=20)
    status = models.CharField(max_length=10)
    customer = models.ForeignKey("Customer", on_delete=models.CASCADE)
    total = MoneyField(amount_field="total_amount", currency_field="currency")


class Customer(models.Model):
    email = models.EmailField()


class Base(models.Model):
    created = models.DateTimeField()

    class Meta:
        abstract = True


class Legacy(models.Model):
    code = models.CharField(max_length=3)

    class Meta:
        managed = False


class Invoice(models.Model):
    reference = models.CharField(max_length=20)
'''


def _drift(*later: str, models: str = MODELS) -> dict[str, str]:
    """An app whose first migration creates Order and Customer, then ``later`` migrations."""
    files = {
        "shop/orders/models.py": models,
        "shop/orders/migrations/__init__.py": "",
        "shop/orders/migrations/0001_initial.py": INITIAL,
    }
    for number, text in enumerate(later, 2):
        files[f"shop/orders/migrations/{number:04d}_change.py"] = text
    return files


@pytest.mark.parametrize(
    ("later", "expected"),
    [
        ((), ["Order.status has no migration that adds it in shop/orders/migrations",
              "Order.customer has no migration that adds it in shop/orders/migrations",
              "model Invoice (shop/orders/migrations) has no CreateModel in its app's migrations"]),
        ((_migration('migrations.AddField(model_name="order", name="status", field=models.CharField(max_length=10))',
                     'migrations.AddField("order", "customer", models.ForeignKey("Customer", on_delete=models.CASCADE))',
                     'migrations.CreateModel(name="Invoice", fields=[("reference", models.CharField(max_length=20))])'),),
         []),
        ((_migration('migrations.AddField(model_name="order", name="state", field=models.CharField(max_length=10))',
                     'migrations.AddField(model_name="order", name="customer", field=models.IntegerField())',
                     'migrations.CreateModel(name="Invoice", fields=[("reference", models.CharField(max_length=20))])'),
          _migration('migrations.RenameField(model_name="order", old_name="state", new_name="status")')),
         []),
        ((_migration('migrations.AddField(model_name="order", name="status", field=models.CharField(max_length=10))',
                     'migrations.AddField(model_name="order", name="customer", field=models.IntegerField())',
                     'migrations.CreateModel(name="Invoice", fields=[("reference", models.CharField(max_length=20))])'),
          _migration('migrations.RemoveField(model_name="order", name="status")')),
         ["Order.status has no migration that adds it in shop/orders/migrations"]),
        ((_migration('migrations.SeparateDatabaseAndState(state_operations=['
                     'migrations.AddField(model_name="order", name="status", field=models.CharField(max_length=10)), '
                     'migrations.AddField(model_name="order", name="customer", field=models.IntegerField()), '
                     'migrations.CreateModel(name="Invoice", fields=[("reference", models.CharField(max_length=20))])])'),),
         []),
        ((_migration("AddAuditTrigger()"),), []),
        (("from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
          "    operations = build_operations()\n",), []),
    ],
    ids=["fields and a model never migrated", "every change has a migration", "a rename carries the field",
         "a field removed by a migration and still declared", "state operations count",
         "a custom operation: the app is not judged", "operations built by code: the app is not judged"],
)
def test_django_fields_without_migrations(tmp_path: Path, later: tuple[str, ...], expected: list[str]) -> None:
    assert _messages(tmp_path, _drift(*later), "MIG007") == expected


@pytest.mark.parametrize(
    "models",
    ["class Broken(models.Model:\n", "\x00\xff" * 64, ""],
    ids=["models.py does not parse", "binary models.py", "empty models.py"],
)
def test_unreadable_models_leave_nothing_to_judge(tmp_path: Path, models: str) -> None:
    assert _messages(tmp_path, _drift(models=models), "MIG007") == []


def test_a_scan_with_cached_facts_parses_no_migration_or_models_file(tmp_path: Path, monkeypatch) -> None:
    """What a migration says is read in the one per-file pass and cached with the file's facts
    (``migration_code``): a second scan of the same tree, every check run, parses nothing again,
    and says the same."""
    files = {**_drift(), "shop/orders/migrations/0002_bad.py": "class Migration(:\n"}
    repo = make_repo(tmp_path / "repo", files)
    options = {"use_cache": True, "cache_dir": str(tmp_path / "cache"), "reuse": False}

    def findings() -> list[tuple[str, str]]:
        report = scan_repo(repo, select="MIG003,MIG007", options=options)
        return [(c, f.message) for c in ("MIG003", "MIG007") for f in result_of(report, c).findings]

    cold = findings()
    assert cold == [("MIG003", "shop/orders/migrations/0002_bad.py does not parse: invalid syntax")]

    parsed: list[object] = []
    monkeypatch.setattr("ast.parse", lambda source, *args, **kwargs: parsed.append(source))
    warm = findings()
    monkeypatch.undo()  # before any assertion: pytest parses sources to show a failure
    assert (warm, parsed) == (cold, [])
