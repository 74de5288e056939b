"""The environment contract (OPS020): every setting the product code cannot start without is
provided or documented somewhere a deployer looks. Names and places only, never values."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from gonogo.collectors.env_contract import STANDARD, EnvContract, Requirement
from gonogo.grouping import Grouping, plural
from gonogo.model import Category, Finding, Severity
from gonogo.registry import CheckOutput, NotApplicable, check, fail


def plan_settings(findings: Sequence[Finding]) -> Grouping:
    """One action naming every setting to declare."""
    names = sorted({f.key for f in findings})
    listed = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    title = f"declare {plural(len(names), 'required setting')} in .env.example and the deployment manifests"
    yield f"{title}: {listed}", findings


@check(
    "OPS020",
    "Required settings are provided or documented",
    category=Category.OPERATIONS,
    severity=Severity.LOW,
    plan=plan_settings,
)
def unprovided_settings(env_contract: EnvContract) -> Iterator[CheckOutput]:
    """Why: a setting the code requires (``os.environ["AUDIT_SIGNING_KEY"]``, a pydantic
    ``BaseSettings`` field with no default, ``env("X")`` or ``config("X")`` with no default) that no
    ``.env.example``, compose file, Kubernetes manifest, CI workflow, Dockerfile or document
    names is found by the first deployment that crashes without it. Matching is by name across the
    repository, so a setting a platform injects from outside it (a secret store, a PaaS) reads as
    unprovided; this rule cannot be precise, so it stays low and out of every gate. On the corpus
    (seven services) it reports nothing: the one false-alarm class seen, a read guarded by
    ``"X" in os.environ``, is not counted, nor is ``os.getenv("X")``, which returns ``None``.
    Values are never read.
    Fix: add the name (with a placeholder, never the value) to ``.env.example`` and the
    deployment manifests, or give it a default in code."""
    if not env_contract.required:
        raise NotApplicable("the code requires no setting from the environment")
    provided = {name.upper() for name in env_contract.provided | env_contract.set_in_code}
    readers: dict[str, list[Requirement]] = defaultdict(list)
    for requirement in env_contract.required:
        if requirement.name.upper() not in provided and requirement.name.upper() not in STANDARD:
            readers[requirement.name].append(requirement)
    looked = ", ".join(env_contract.places[:6]) + (
        f" and {len(env_contract.places) - 6} more" if len(env_contract.places) > 6 else ""
    )
    for name, where in sorted(readers.items()):
        first = where[0]
        more = f" (and {len(where) - 1} more)" if len(where) > 1 else ""
        yield fail(
            f"{name} required by {first.file.display}:{first.line} ({first.how}){more}, "
            f"provided by none of: {looked or 'no .env example, compose, Kubernetes, CI file or document'}",
            at=first.file.at(first.line),
            key=name,
        )
