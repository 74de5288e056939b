"""Precision benchmark: re-run gonogo on the corpus and judge its findings against hand labels.

For each repository of ``corpus.toml`` this runs the full default scan (``gonogo check ROOT
--format json``) and prints the decision, the findings that feed a failing blocking gate, the
share of false ones among those that are labelled, how many labelled-true findings are still
found (recall), and the findings to label next. It prints figures; it is not a test and exits 0.

Usage::

    python benchmarks/precision/run.py --prepare --git-dirs /path/to/mirrors   # once
    python benchmarks/precision/run.py [--only NAME] [--gonogo-python PYTHON]

Snapshots live in ``--corpus-dir`` (env ``GONOGO_CORPUS_DIR``, default
``benchmarks/precision/snapshots``, git-ignored), one folder ``owner+name`` per repository.
The advisory index is ``GONOGO_VULNDB`` (default ``/work/vulndb/osv.sqlite``); the fact cache is
a folder of this benchmark's own (``--cache-dir``), so facts cached by another checkout never
leak into the figures. See README.md for the label format.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_VULNDB = "/work/vulndb/osv.sqlite"
FIRST = 20  # the first findings of a report are what a reader sees first: always labelled
SAMPLE = 40  # blocking findings labelled per repository when there are more
MESSAGE_CHARS = 100  # labels keep only the start of a message: enough to match, no code copied
LABEL_COLUMNS = ("check", "path", "line", "verdict", "class", "reason", "message")
VERDICTS = ("true", "false", "debatable")
SEVERITY_METRICS = {"high": ("high", "critical"), "medium": ("medium",), "low": ("low", "info")}
VULN_LEVELS = {"critical": "critical", "high": "high", "medium": "medium", "low": "low",
               "none": "low", "unknown": "unknown_severity"}

# Asked of the gonogo under test, so a branch that rewires metrics is measured on its own wiring.
FEEDS_PROGRAM = """
import json
from gonogo.registry import load_plugins
registry = load_plugins()
print(json.dumps({
    "counts": {spec.id: spec.counts for spec in registry.checks.values() if spec.counts},
    "tallies": [[list(t.sources), list(t.metrics)] for t in registry.tallies],
}))
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class Repository:
    name: str
    kind: str
    url: str
    commit: str

    @property
    def slug(self) -> str:
        """The folder name used everywhere (``owner+name``), as GitHub names are unique that way."""
        return self.name.replace("/", "+")


@dataclass(frozen=True, slots=True, kw_only=True)
class Label:
    check: str
    path: str
    line: int | None
    verdict: str
    cls: str
    reason: str
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    check: str
    path: str
    line: int | None
    message: str
    severity: str
    active: bool
    data: dict[str, object]
    blocks: bool | None = None
    """The report's own word: resolving this finding alone moves a failing blocking metric
    (reports before that flag existed leave it None, and the registry's feeds decide)."""

    @property
    def short(self) -> str:
        return self.message[:MESSAGE_CHARS]


@dataclass(frozen=True, slots=True, kw_only=True)
class Feeds:
    """Which checks feed which metric, as the registry of the gonogo under test says."""

    counts: dict[str, str]
    tallies: list[tuple[tuple[str, ...], tuple[str, ...]]]

    def metrics_of(self, check: str) -> set[str]:
        metrics = {metric for cid, metric in self.counts.items() if cid == check}
        for sources, tallied in self.tallies:
            if check.startswith(sources):
                metrics.update(tallied)
        return metrics


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """One repository's figures."""

    name: str
    kind: str
    decision: str
    blocking: int
    labelled_blocking: Counter[str]
    false_classes: Counter[str]
    true_found: int
    true_total: int
    missing_true: list[Label]
    to_label: list[Finding]
    unlabelled_blocking: int
    no_finding_conditions: list[str]


def load_corpus(path: Path) -> list[Repository]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Repository(name=r["name"], kind=r["kind"], url=r["url"], commit=r["commit"])
        for r in data["repository"]
    ]


