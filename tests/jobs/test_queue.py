"""The distributed backend on the real Redis and RabbitMQ of this machine (Dramatiq workers in-process)."""

from __future__ import annotations

import threading

import pytest

from centric.errors import Invalid
from centric.jobs import JobContext, enqueue, task
from centric.jobs import service as jobs
from centric.jobs.queue import make_broker
from tests.jobs.backends import running_backend
from tests.jobs.waiting import eventually

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
