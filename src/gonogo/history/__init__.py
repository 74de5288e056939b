"""Run history: every ``gonogo check`` remembered, so runs can be listed, compared and trusted.

``store`` keeps runs in a SQL database (SQLite by default, PostgreSQL for a team) through
SQLAlchemy 2, its schema created and upgraded by Alembic; ``provenance`` says which repository,
commit and branch a run judged; ``diff`` compares two runs by finding fingerprint; ``validity``
says whether the last decision still holds. Nothing here feeds a decision: history is read
after the verdict, never before it.
"""