# ---------------------------------------------------------------- prepare


def find_git_dir(root: Path, repo: Repository) -> Path | None:
    """The git dir of ``repo`` under ``root``: ``owner+name/repo``, ``owner+name.git`` or
    ``owner+name`` (bare or with a ``.git`` inside), whichever exists."""
    for candidate in (root / repo.slug / "repo", root / f"{repo.slug}.git", root / repo.slug / ".git",
                      root / repo.slug):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def extract(git_dir: Path, commit: str, dest: Path) -> tuple[int, int]:
    """Write ``commit``'s tree into ``dest``; blobs the git dir lacks (a partial clone's large
    files) are skipped rather than fetched, so a snapshot never needs the network.
    Returns (files written, blobs missing)."""
    listing = subprocess.run(["git", "--git-dir", str(git_dir), "ls-tree", "-r", "-z", commit],
                             capture_output=True, check=True).stdout
    entries = [entry.split(b"\t", 1) for entry in listing.split(b"\0") if entry]
    written = missing = 0
    with subprocess.Popen(["git", "--git-dir", str(git_dir), "cat-file", "--batch"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE) as batch:
        assert batch.stdin is not None and batch.stdout is not None
        for meta, raw_path in entries:
            mode, kind, sha = meta.split()
            if kind != b"blob":
                continue  # submodules: their content is another repository
            batch.stdin.write(sha + b"\n")
            batch.stdin.flush()
            header = batch.stdout.readline()
            if header.endswith(b"missing\n"):
                missing += 1
                continue
            data = batch.stdout.read(int(header.split()[2]))
            batch.stdout.read(1)
            target = dest / os.fsdecode(raw_path)
            target.parent.mkdir(parents=True, exist_ok=True)
            if mode == b"120000":
                target.unlink(missing_ok=True)
                target.symlink_to(os.fsdecode(data))
            else:
                target.write_bytes(data)
                if mode == b"100755":
                    target.chmod(0o755)
            written += 1
        batch.stdin.close()
    return written, missing


def prepare(repos: Sequence[Repository], git_dirs: Path, corpus_dir: Path) -> None:
    for repo in repos:
        dest = corpus_dir / repo.slug
        if dest.exists():
            print(f"{repo.slug}: already at {dest} (delete it to extract again)")
            continue
        git_dir = find_git_dir(git_dirs, repo)
        if git_dir is None:
            print(f"{repo.slug}: no git dir under {git_dirs}. Get one with\n"
                  f"  git clone --bare --filter=blob:limit=2m {repo.url} {git_dirs / (repo.slug + '.git')}\n"
                  f"then run --prepare again.")
            continue
        try:
            written, missing = extract(git_dir, repo.commit, dest)
        except subprocess.CalledProcessError:
            print(f"{repo.slug}: commit {repo.commit} is not in {git_dir}; fetch it "
                  f"(git --git-dir {git_dir} fetch origin {repo.commit}) and run --prepare again.")
            continue
        print(f"{repo.slug}: {written} files in {dest}, {missing} large blobs absent from the git dir")


# ---------------------------------------------------------------- scan


def run_gonogo(python: str, root: Path, out: Path, cache_dir: Path) -> dict[str, object] | None:
    env = dict(os.environ, GONOGO_CACHE_DIR=str(cache_dir),
               GONOGO_VULNDB=os.environ.get("GONOGO_VULNDB", DEFAULT_VULNDB))
    done = subprocess.run([python, "-m", "gonogo.cli", "check", str(root), "--format", "json",
                           "--output", str(out), "-q"], env=env, capture_output=True, text=True)
    report = out / "report.json"
    if done.returncode not in (0, 1) or not report.is_file():
        print(f"  gonogo failed (exit {done.returncode}): {done.stderr.strip()[-800:]}")
        return None
    return json.loads(report.read_text(encoding="utf-8"))


def load_feeds(python: str) -> Feeds:
    raw = json.loads(subprocess.run([python, "-c", FEEDS_PROGRAM], capture_output=True, text=True,
                                    check=True).stdout)
    return Feeds(counts=raw["counts"],
                 tallies=[(tuple(sources), tuple(metrics)) for sources, metrics in raw["tallies"]])


def parse_findings(report: dict[str, object]) -> list[Finding]:
    return [
        Finding(check=f["check_id"], path=f.get("path") or "", line=f.get("line"),
                message=f.get("message") or "", severity=f.get("severity") or "",
                active=not f.get("waived") and not f.get("suppressed"), data=f.get("data") or {},
                blocks=f.get("blocks"))
        for f in report["findings"]  # type: ignore[union-attr]
    ]


def counted_by(metric: str, finding: Finding) -> bool:
    """Whether ``finding`` is one of those ``metric`` counts. Tallies split their sources' findings
    by severity, confidence or advisory level; a check's own ``counts`` metric counts them all."""
    family, _, name = metric.partition(".")
    if family == "security" and name in SEVERITY_METRICS:
        return finding.severity in SEVERITY_METRICS[name]
    if family == "security" and name == "high_high_confidence":
        return finding.severity in SEVERITY_METRICS["high"] and finding.data.get("confidence") == "high"
    if family == "vulns" and name not in ("total", "packages"):
        return finding.check == "VULN001" and VULN_LEVELS.get(str(finding.data.get("level", "unknown"))) == name
    return True


def failing_blocking_metrics(report: dict[str, object]) -> list[str]:
    return [
        condition["metric"]
        for gate in report["gates"]  # type: ignore[union-attr]
        if gate["blocking"] and gate["status"] == "fail"
        for condition in gate["conditions"]
        if condition["status"] == "fail"
    ]


def blocking_findings(findings: Sequence[Finding], metrics: Sequence[str], feeds: Feeds) -> list[Finding]:
    """Active findings counted by a failing condition of a failing blocking gate: the report's
    ``blocks`` flag where it has one, else the checks the registry says feed those metrics."""
    if any(f.blocks is not None for f in findings):
        return [f for f in findings if f.blocks]
    return [
        f for f in findings
        if f.active and any(m in feeds.metrics_of(f.check) and counted_by(m, f) for m in metrics)
    ]


def sample(findings: Sequence[Finding], size: int) -> list[Finding]:
    """``size`` findings spread over check ids: round-robin over the checks in report order, so a
    check with hundreds of findings does not crowd out one with three."""
    if len(findings) <= size:
        return list(findings)
    by_check: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_check[f.check].append(f)
    chosen: list[Finding] = []
    queues = list(by_check.values())
    while len(chosen) < size:
        for queue in queues:
            if queue and len(chosen) < size:
                chosen.append(queue.pop(0))
    return chosen


# ---------------------------------------------------------------- labels


def load_labels(path: Path) -> list[Label]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    labels = []
    for number, row in enumerate(rows, start=2):
        if row["verdict"] not in VERDICTS:
            print(f"  {path.name}:{number}: verdict {row['verdict']!r} is not one of {VERDICTS}; row left out")
            continue
        labels.append(Label(check=row["check"], path=row["path"], line=int(row["line"]) if row["line"] else None,
                            verdict=row["verdict"], cls=row["class"], reason=row["reason"],
                            message=row["message"][:MESSAGE_CHARS]))
    return labels


class LabelIndex:
    """Labels matched to findings by (check, path, line, message), then (check, path, line) when
    one label has that place, then (check, path, message) when the line moved."""

    def __init__(self, labels: Iterable[Label]) -> None:
        self.labels = list(labels)
        self.exact = {(x.check, x.path, x.line, x.message): x for x in self.labels}
        places: dict[tuple[str, str, int | None], list[Label]] = defaultdict(list)
        for x in self.labels:
            places[(x.check, x.path, x.line)].append(x)
        self.place = {key: found[0] for key, found in places.items() if len(found) == 1}
        self.text = {(x.check, x.path, x.message): x for x in self.labels}

    def match(self, f: Finding) -> Label | None:
        return (self.exact.get((f.check, f.path, f.line, f.short))
                or self.place.get((f.check, f.path, f.line))
                or self.text.get((f.check, f.path, f.short)))


def write_todo(path: Path, repo: Repository, findings: Sequence[Finding]) -> None:
    """Append rows with an empty verdict for the findings to label, to fill in by hand."""
    new = not path.exists()
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        if new:
            writer.writerow(("repository", *LABEL_COLUMNS))
        for f in findings:
            writer.writerow((repo.slug, f.check, f.path, f.line or "", "", "", "", f.short))


# ---------------------------------------------------------------- figures


def judge(repo: Repository, report: dict[str, object], feeds: Feeds, labels: LabelIndex,
          size: int = SAMPLE) -> Outcome:
    findings = parse_findings(report)
    metrics = failing_blocking_metrics(report)
    blocking = blocking_findings(findings, metrics, feeds)
    wanted = (sample(blocking, size) if size else blocking) + findings[:FIRST]
    to_label = list({id(f): f for f in wanted if labels.match(f) is None}.values())
    judged = [label for f in blocking if (label := labels.match(f))]
    verdicts = Counter(label.verdict for label in judged)
    found = {id(label) for f in findings if (label := labels.match(f))}
    trues = [x for x in labels.labels if x.verdict == "true"]
    fed = {m for f in findings if f.active for m in feeds.metrics_of(f.check)}
    return Outcome(
        name=repo.slug, kind=repo.kind, decision=str(report["decision"]), blocking=len(blocking),
        labelled_blocking=verdicts, false_classes=Counter(x.cls for x in judged if x.verdict == "false"),
        true_found=sum(id(x) in found for x in trues), true_total=len(trues),
        missing_true=[x for x in trues if id(x) not in found], to_label=to_label,
        unlabelled_blocking=sum(labels.match(f) is None for f in blocking),
        no_finding_conditions=[m for m in metrics if m not in fed],
    )


def share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def print_outcome(o: Outcome, show: int) -> None:
    labelled = sum(o.labelled_blocking.values())
    print(f"  decision {o.decision}; {o.blocking} blocking findings, {labelled} labelled: "
          f"{o.labelled_blocking['false']} false ({share(o.labelled_blocking['false'], labelled)}), "
          f"{o.labelled_blocking['debatable']} debatable, {o.labelled_blocking['true']} true")
    print(f"  labelled true still found: {o.true_found}/{o.true_total}")
    for label in o.missing_true[:show]:
        print(f"    lost: {label.check} {label.path}:{label.line or ''} ({label.cls})")
    if o.no_finding_conditions:
        print(f"  failing without findings: {', '.join(o.no_finding_conditions)}")
    if o.to_label:
        print(f"  to label next ({len(o.to_label)}; {o.unlabelled_blocking} blocking unlabelled in all):")
        for f in o.to_label[:show]:
            print(f"    {f.check} {f.path}:{f.line or ''} {f.short}")
        if len(o.to_label) > show:
            print(f"    ... and {len(o.to_label) - show} more (--show, --todo FILE)")


def print_shares(title: str, outcomes: Sequence[Outcome]) -> None:
    verdicts: Counter[str] = Counter()
    for o in outcomes:
        verdicts.update(o.labelled_blocking)
    labelled = sum(verdicts.values())
    print(f"  {title}: blocking findings {sum(o.blocking for o in outcomes)}, labelled {labelled}: "
          f"false {verdicts['false']} ({share(verdicts['false'], labelled)}), "
          f"debatable {verdicts['debatable']} ({share(verdicts['debatable'], labelled)}), "
          f"true {verdicts['true']} ({share(verdicts['true'], labelled)})")


def print_overall(outcomes: Sequence[Outcome]) -> None:
    print("\nOverall")
    print(f"  {'repository':40} {'decision':14} {'blocking':>8} {'labelled':>8} {'false':>6} {'recall':>8}")
    for o in outcomes:
        n = sum(o.labelled_blocking.values())
        print(f"  {o.name:40} {o.decision:14} {o.blocking:8} {n:8} "
              f"{share(o.labelled_blocking['false'], n):>6} {o.true_found:>4}/{o.true_total:<3}")
    print_shares("all", outcomes)
    for kind in sorted({o.kind for o in outcomes}):
        print_shares(kind, [o for o in outcomes if o.kind == kind])
    classes: Counter[str] = Counter()
    for o in outcomes:
        classes.update(o.false_classes)
    if classes:
        print("  false blocking findings by class: "
              + ", ".join(f"{name} {count}" for name, count in classes.most_common()))
    print(f"  labelled true still found: {sum(o.true_found for o in outcomes)}/"
          f"{sum(o.true_total for o in outcomes)}")
    print(f"  NO-GO on {sum(o.decision == 'NO_GO' for o in outcomes)} of {len(outcomes)} repositories")


def options(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], help="repository (owner/name, owner+name or name)")
    parser.add_argument("--gonogo-python", default=sys.executable,
                        help="interpreter that imports the gonogo to measure (PYTHONPATH is passed on)")
    parser.add_argument("--corpus-dir", type=Path,
                        default=Path(os.environ.get("GONOGO_CORPUS_DIR", HERE / "snapshots")))
    parser.add_argument("--cache-dir", type=Path, default=HERE / ".cache", help="gonogo's fact cache")
    parser.add_argument("--out", type=Path, default=HERE / "reports", help="where report.json files go")
    parser.add_argument("--reuse", action="store_true", help="judge the reports in --out without scanning")
    parser.add_argument("--show", type=int, default=15, help="findings to label listed per repository")
    parser.add_argument("--sample", type=int, default=SAMPLE,
                        help="blocking findings to label per repository, spread over checks (0: all)")
    parser.add_argument("--todo", type=Path, help="append the findings to label to this CSV")
    parser.add_argument("--prepare", action="store_true", help="extract snapshots from git dirs, then stop")
    parser.add_argument("--git-dirs", type=Path, help="folder holding the git dirs, for --prepare")
    return parser.parse_args(argv)


