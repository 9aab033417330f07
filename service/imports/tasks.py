"""The import's background job (dramatiq; the embedded default's in-process worker runs it)."""
from __future__ import annotations

import dramatiq

import service.jobs  # noqa: F401  (the broker the actor binds to)
from service.imports import runner

# a large file takes minutes; one run at a time per worker thread, never retried (a failed run
# has rolled back and says why)
TIME_LIMIT_MS = 4 * 60 * 60 * 1000


@dramatiq.actor(queue_name="imports", max_retries=0, time_limit=TIME_LIMIT_MS)
def run_import(job_id: int) -> None:
    runner.run(job_id)
