"""Claims: a hand-written readiness document read as facts and judged.

The flow is one way, like the scan's: ``document`` (bytes to repaired text) -> ``structure``
(Markdown lines classified from markdown-it tokens) -> ``extract`` (claims, each with its line and
exact phrase) -> ``checks`` (CLM judgements, pure functions of claims and evidence) -> ``render``.
``evidence`` is the only part that reads the repository or a report.
"""
