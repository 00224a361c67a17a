"""The distributed job backend (Dramatiq) on the real Redis or RabbitMQ of this machine, for any database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pika
import redis

from centric.config import Settings
from centric.db import Database
from centric.jobs.queue import QueueBackend, make_broker

REDIS = "redis://127.0.0.1:6379/0"
RABBITMQ = "amqp://guest:guest@127.0.0.1:5672/"


@contextmanager
def running_backend(db: Database, kind: str) -> Iterator[QueueBackend]:
    """Dramatiq workers in-process on a queue of their own (``kind``: redis or rabbitmq), removed afterwards."""
    queue = f"centric_test_{uuid.uuid4().hex[:10]}"
    url = REDIS if kind == "redis" else RABBITMQ
    settings = Settings(queue_url=url, queue_name=queue, job_retry_base_s=0.01, job_retry_max_s=0.05,
                        job_poll_s=0.02, job_workers=2)
    broker = make_broker(url, namespace=queue)
    running = QueueBackend(db, settings, broker=broker, queue_name=queue).start()
    try:
        yield running
    finally:
        running.stop()
        if kind == "redis":
            client = redis.Redis.from_url(url)
            client.delete(*client.scan_iter(f"{queue}:*"), f"{queue}:__nothing__")
        else:
            with pika.BlockingConnection(pika.URLParameters(url)) as connection:
                channel = connection.channel()
                for name in (queue, f"{queue}.DQ", f"{queue}.XQ"):
                    channel.queue_delete(name)
