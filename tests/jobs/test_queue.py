"""The distributed backend on the real Redis and RabbitMQ of this machine (Dramatiq workers in-process)."""

from __future__ import annotations

import threading
import uuid

import pika
import pytest
import redis

from centric.config import Settings
from centric.errors import Invalid
from centric.jobs import JobContext, enqueue, task
from centric.jobs import service as jobs
from centric.jobs.queue import QueueBackend, make_broker
from tests.jobs.waiting import eventually

REDIS = "redis://127.0.0.1:6379/0"
RABBITMQ = "amqp://guest:guest@127.0.0.1:5672/"
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
    queue = f"centric_test_{uuid.uuid4().hex[:10]}"
    url = REDIS if request.param == "redis" else RABBITMQ
    settings = Settings(queue_url=url, queue_name=queue, job_retry_base_s=0.01, job_retry_max_s=0.05,
                                 job_poll_s=0.02, job_workers=2)
    broker = make_broker(url, namespace=queue)
    running = QueueBackend(sqlite_db, settings, broker=broker, queue_name=queue).start()
    yield running
    running.stop()
    if request.param == "redis":
        client = redis.Redis.from_url(url)
        client.delete(*client.scan_iter(f"{queue}:*"), f"{queue}:__nothing__")
    else:
        with pika.BlockingConnection(pika.URLParameters(url)) as connection:
            channel = connection.channel()
            for name in (queue, f"{queue}.DQ", f"{queue}.XQ"):
                channel.queue_delete(name)


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
