"""``gonogo serve``: a team's readiness server over the run history.

CI uploads its JSON report (``gonogo check . --upload URL``); the server checks the project's
token, validates the report against the shipped JSON Schema and stores it as a run in the same
history tables ``gonogo check`` writes locally (SQLite by default, PostgreSQL for a team). Pages
(server-rendered, no script at all) and a JSON API show every project's latest decision, each
project's decisions and gates over time, a run, and the diff between two runs; a badge shows a
project's decision in a README.

Modules: ``app`` builds the FastAPI application, ``auth`` makes and checks tokens, ``storage``
reads and writes projects and runs, ``upload`` reads and validates a report body, ``views``
turns stored runs into what pages and the API show, ``pages`` and ``api`` are the routes,
``badge`` draws the SVG, ``cli`` is ``gonogo serve``.
"""