def chosen(repos: Sequence[Repository], only: Sequence[str]) -> Iterator[Repository]:
    for repo in repos:
        if not only or any(o in (repo.name, repo.slug, repo.name.split("/")[1]) for o in only):
            yield repo


def main(argv: Sequence[str] | None = None) -> int:
    args = options(argv)
    repos = list(chosen(load_corpus(HERE / "corpus.toml"), args.only))
    if args.prepare:
        if args.git_dirs is None:
            print("--prepare needs --git-dirs DIR (the folder holding owner+name.git git dirs)")
            return 0
        prepare(repos, args.git_dirs, args.corpus_dir)
        return 0
    feeds = load_feeds(args.gonogo_python)
    outcomes = []
    for repo in repos:
        print(f"\n{repo.slug} ({repo.kind}, {repo.commit[:10]})")
        root, out = args.corpus_dir / repo.slug, args.out / repo.slug
        if args.reuse and (out / "report.json").is_file():
            report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        elif not root.is_dir():
            print(f"  absent: no snapshot at {root}. Run `python {Path(__file__).name} --prepare "
                  f"--git-dirs DIR` with a git dir of {repo.url} under DIR (README.md says how).")
            continue
        else:
            report = run_gonogo(args.gonogo_python, root, out, args.cache_dir)
            if report is None:
                continue
        labels = LabelIndex(load_labels(HERE / "labels" / f"{repo.slug}.csv"))
        outcome = judge(repo, report, feeds, labels, args.sample)
        print_outcome(outcome, args.show)
        if args.todo:
            write_todo(args.todo, repo, outcome.to_label)
        outcomes.append(outcome)
    print_overall(outcomes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
