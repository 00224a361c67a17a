"""The distributed backend on the real Redis and RabbitMQ of this machine (Dramatiq workers in-process)."""

from __future__ import annotations

import threading
import uuid

import pytest
import redis

from centric.errors import Invalid
from centric.jobs import JobContext, enqueue, task
from centric.jobs import service as jobs
from centric.jobs.queue import make_broker
from tests.jobs.backends import running_backend
from tests.jobs.waiting import eventually

#: Nothing listens on port 1: a broker that is down.
CLOSED_PORT = "redis://127.0.0.1:1/0"
RAN: dict[str, threading.Event] = {}
ATTEMPTS: dict[str, int] = {}


@task("test.queue.ping")
def ping(context: JobContext, payload: dict) -> None:
    RAN.setdefault(payload["key"], threading.Event()).set()


@task("test.queue.broken", max_attempts=2)
def broken(context: JobContext, payload: dict) -> None:
    ATTEMPTS[payload["key"]] = ATTEMPTS.get(payload["key"], 0) + 1
    raise TimeoutError("the remote side is down")


@pytest.fixture(params=["redis", "rabbitmq"])
def backend(request: pytest.FixtureRequest, sqlite_db):
    with running_backend(sqlite_db, request.param) as running:
        yield running


def test_jobs_run_on_dramatiq_workers_and_failures_are_parked(backend):
    db = backend.db
    keys = [f"{backend.queue_name}-{n}" for n in range(5)]
    for key in keys:
        RAN[key] = threading.Event()
    with db.transaction() as s:
        for key in keys:
            enqueue(s, "test.queue.ping", {"key": key})
        broken_id = enqueue(s, "test.queue.broken", {"key": backend.queue_name}).id
    for key in keys:
        assert RAN[key].wait(15), f"job {key} never ran"

    def states() -> dict[str, int]:
        with db.reader() as s:
            return jobs.count_by_status(s)

    eventually(lambda: states() == {"queued": 0, "running": 0, "done": 5, "failed": 1}, what="all jobs finished")
    with db.reader() as s:
        parked = jobs.get_job(s, broken_id)
    assert parked.attempts == 2 and "TimeoutError: the remote side is down" in parked.last_error
    assert ATTEMPTS[backend.queue_name] == 2


def test_a_bad_queue_url_is_a_clear_error():
    with pytest.raises(Invalid, match="redis:// or amqp://"):
        make_broker("kafka://somewhere")


def test_jobs_wait_in_the_table_while_the_broker_is_down_then_go_out(sqlite_db):
    """Fail closed: a refused send leaves the job queued and undispatched, and the next relay sends it."""
    from centric.config import Settings
    from centric.jobs.queue import QueueBackend

    queue = f"centric_test_down_{uuid.uuid4().hex[:8]}"
    key = f"{queue}-job"
    RAN[key] = threading.Event()
    with sqlite_db.transaction() as s:
        job_id = enqueue(s, "test.queue.ping", {"key": key}).id
    down = QueueBackend(sqlite_db, Settings(queue_url=CLOSED_PORT, queue_name=queue),
                        broker=make_broker(CLOSED_PORT, namespace=queue), queue_name=queue)
    with pytest.raises(redis.ConnectionError):
        down.relay_once()
    down.broker.close()
    with sqlite_db.reader() as s:
        job = jobs.get_job(s, job_id)
        assert (job.status, job.dispatched_at, job.attempts) == ("queued", None, 0)
    with running_backend(sqlite_db, "redis") as backend:
        assert RAN[key].wait(15), "the job never ran once the broker was back"
        eventually(lambda: _status(backend.db, job_id) == "done", what="the job to finish")


def _status(db, job_id: int) -> str:  # type: ignore[no-untyped-def]
    with db.reader() as s:
        return jobs.get_job(s, job_id).status
