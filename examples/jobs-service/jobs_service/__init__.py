"""A small job-orchestration service: jobs in PostgreSQL, a queue in Redis (gonogo's example)."""
