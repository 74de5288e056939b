"""Code security (SAST): one check per kind of weakness, fed by ruff's bandit rules and our own.

Each finding carries the rule that saw it (``S602``, ``GNG608``), bandit's test id, a severity and
a confidence of its own, and a CWE, in its data. The per-severity metrics across all these checks
(``security.high``...) are counted by ``security_metrics`` once suppressions, baselines and waivers
are applied, so a gate judges only what is still open.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from gonogo.collectors.hash_use import HashUse
from gonogo.collectors.manifests import ManifestFacts
from gonogo.collectors.sast import UNSCANNED_RULE, SastFacts, SastHit
from gonogo.collectors.secrets import SecretFacts
from gonogo.collectors.tooling import ToolingFacts
from gonogo.grouping import Grouping, count_files, plural
from gonogo.model import Category, CheckResult, Finding, Location, Outcome, Severity
from gonogo.registry import CheckOutput, Failure, NotApplicable, check, fail, pooled_views, tally

SECURITY_COUNTS = ("findings", "high", "medium", "low", "high_high_confidence")
SAST_CHECKS = (
    "SEC001", "SEC002", "SEC003", "SEC004", "SEC005", "SEC006", "SEC007", "SEC008",
    "SEC009", "SEC010", "SEC011", "SEC012", "SEC013", "SEC014", "SEC015",
)


PYCRYPTO_RULE = "S413"
"""Bandit's B413: an import of the ``Crypto`` package, which pycrypto and pycryptodome both install."""
OTHER_PATTERNS = "SEC015"
"""The check that reports the rules the rule table does not assign (a rule newer than the table)."""


def _by_rule(findings: Sequence[Finding]) -> Grouping:
    """One action per rule: "S602: subprocess call with shell=True - fix 3 places in 2 files"."""
    groups: dict[str, list[Finding]] = {}
    for item in findings:
        groups.setdefault(str(item.get("rule", "?")), []).append(item)
    for rule, members in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        files = count_files(members)
        first = members[0].message.split(" (", 1)[0]
        yield (
            f"{rule}: {first.rstrip('.')} - fix {plural(len(members), 'place')} in "
            f"{plural(files, 'file')}",
            members,
        )


def report(
    sast: SastFacts,
    check_id: str,
    judges: Mapping[str, Callable[[SastHit], str | None]] | None = None,
    tooling: ToolingFacts | None = None,
) -> Iterator[CheckOutput]:
    """The findings of the rules ``check_id`` reports, one per hit; ``judges``, by rule code, says
    why a hit of that rule is low (see :func:`finding`), or ``None`` to leave it as bandit rates it.
    With ``tooling``, a hit in a maintainer's tool is low too (:func:`tooling_judgement`)."""
    if not sast.files:
        raise NotApplicable("no Python files")
    for hit in sast.hits:
        if (hit.rule.check or OTHER_PATTERNS) == check_id:
            judge = judges.get(hit.rule.code) if judges else None
            judged = judge(hit) if judge is not None else None
            yield finding(hit, judged or tooling_judgement(hit, tooling))


def tooling_judgement(hit: SastHit, tooling: ToolingFacts | None) -> str | None:
    """Why a hit in maintainer tooling (``collectors/tooling.py``: a script of a top-level
    ``scripts/`` or ``tools/`` folder that no package, image or build manifest ships and no other
    file runs) is low: the command, query or code it builds comes from the maintainer who runs it
    by hand. ``None`` elsewhere, for a hit already low, and when the tooling could not be told."""
    folder = tooling.folder_of(hit.path) if tooling is not None and hit.severity is not Severity.LOW else None
    if folder is None:
        return None
    return (
        f"in {folder}/, maintainer tooling that nothing ships or runs (no package, image or build "
        "manifest takes the folder, no other file names the script): its input is the maintainer's own"
    )


def finding(hit: SastHit, judged: str | None = None) -> CheckOutput:
    """The hit as a finding; ``judged`` says why it is low whatever bandit rates it."""
    if judged is None and hit.hash_use is not None:
        judged = hash_judgement(hit.hash_use)
    severity = Severity.LOW if judged is not None else hit.severity
    data: dict[str, object] = {
        "rule": hit.rule.code,
        "confidence": hit.confidence,
        "tool": "gonogo" if hit.rule.code.startswith("GNG") else "ruff",
    }
    if hit.rule.bandit:
        data["bandit"] = hit.rule.bandit
    if hit.rule.cwe:
        data["cwe"] = hit.rule.cwe
    if hit.suppressed_by:
        data["in_code_suppression"] = hit.suppressed_by
    if judged is not None:
        data["judged_low"] = judged
    if hit.in_test_code:
        data["in_test_code"] = True
    levels = f"{hit.rule.code}, {severity.value} severity, {hit.confidence} confidence"
    if judged is not None:
        levels += f": {judged}; bandit rates it {hit.severity.value}"
    if hit.in_test_code:
        levels += "; in test code, which does not ship: reported, never blocking"
    return fail(
        f"{hit.message} ({levels})",
        at=Location(path=hit.path, line=hit.line, column=hit.column, end_line=hit.end_line),
        severity=severity,
        evidence=hit.evidence,
        key=hit.rule.code,
        **data,
    )


