"""``gonogo check --claims DOC.md``: a readiness document's claims as one more check result of the
report, so every reporter shows the claims table. The decision is left as the scan made it: a
document's claims are judged by the evidence, they do not add to it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence

from gonogo.certification import claims_risk, ranked
from gonogo.claims.checks import CLAIM_CHECKS, claim_check
from gonogo.claims.evidence import Evidence
from gonogo.claims.model import Claim, Judgement, Status
from gonogo.model import Category, Certification, CheckResult, Finding, Location, Outcome, Report, Severity, Table


@claim_check("CLM100", "The readiness document's claims about gated metrics hold")
def gated_claims(claims: Sequence[Claim], evidence: Evidence) -> Iterator[Judgement]:
    """Why: with `gonogo check --claims DOC.md`, the document handed to the decision maker is
    judged by the same scan. A claim it makes about a metric that one of the report's gates
    reads, and that the scan contradicts, is a finding here; every claim is listed in the
    table. The decision is not changed: the gates already read the measured value.

    Fix: correct the document to the measured value, or fix what the gate measures."""
    return iter(())


def gated_metrics(report: Report) -> frozenset[str]:
    return frozenset(c.condition.metric for g in report.gates for c in g.conditions)


def with_claims(report: Report, document: str, judgements: Sequence[Judgement]) -> Report:
    """``report`` with a CLM100 result: the claims table, and findings for contradicted claims
    about a gated metric."""
    spec = CLAIM_CHECKS["CLM100"]
    gated = gated_metrics(report)
    findings = tuple(
        Finding(
            check_id=spec.id,
            severity=Severity.MEDIUM,
            message=f"the document claims {j.claimed}; the scan measured {j.measured}",
            location=Location(path=document, line=j.claim.line),
            evidence=j.claim.text,
            key=f"{j.claim.metric}:{j.claim.text}",
        )
        for j in judgements
        if j.status is Status.CONTRADICTED and j.claim.metric in gated
    )
    table = Table(
        title=f"Claims of {document}",
        columns=("Line", "Status", "Check", "Claim", "Measured"),
        rows=tuple((str(j.claim.line), j.status.value, j.check_id, j.claim.text, j.measured or "-")
                   for j in judgements),
    )
    result = CheckResult(
        check_id=spec.id, title=spec.title, category=Category.CLAIMS, severity=Severity.MEDIUM,
        outcome=Outcome.FAIL if findings else Outcome.PASS, score=None, findings=findings, tables=(table,),
    )
    return dataclasses.replace(report, checks=(*report.checks, result), certification=_with_claims_risk(
        report.certification, document, judgements))


def _with_claims_risk(
    certification: Certification | None, document: str, judgements: Sequence[Judgement]
) -> Certification | None:
    """The risk register with the document's contradicted or unverifiable claims in it."""
    risk = claims_risk(
        document,
        contradicted=sum(j.status in (Status.CONTRADICTED, Status.INCONSISTENT) for j in judgements),
        unverifiable=sum(j.status is Status.UNVERIFIABLE for j in judgements),
    )
    if certification is None or risk is None:
        return certification
    return dataclasses.replace(certification, risks=ranked((*certification.risks, risk)))
