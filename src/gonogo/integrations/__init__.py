"""What a CI system needs from a finished report, beyond the report files: a job summary,
annotations, step outputs. Pure functions; the CLI (``gonogo ci ...``) reads the environment and
writes the files."""