PROTECTED_WORDS = frozenset(
    {
        "password", "passwd", "pwd", "pass", "passphrase", "secret", "token", "signature", "sign", "signed",
        "auth", "authenticate", "credential", "credentials", "otp", "apikey", "hmac",
    }
)
"""Words in a name that say a hash protects something: a password, a token, a signature."""
PURPOSE_WORDS = {
    "cache": "a cache key", "etag": "an ETag", "checksum": "a checksum", "dedup": "de-duplication",
    "dedupe": "de-duplication", "duplicate": "de-duplication", "unique": "a unique key",
    "fingerprint": "a fingerprint", "label": "a label",
    "filename": "a file name", "lookup": "a lookup key", "bucket": "a bucket key", "shard": "sharding",
    "pwned": "a Pwned Passwords range query, whose API takes a SHA-1 prefix",
}
"""Words in the receiving name or the function's name that say what a digest is for instead.
``pwned``: Have I Been Pwned's k-anonymity API is asked for the first five hex digits of a
password's SHA-1 (indico's ``check_password_pwned``); the protocol fixes the hash, and the digest
is sent, never stored."""


def hash_judgement(use: HashUse) -> str | None:
    """Why a weak-hash call protects nothing (so its finding is low), or ``None`` when it does.

    Blocking only where the hash protects something: inside a Django password hasher, or where
    the names it hashes, the name it is stored in, or the function that returns it say password,
    secret, token, signature or auth (a function merely containing the call, such as a rate limit
    in ``authorize_login_password``, says nothing about the digest). An HMAC's digest, a value
    named for a cache key, an ETag, a checksum or de-duplication, a digest passed straight into an
    HTTP request (Flexget's BetaSeries login sends ``md5(password)``, as that API requires) or
    made in a function that writes Have I Been Pwned's range URL (liberapay's ``check_password``), and a
    hash whose names say nothing of a secret are reported at low severity with this reason. A guess from names: it can
    miss a password hashed under an unhelpful name, which is why the finding stays visible."""
    if use.password_hasher:
        return None
    if use.hmac:
        return "the digest of an HMAC, which SHA-1 and MD5 do not break"
    if use.sent:
        return "sent in an HTTP request: the remote API's protocol chooses the hash, this code stores none"
    if use.pwned_range:
        return f"used for {PURPOSE_WORDS['pwned']}"
    purpose = next((PURPOSE_WORDS[w] for w in (*use.target_words, *use.function_words) if w in PURPOSE_WORDS), None)
    if purpose is not None:
        return f"used for {purpose}, not to protect a secret"
    named = (*use.argument_words, *use.target_words, *(use.function_words if use.returned else ()))
    if PROTECTED_WORDS.isdisjoint(named):
        return "no name around it says password, secret, token, signature or auth"
    return None


@check("SEC001", "No OS command is built from input or run through a shell",
       category=Category.SECURITY, severity=Severity.HIGH, plan=_by_rule)
def command_injection(sast: SastFacts, tooling: ToolingFacts | None) -> Iterator[CheckOutput]:
    """Why: a shell command assembled from input lets whoever controls the input run anything
    (CWE-78); ``shell=True``, ``os.system`` and partial executable paths are how it happens.
    A script of a top-level ``scripts/`` or ``tools/`` folder that no package, image or build
    manifest ships and no other file of the repository runs is a maintainer's tool, run by hand
    on the maintainer's own input: its findings are reported at low severity with that reason
    (taiga-back's ``scripts/manage_translations.py``).
    Fix: pass an argument list to ``subprocess.run`` without ``shell=True``, with an absolute
    executable path; never put untrusted text in a command string."""
    yield from report(sast, "SEC001", tooling=tooling)


@check("SEC002", "No SQL query is assembled from strings", category=Category.SECURITY,
       severity=Severity.HIGH, plan=_by_rule)
