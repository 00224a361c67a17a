"""Background jobs: a ``@task`` registry, ``enqueue`` inside a transaction, two real backends.

- embedded (default): :class:`LocalWorker` threads in the web process or ``centric worker``
  take due jobs from the ``job`` table;
- distributed: with ``CENTRIC_QUEUE_URL`` (Redis or RabbitMQ), ``centric worker`` on any
  number of machines runs :class:`~centric.jobs.queue.QueueBackend` (Dramatiq).

Either way jobs are rows first, so they survive restarts and run at least once; failures
are retried with exponential backoff and parked as ``failed`` after the last attempt.
"""

from __future__ import annotations

from centric.config import Settings
from centric.db import Database
from centric.jobs.registry import TASKS, JobContext, PermanentError, load_tasks, task
from centric.jobs.runner import LocalWorker, run_job
from centric.jobs.service import enqueue, get_job, list_jobs, retry

__all__ = [
    "TASKS", "JobContext", "LocalWorker", "PermanentError", "enqueue", "get_job",
    "list_jobs", "load_tasks", "retry", "run_job", "start_embedded", "task",
]


def start_embedded(db: Database, settings: Settings) -> LocalWorker | None:
    """Start in-process worker threads for the web app, unless a queue or 0 workers is configured.

    Call it at app start-up and ``stop()`` the result at shutdown.
    """
    if settings.queue_url or settings.job_workers == 0:
        return None
    return LocalWorker(db, settings).start()
