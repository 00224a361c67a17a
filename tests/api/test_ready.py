"""``GET /api/ready``: 200 when the database, the schema and the job queue are fine; 503 naming what is not.

No login (load balancers call it), so the answer must reveal no host, URL or password.
"""

from __future__ import annotations

import socket

from alembic import command
from fastapi.testclient import TestClient
from httpx import Response

from centric.config import Settings
from centric.db import Database
from centric.store import alembic_config
from centric.web.app import create_app


def closed_port() -> int:
    """A local port nothing listens on: connections to it are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ready(settings: Settings, db: Database | None = None) -> Response:
    with TestClient(create_app(settings, db)) as client:
        return client.get("/api/ready")


def test_ready_when_database_schema_and_queue_are_fine(client):
    answer = client.get("/api/ready")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ready"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok", "migrations": "ok", "queue": "ok"}
    assert client.get("/api/health").json()["status"] == "ok"


def test_ready_with_a_reachable_redis_broker(db):
    answer = _ready(Settings(database_url=db.url, job_workers=0, queue_url="redis://127.0.0.1:6379/0"), db)
    assert answer.status_code == 200
    assert answer.json()["checks"]["queue"] == {"status": "ok", "reason": "redis broker answering"}


def test_not_ready_when_the_broker_is_unreachable_and_nothing_secret_is_said(db):
    port = closed_port()
    url = f"redis://:hunter2-secret@127.0.0.1:{port}/0"
    answer = _ready(Settings(database_url=db.url, job_workers=0, queue_url=url), db)
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "not ready"
    assert body["checks"]["queue"] == {"status": "fail", "reason": "redis broker unreachable"}
    assert body["checks"]["database"]["status"] == "ok" and body["checks"]["migrations"]["status"] == "ok"
    assert "hunter2" not in answer.text and str(port) not in answer.text and "127.0.0.1" not in answer.text


def test_not_ready_when_rabbitmq_is_unreachable(db):
    answer = _ready(Settings(database_url=db.url, job_workers=0,
                             queue_url=f"amqp://guest:guest@127.0.0.1:{closed_port()}/"), db)
    assert answer.status_code == 503
    assert answer.json()["checks"]["queue"] == {"status": "fail", "reason": "rabbitmq broker unreachable"}


def test_not_ready_when_migrations_are_behind(db):
    with db.engine.begin() as connection:  # one step down, as after deploying a new version without upgrading
        config = alembic_config(db.url)
        config.attributes["connection"] = connection
        command.downgrade(config, "-1")
    answer = _ready(Settings(database_url=db.url, job_workers=0), db)
    assert answer.status_code == 503
    assert answer.json()["checks"]["migrations"] == {"status": "fail", "reason": "1 migration pending"}
    assert "0017" not in answer.text


def test_not_ready_but_alive_when_the_database_is_down():
    settings = Settings(database_url=f"postgresql://centric:pa55word@127.0.0.1:{closed_port()}/centric",
                        job_workers=0)
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/health").status_code == 200  # liveness never touches the database
        answer = client.get("/api/ready")
    assert answer.status_code == 503
    checks = answer.json()["checks"]
    assert checks["database"] == {"status": "fail", "reason": "unreachable"}
    assert checks["migrations"]["status"] == "fail" and checks["queue"]["status"] == "fail"
    assert "pa55word" not in answer.text and "centric" not in answer.text.replace("Centric", "")