def sql_injection(sast: SastFacts, tooling: ToolingFacts | None) -> Iterator[CheckOutput]:
    """Why: SQL built with f-strings, ``%``, ``+`` or ``.format()`` lets input rewrite the query
    (CWE-89), the injection behind most data breaches. In a maintainer's tool that nothing ships
    or runs (see SEC001) the input is the maintainer's own: reported at low severity.
    Fix: pass values as query parameters (``cursor.execute("... WHERE id = %s", (id,))``) or use
    the ORM's query builder; never format values into SQL text."""
    yield from report(sast, "SEC002", tooling=tooling)


@check("SEC003", "No broken hash, cipher or short key protects data", category=Category.SECURITY,
       severity=Severity.HIGH, plan=_by_rule)
def weak_crypto(sast: SastFacts, manifests: ManifestFacts | None) -> Iterator[CheckOutput]:
    """Why: MD5, SHA-1, DES, RC4, ECB mode and short RSA/DSA keys are broken (CWE-327, CWE-326):
    what they protect can be forged or read; pycrypto is unmaintained with known overflows.
    A weak hash is judged by its use: it keeps bandit's high severity only where it protects
    something (a password, token, signature or auth value by the names around it, or a Django
    password hasher); an HMAC's digest, a cache key, an ETag, a checksum, a de-duplication key,
    the SHA-1 a Pwned Passwords query sends, or a digest passed straight into an HTTP request (the
    remote API's protocol chooses that hash) is reported at low severity with the reason, outside
    the blocking gate, because the judgement reads names and can be wrong. An import of ``Crypto``
    (S413, bandit's B413) where the workspace declares pycryptodome and not pycrypto is
    pycryptodome's: its maintained drop-in successor
    installs the same package, so the import is reported at low severity with that reason (when
    the manifests cannot be read, every such import keeps bandit's severity).
    Fix: SHA-256 or better (``usedforsecurity=False`` where a hash is not for security), AES-GCM
    from ``cryptography``, RSA keys of 2048 bits or more."""
    successor = _pycrypto_successor(manifests)
    yield from report(sast, "SEC003", {PYCRYPTO_RULE: lambda hit: successor})


def _pycrypto_successor(manifests: ManifestFacts | None) -> str | None:
    """Why the workspace's ``Crypto`` imports are pycryptodome's (BookWyrm declares
    ``pycryptodome==3.20.0`` and imports ``Crypto.PublicKey.RSA``), or ``None`` when pycrypto
    itself, or neither, is declared, or the manifests could not be read: then the import may be
    pycrypto's and keeps its severity."""
    if manifests is None:
        return None
    declared = {d.name: d for m in manifests.manifests for d in m.dependencies if d.ecosystem == "PyPI"}
    found = declared.get("pycryptodome")
    if found is None or "pycrypto" in declared:
        return None
    return f"pycryptodome, pycrypto's maintained successor, provides Crypto ({found.file.display})"


@check("SEC004", "TLS and SSH connections verify the peer", category=Category.SECURITY,
       severity=Severity.HIGH, plan=_by_rule)
def unverified_transport(sast: SastFacts) -> Iterator[CheckOutput]:
    """Why: ``verify=False``, unverified SSL contexts, SSLv2/3 and TLS 1.0, and trusting unknown
    SSH host keys let anyone on the path read and change the traffic (CWE-295).
    Fix: keep certificate verification on (point ``verify`` at a CA bundle if needed), use
    ``ssl.create_default_context()``, load known SSH host keys."""
    yield from report(sast, "SEC004")


@check("SEC005", "No untrusted data is deserialised with pickle, marshal or yaml.load",
       category=Category.SECURITY, severity=Severity.HIGH, plan=_by_rule)
def unsafe_deserialisation(sast: SastFacts) -> Iterator[CheckOutput]:
    """Why: unpickling or ``yaml.load`` of data an attacker controls runs their code (CWE-502).
    Fix: exchange JSON, use ``yaml.safe_load``; unpickle only data this process wrote itself."""
    yield from report(sast, "SEC005")


@check("SEC006", "No code is executed from strings (eval, exec)", category=Category.SECURITY,
       severity=Severity.HIGH, plan=_by_rule)
def code_execution(sast: SastFacts, tooling: ToolingFacts | None) -> Iterator[CheckOutput]:
    """Why: ``eval`` and ``exec`` of text that input can reach is remote code execution (CWE-78,
    CWE-95). In a maintainer's tool that nothing ships or runs (see SEC001) the input is the
    maintainer's own: reported at low severity.
    Fix: ``ast.literal_eval`` for literals, a dispatch table for names, a parser for expressions."""
    yield from report(sast, "SEC006", tooling=tooling)


