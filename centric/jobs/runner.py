"""Running one job (shared by both backends) and the in-process worker threads."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable

from prometheus_client import Counter, Histogram

from centric import logs
from centric.config import Settings
from centric.db import Database
from centric.jobs import service
from centric.jobs.registry import TASKS, JobContext, PermanentError, load_tasks

log = logging.getLogger("centric.jobs")
# Per task name (a bounded set: the registered tasks, anything else counts as "unknown"); with
# PROMETHEUS_MULTIPROC_DIR shared by the web and worker processes of a machine they add up.
JOB_RUNS = Counter("centric_job_runs_total", "Job attempts finished, by task and outcome (done, retry, failed).",
                   ["task", "outcome"])
JOB_FAILURES = Counter("centric_job_failures_total",
                       "Job attempts that raised (retried or parked as failed), by task.", ["task"])
JOB_SECONDS = Histogram("centric_job_duration_seconds", "Time a job attempt took, by task.", ["task"],
                        buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300))


def worker_name(prefix: str = "w") -> str:
    return f"{prefix}:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def run_job(db: Database, settings: Settings, job_id: int, worker: str) -> str | None:
    """Claim job ``job_id`` and run it; returns the outcome, or None if it was not ours to run.

    A failure schedules a retry with exponential backoff; the last failure parks the job
    (status ``failed``) with its error, to be retried by hand.
    """
    with db.transaction() as session:
        job = service.claim(session, job_id, worker, settings.job_lease_s)
        if job is None:
            return None
        name, payload, attempt = job.name, dict(job.payload or {}), job.attempts
        max_attempts = job.max_attempts or settings.job_max_attempts
    request_id = logs.valid_request_id(str(payload.pop(service.REQUEST_ID_KEY, "") or "") or None)
    with logs.request_context(request_id):
        return _perform(db, settings, job_id, worker, name, payload, attempt, max_attempts)


def _perform(db: Database, settings: Settings, job_id: int, worker: str, name: str, payload: dict,
             attempt: int, max_attempts: int) -> str:
    task = TASKS.get(name)
    label = name if task is not None else "unknown"
    started = time.perf_counter()
    try:
        if task is None:
            raise PermanentError(f"unknown task {name!r} (is its module installed on this worker?)")
        task.handler(JobContext(db, settings, job_id, attempt, max_attempts), payload)
    except Exception as exc:  # noqa: BLE001 — any failure of a handler is recorded, never lost
        permanent = isinstance(exc, PermanentError) or attempt >= max_attempts
        error = f"{type(exc).__name__}: {exc}"
        log.warning("job %s (%s) attempt %s/%s failed: %s", job_id, name, attempt, max_attempts, error,
                    extra={"job_id": job_id, "task": name, "attempt": attempt})
        log.debug("%s", traceback.format_exc())
        delay = None if permanent else service.backoff_s(attempt, settings.job_retry_base_s, settings.job_retry_max_s)
        with db.transaction() as session:
            service.record_failure(session, job_id, worker, error, retry_in_s=delay)
        outcome = "failed" if permanent else "retry"
        JOB_FAILURES.labels(label).inc()
    else:
        with db.transaction() as session:
            service.finish(session, job_id, worker)
        outcome = "done"
    elapsed = time.perf_counter() - started
    JOB_RUNS.labels(label, outcome).inc()
    JOB_SECONDS.labels(label).observe(elapsed)
    log.info("job %s (%s) %s", job_id, name, outcome,
             extra={"job_id": job_id, "task": name, "attempt": attempt, "outcome": outcome,
                    "duration_ms": round(elapsed * 1000, 1)})
    return outcome


class LocalWorker:
    """Worker threads in this process that take due jobs from the ``job`` table.

    The embedded default: no broker, jobs survive a restart because they live in the
    database; several processes may run workers on the same database safely (a job is
    claimed by one conditional UPDATE).
    """

    def __init__(self, db: Database, settings: Settings, threads: int | None = None,
                 on_outcome: Callable[[int, str], None] | None = None) -> None:
        load_tasks()
        self.db, self.settings = db, settings
        self.threads = settings.job_workers if threads is None else threads
        self.name = worker_name("local")
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._workers: list[threading.Thread] = []
        self._on_outcome = on_outcome

    def start(self) -> LocalWorker:
        for index in range(max(self.threads, 1)):
            thread = threading.Thread(target=self._loop, name=f"centric-job-{index}", daemon=True)
            thread.start()
            self._workers.append(thread)
        return self

    def wake(self) -> None:
        """Look for due jobs now instead of at the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._workers:
            thread.join(timeout)
        self._workers.clear()

    def run_due(self, limit: int = 100) -> int:
        """Run due jobs in the calling thread until none is left (or ``limit``); returns how many ran."""
        ran = 0
        while ran < limit:
            job_id = self._next_due()
            if job_id is None:
                return ran
            if self._run(job_id) is not None:
                ran += 1
        return ran

    def _next_due(self) -> int | None:
        with self.db.transaction() as session:
            service.reclaim_expired(session)
            ids = service.due_job_ids(session, limit=1)
        return ids[0] if ids else None

    def _run(self, job_id: int) -> str | None:
        outcome = run_job(self.db, self.settings, job_id, f"{self.name}:{threading.get_ident()}")
        if outcome is not None and self._on_outcome is not None:
            self._on_outcome(job_id, outcome)
        return outcome

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                job_id = self._next_due()
                if job_id is not None:
                    self._run(job_id)
                    continue
            except Exception:  # noqa: BLE001 — a database hiccup must not kill the worker
                log.exception("job worker error; retrying after a pause")
            self._wake.wait(self.settings.job_poll_s)
            self._wake.clear()
