"""The distributed backend: Dramatiq on Redis or RabbitMQ (``CENTRIC_QUEUE_URL``).

The ``job`` table stays the source of truth. A relay thread in every ``centric worker``
sends each due job's id to the broker once (one conditional UPDATE decides which relay),
and Dramatiq workers on any number of machines claim and run it. Messages lost with a
broker restart are sent again after ``REDISPATCH_S``; duplicates are harmless because a
job is claimed at most once per attempt. While the broker is down nothing is lost and
nothing else stops: web processes only insert rows, a send the broker refuses leaves its
job undispatched, and the relay sends it on its first pass after the broker is back.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import dramatiq
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.brokers.redis import RedisBroker

from centric.config import Settings
from centric.db import Database, utcnow
from centric.errors import Invalid
from centric.jobs import service
from centric.jobs.registry import load_tasks
from centric.jobs.runner import run_job, worker_name

log = logging.getLogger("centric.jobs")
ACTOR = "centric_run_job"
REDISPATCH_S = 60
RELAY_MAX_PAUSE_S = 2.0


def make_broker(url: str, namespace: str = "centric") -> dramatiq.Broker:
    """A Redis or RabbitMQ broker for ``url``; Dramatiq's own retries are off (we keep our own)."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisBroker(url=url, namespace=namespace)
    if url.startswith(("amqp://", "amqps://")):
        return RabbitmqBroker(url=url, confirm_delivery=True)
    raise Invalid("CENTRIC_QUEUE_URL must start with redis:// or amqp://", field="queue_url")


class QueueBackend:
    """A broker, its actor and a relay; ``start_worker`` also consumes on this machine."""

    def __init__(self, db: Database, settings: Settings, broker: dramatiq.Broker | None = None,
                 queue_name: str | None = None, redispatch_s: float = REDISPATCH_S) -> None:
        load_tasks()
        self.db, self.settings = db, settings
        self.broker = broker or make_broker(settings.queue_url)
        self.queue_name = queue_name or settings.queue_name
        self.redispatch_s = redispatch_s
        self.name = worker_name("queue")
        # The keyword-only form returns a decorator; applying it is what ``actor(fn, ...)`` does.
        as_actor = dramatiq.actor(
            broker=self.broker, actor_name=f"{ACTOR}_{self.queue_name}",
            queue_name=self.queue_name, max_retries=0, time_limit=settings.job_lease_s * 1000,
        )
        self.actor = as_actor(self._perform)
        self._stop = threading.Event()
        self._relay: threading.Thread | None = None
        self._worker: dramatiq.Worker | None = None

    def _perform(self, job_id: int) -> None:
        run_job(self.db, self.settings, job_id, f"{self.name}:{threading.get_ident()}")

    def relay_once(self, limit: int = 500) -> int:
        """Send every due, not yet dispatched job to the broker; returns how many were sent."""
        stale = utcnow() - timedelta(seconds=self.redispatch_s)
        with self.db.transaction() as session:
            service.reclaim_expired(session)
            ids = service.due_job_ids(session, limit, undispatched_since=stale)
        sent = 0
        for job_id in ids:
            with self.db.transaction() as session:
                if not service.mark_dispatched(session, job_id, stale):
                    continue
            # Sent after the commit: a crash in between leaves the job to the pass after REDISPATCH_S.
            try:
                self.actor.send(job_id)
            except Exception:
                # The broker is down: the job stays queued and undispatched in the table (fail
                # closed: nothing is lost) and goes out on the first pass after the broker is back.
                with self.db.transaction() as session:
                    service.undo_dispatch(session, job_id)
                raise
            sent += 1
        return sent

    def _relay_loop(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                if self.relay_once():
                    failures = 0
                    continue
                failures = 0
            except Exception as exc:  # noqa: BLE001 — a broker or database outage must not end the relay
                if failures == 0:
                    log.error("job relay error (jobs stay queued in the database until it passes): %s", exc)
                failures += 1
            # After a failure, wait longer each time (up to RELAY_MAX_PAUSE_S): no busy loop on an outage.
            self._stop.wait(min(self.settings.job_poll_s * 2 ** min(failures, 10), RELAY_MAX_PAUSE_S))

    def start(self, threads: int | None = None, consume: bool = True) -> QueueBackend:
        self._relay = threading.Thread(target=self._relay_loop, name="centric-job-relay", daemon=True)
        self._relay.start()
        if consume:
            self._worker = dramatiq.Worker(self.broker, queues={self.queue_name},
                                           worker_threads=threads or max(self.settings.job_workers, 1),
                                           worker_timeout=100)
            self._worker.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Stop relaying and consuming; jobs already running get ``timeout`` seconds to finish."""
        self._stop.set()
        if self._relay is not None:
            self._relay.join(10)
        if self._worker is not None:
            self._worker.stop(timeout=int(timeout * 1000))
        self.broker.close()