@check("SEC007", "XML from outside is parsed with defusedxml", category=Category.SECURITY,
       severity=Severity.MEDIUM, plan=_by_rule)
def xml_parsing(sast: SastFacts) -> Iterator[CheckOutput]:
    """Why: the standard library's XML parsers and lxml expand entities: billion-laughs and
    external-entity attacks read files or exhaust memory (CWE-20, CWE-611).
    Fix: use ``defusedxml`` equivalents (``defusedxml.ElementTree.fromstring``)."""
    yield from report(sast, "SEC007")


@check("SEC008", "Templates escape what they render", category=Category.SECURITY,
       severity=Severity.HIGH, plan=_by_rule)
def cross_site_scripting(sast: SastFacts) -> Iterator[CheckOutput]:
    """Why: Jinja2 without autoescape, Mako, ``mark_safe`` and ``Markup`` on input let a user's
    text become script in another user's browser (CWE-79).
    Fix: ``autoescape=select_autoescape()``; mark only constant markup safe; escape the rest."""
    yield from report(sast, "SEC008")


@check("SEC009", "No password is written into the code", category=Category.SECURITY,
       severity=Severity.LOW, plan=_by_rule)
def hardcoded_passwords(sast: SastFacts, secrets: SecretFacts) -> Iterator[CheckOutput]:
    """Why: a password in the source is in every clone and every backup, and cannot be rotated
    without a release (CWE-259). Test code is not judged by this check, and a line SEC020 already
    reports as a committed credential is not reported twice.
    Fix: read it from the environment or a secret manager at run time."""
    known = {(hit.path, hit.line) for hit in secrets.hits}
    for item in report(sast, "SEC009"):
        if not (isinstance(item, Failure) and item.at and (item.at.path, item.at.line) in known):
            yield item


@check("SEC010", "No assert guards behaviour in product code", category=Category.SECURITY,
       severity=Severity.LOW, plan=_by_rule)
def assert_used(sast: SastFacts) -> Iterator[CheckOutput]:
    """Why: ``python -O`` removes asserts, so a check written as ``assert`` vanishes in optimised
    runs (CWE-703). Test code, where assert is the point, is not judged.
    Fix: ``if not condition: raise ValueError(...)`` for checks that must hold in production."""
    yield from report(sast, "SEC010")


@check("SEC011", "Files, temporary files and archives are handled safely",
       category=Category.SECURITY, severity=Severity.MEDIUM, plan=_by_rule)
def file_handling(sast: SastFacts) -> Iterator[CheckOutput]:
    """Why: world-writable modes, fixed paths under /tmp, ``mktemp`` and ``extractall`` on
    untrusted archives let another user or an archive write where it should not (CWE-732,
    CWE-377, CWE-22).
    Fix: ``0o600``/``0o700`` modes, the ``tempfile`` module's ``mkstemp``/``TemporaryDirectory``,
    ``extractall(filter="data")``."""
    yield from report(sast, "SEC011")


@check("SEC012", "Services use secure protocols, timeouts and no debug mode",
       category=Category.SECURITY, severity=Severity.MEDIUM, plan=_by_rule)
def network_services(sast: SastFacts) -> Iterator[CheckOutput]:
    """Why: Telnet and FTP send credentials in clear, binding to 0.0.0.0 exposes a service to
    every network, a request without timeout hangs a worker forever, Flask's debugger runs code
    for whoever reaches it (CWE-319, CWE-605, CWE-400, CWE-94). Two uses of ``ftplib`` that bandit's
    B321 (ruff's S321) names are reported at low severity with the reason: an ``except`` clause
    naming its errors (``except ftplib.all_errors:``), which connects to nothing, and ``FTP_TLS``,
    FTP over TLS, whose credentials do not travel in clear.
    Fix: SSH/SFTP/HTTPS, bind to the interface you mean, pass ``timeout=``, ``debug=False``."""
    yield from report(sast, "SEC012", {FTP_RULE: _ftp_judgement})


FTP_RULE = "S321"
"""Bandit's B321: any use of ``ftplib``, an import's name included."""
_EXCEPT_CLAUSE = re.compile(r"except\b[^:#]*:[ \t]*(?:#.*)?")
_PLAIN_FTP_CALL = re.compile(r"\bFTP[ \t]*\(")


