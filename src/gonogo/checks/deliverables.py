"""Deliverables and documentation claims: what was promised exists on disk."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from gonogo.collectors.deliverables import Deliverable, DeliverableFacts
from gonogo.collectors.doc_references import DocReferenceFacts
from gonogo.grouping import Grouping, count_files, plural
from gonogo.model import Category, Finding, Location, Severity, Table
from gonogo.registry import CheckOutput, Metric, NotApplicable, check, fail


def plan_deliverables(findings: Sequence[Finding]) -> Grouping:
    by_group: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_group[finding.get("group", "deliverables")].append(finding)
    for group, items in sorted(by_group.items()):
        names = ", ".join(f.path or "" for f in items[:5]) + (" ..." if len(items) > 5 else "")
        yield f"create {plural(len(items), 'missing deliverable')} of {group}: {names}", items


@check("DLV001", "Every declared deliverable exists", category=Category.DELIVERABLES, severity=Severity.HIGH,
       counts="deliverables.missing", plan=plan_deliverables)
def declared_deliverables(deliverables: DeliverableFacts) -> Iterator[CheckOutput]:
    """Why: a readiness report that counts deliverables from memory reports 91.5% when 40% exist.
    Each path or glob under `[tool.gonogo.deliverables]` is looked up on disk; a trailing `/`
    means a directory, a glob needs at least one match. A path listed in several groups counts
    once.

    Fix: create what is missing, or remove it from the list and from the plan that promised it."""
    for problem in deliverables.problems:
        yield fail(f"deliverable entry not checked: {problem}", severity=Severity.MEDIUM, key=problem)
    if not deliverables.items and not deliverables.problems:
        yield Metric(name="deliverables.expected", value=0)
        raise NotApplicable("no deliverables declared in [tool.gonogo.deliverables]")
    groups: dict[str, list[Deliverable]] = defaultdict(list)
    by_path: dict[str, list[Deliverable]] = defaultdict(list)
    for item in deliverables.items:
        groups[item.group].append(item)
        by_path[item.pattern].append(item)
    # a path promised by two groups is one missing file, not two
    for path, items in by_path.items():
        if not any(i.present for i in items):
            named = ", ".join(sorted({i.group for i in items}))
            yield fail(
                f"{named}: {items[0].pattern} does not exist",
                at=Location(path=_join(deliverables.base, items[0].pattern)),
                key=path,
                group=named,
            )
    yield Metric(name="deliverables.expected", value=len(by_path))
    yield Table(
        title="Deliverables: expected vs actual",
        columns=("Group", "Expected", "Present", "Missing", "Complete"),
        rows=tuple(
            (
                group,
                str(len(items)),
                str(sum(i.present for i in items)),
                ", ".join(i.pattern for i in items if not i.present) or "-",
                f"{100 * sum(i.present for i in items) / len(items):.0f}%",
            )
            for group, items in sorted(groups.items())
        ),
    )


def plan_doc_references(findings: Sequence[Finding]) -> Grouping:
    yield (
        f"fix {plural(len(findings), 'reference')} to missing paths in "
        f"{plural(count_files(findings), 'document')}",
        findings,
    )


@check("DOC001", "Paths named in the docs exist", category=Category.DOCS, severity=Severity.LOW,
       counts="docs.broken_references", plan=plan_doc_references)
def broken_doc_references(doc_references: DocReferenceFacts) -> Iterator[CheckOutput]:
    """Why: documentation that names files which do not exist describes a system that is not there,
    and the reader who follows it is lost. Links and backtick paths in Markdown files are looked
    up relative to the document, to the repository root, and as a path suffix anywhere in the tree;
    code blocks, changelogs (by name, or by sections that mostly name a version) and the templates
    an application renders (Markdown with template tags in a ``templates/`` folder) are not read.
    Only references that claim a file are judged: web routes, generated output, ignored local
    files, examples and files the reader is told to create (in the sentence, or as a list of paths
    it introduces) are not claims; bare file names and paths into a submodule the checkout lacks
    are left to DOC002, which does not block.

    Fix: correct the path, create the file, or remove the claim from the document."""
    if not doc_references.documents:
        yield Metric(name="docs.references", value=0)
        raise NotApplicable("no Markdown documents")
    for ref in doc_references.references:
        if not ref.exists and ref.how != "name":
            yield fail(
                f"{ref.how} names `{ref.target}`, which does not exist",
                at=ref.document.at(ref.line),
                key=ref.target,
                target=ref.target,
            )
    yield Metric(name="docs.references", value=len(doc_references.references))


def _join(base: str, pattern: str) -> str:
    return pattern if base in ("", ".") else f"{base}/{pattern}"