def _ftp_judgement(hit: SastHit) -> str | None:
    """Why an ``ftplib`` use on this line sends nothing in clear (``None`` when it may): the line is
    an ``except`` clause alone (luigi's ``except ftplib.all_errors:``), or it names ``FTP_TLS`` and
    no plain ``FTP(`` (luigi's ``ftplib.FTP_TLS()``, Flexget's ``class FTP_TLS(ftplib.FTP_TLS)``)."""
    line = hit.evidence.strip()
    if _EXCEPT_CLAUSE.fullmatch(line):
        return "an except clause naming ftplib's errors: it connects to nothing"
    if "FTP_TLS" in line and not _PLAIN_FTP_CALL.search(line):
        return "FTP_TLS, FTP over TLS: the credentials do not travel in clear"
    return None


@check("SEC013", "Secrets and tokens come from a cryptographic random source",
       category=Category.SECURITY, severity=Severity.LOW, plan=_by_rule)
def weak_random(sast: SastFacts) -> Iterator[CheckOutput]:
    """Why: the ``random`` module is predictable; tokens made with it can be guessed (CWE-330).
    Test code is not judged.
    Fix: the ``secrets`` module (``secrets.token_urlsafe()``) for anything security-related."""
    yield from report(sast, "SEC013")


@check("SEC014", "No exception is silently swallowed", category=Category.SECURITY,
       severity=Severity.LOW, plan=_by_rule)
def swallowed_exceptions(sast: SastFacts) -> Iterator[CheckOutput]:
    """Why: ``except: pass`` hides failures, including the ones an attacker causes on purpose
    (CWE-703). Test code is not judged.
    Fix: catch the narrowest exception and log it, or let it propagate."""
    yield from report(sast, "SEC014")


@check("SEC015", "No other known insecure code pattern", category=Category.SECURITY,
       severity=Severity.MEDIUM, plan=_by_rule)
def other_patterns(sast: SastFacts) -> Iterator[CheckOutput]:
    """Why: ruff's flake8-bandit rules that no other SEC check covers, such as rules added in a
    newer ruff, still describe known weaknesses.
    Fix: follow the rule's documentation (``ruff rule CODE``)."""
    yield from report(sast, OTHER_PATTERNS)


def _counted_as(finding: Finding) -> tuple[bool, bool]:
    """What ``security_metrics`` makes of a finding besides its severity: whether its file went
    unscanned, and whether it counts as high-confidence product code."""
    return (
        finding.get("rule") == UNSCANNED_RULE,
        finding.get("confidence") == "high" and not finding.get("in_test_code"),
    )


def _security_counts(views: Counter[tuple[Any, ...]]) -> dict[str, float | None]:
    """``security_metrics`` from how many of the SAST checks' findings have each view
    (severity, active, ``_counted_as``): the pooled form blocking asks again without some."""
    counts = dict.fromkeys(SECURITY_COUNTS, 0.0)
    unscanned = 0
    for (level, active, (not_scanned, product_high_confidence)), number in views.items():
        if not active:
            continue
        unscanned += not_scanned * number
        counts["findings"] += number
        if level in (Severity.CRITICAL, Severity.HIGH):
            counts["high"] += number
            if product_high_confidence:
                counts["high_high_confidence"] += number
        elif level is Severity.MEDIUM:
            counts["medium"] += number
        else:
            counts["low"] += number
    metrics: dict[str, float | None] = {f"security.{name}": value for name, value in counts.items()}
    if unscanned and not counts["high_high_confidence"]:
        metrics["security.high_high_confidence"] = None  # could not tell: the unscanned code may hold one
    return metrics


@tally(
    *SAST_CHECKS,
    metrics=tuple(f"security.{name}" for name in SECURITY_COUNTS),
    sees=_counted_as,
    pooled=_security_counts,
)
def security_metrics(results: Sequence[CheckResult]) -> dict[str, float | None]:
    """``security.findings/high/medium/low`` and ``security.high_high_confidence`` over the SAST
    checks' active findings; unknown when any of them could not tell; absent when none ran.
    A finding in test code counts in every total but ``high_high_confidence``: test code does not
    ship, so its ``verify=False`` against a local proxy or pickle round-trip never blocks a
    release (on the precision corpus every such finding was judged false as a blocker).
    A file ruff failed on (``GNG000``) leaves ``high_high_confidence`` unknown only while no other
    file has such a finding: a hostile file can hide its own code, never another file's finding."""
    ran = [r for r in results if r.check_id in SAST_CHECKS]
    names = SECURITY_COUNTS
    if not ran:
        return {}
    if any(r.outcome is Outcome.UNKNOWN for r in ran):
        return {f"security.{name}": None for name in names}
    return _security_counts(pooled_views(ran, _counted_as))
