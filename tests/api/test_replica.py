"""Read-replica routing: dashboards and exports read the replica, never after a write; off when unset.

A second PostgreSQL database copied from the same template stands in for the replica. Its
data differ on purpose (more answers, all of them detractors), so each answer shows which
database a route read from.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from centric.accounts.service import create_token
from centric.config import Settings
from centric.db import Database, wrote
from centric.surveys.models import Response
from centric.web.app import create_app
from centric.web.deps import RECENT_WRITE_COOKIE
from tests.api.conftest import auth
from tests.conftest import pg_copy
from tests.factories import make_journey, make_user, respond

PRIMARY_ANSWERS, REPLICA_ANSWERS = 2, 5


@pytest.fixture
def replica_url(pg_template: str) -> Iterator[str]:
    with pg_copy(pg_template) as url:
        replica = Database(url)
        with replica.transaction() as s:
            make_journey(s)
            for n in range(REPLICA_ANSWERS):
                respond(s, "rnps", 2, email=f"replica{n}@example.com")
        replica.dispose()
        yield url


@pytest.fixture
def token(pg_db: Database) -> str:
    with pg_db.transaction() as s:
        make_journey(s)
        for n in range(PRIMARY_ANSWERS):
            respond(s, "rnps", 9, email=f"primary{n}@example.com")
        return create_token(s, make_user(s, "admin"), "tests")[1]


@contextmanager
def _client(primary: Database, replica_url: str | None) -> Iterator[TestClient]:
    settings = Settings(database_url=primary.url, database_replica_url=replica_url or "", job_workers=0)
    db = Database(primary.url, replica_url)
    try:
        with TestClient(create_app(settings, db)) as client:
            yield client
    finally:
        db.dispose()


def _nps(client: TestClient, token: str) -> tuple[int, float]:
    overall = client.get("/api/v1/metrics/nps", headers=auth(token)).json()["overall"]
    return overall["n"], overall["value"]


def test_dashboards_read_the_replica_and_the_rest_reads_the_primary(pg_db, replica_url, token):
    with _client(pg_db, replica_url) as client:
        assert _nps(client, token) == (REPLICA_ANSWERS, -100.0)
        scorecard = client.get("/api/v1/scorecards/export.csv", headers=auth(token))
        assert scorecard.status_code == 200
        customers = client.get("/api/v1/customers", headers=auth(token)).json()  # not a dashboard: the primary
        assert customers["total"] == PRIMARY_ANSWERS


def test_after_a_write_the_same_browser_reads_the_primary_for_a_while(pg_db, replica_url, token):
    with _client(pg_db, replica_url) as client:
        stored = client.post("/api/v1/responses", headers=auth(token),
                             json={"survey": "rnps", "answers": {"nps": 10}, "customer": {"email": "new@example.com"}})
        assert stored.status_code == 201 and RECENT_WRITE_COOKIE in stored.cookies
        assert _nps(client, token) == (PRIMARY_ANSWERS + 1, 100.0)  # the cookie: read your own write
        client.cookies.clear()
        assert _nps(client, token) == (REPLICA_ANSWERS, -100.0)
        refused = client.post("/api/v1/responses", headers=auth(token), json={"survey": "nope", "answers": {}})
        assert refused.status_code >= 400 and RECENT_WRITE_COOKIE not in refused.cookies


def _responses(session) -> int:  # type: ignore[no-untyped-def]
    return int(session.scalar(select(func.count()).select_from(Response)) or 0)


def test_a_read_after_a_write_in_one_unit_of_work_goes_to_the_primary(pg_db, replica_url, token):
    db = Database(pg_db.url, replica_url)
    try:
        with db.replica_reads() as s, s.begin():
            assert _responses(s) == REPLICA_ANSWERS
            respond(s, "rnps", 7, email="late@example.com")  # flushes on the primary
            assert _responses(s) == PRIMARY_ANSWERS + 1
        with db.replica_reads() as s, s.begin():
            locked = s.scalars(select(Response.id).with_for_update()).all()  # a lock is a write: the primary
            assert len(locked) == PRIMARY_ANSWERS + 1 and _responses(s) == PRIMARY_ANSWERS + 1
        with db.sessions() as s, s.begin():  # the request's own session notes Core DML too
            _responses(s)
            assert not wrote(s)
            s.execute(update(Response).where(Response.id == -1).values(locale="en"))
            assert wrote(s)
    finally:
        db.dispose()


def test_without_a_replica_url_everything_reads_the_primary(pg_db, token):
    with _client(pg_db, None) as client:
        assert client.app.state.db.replica is None
        assert _nps(client, token) == (PRIMARY_ANSWERS, 100.0)
        stored = client.post("/api/v1/responses", headers=auth(token),
                             json={"survey": "rnps", "answers": {"nps": 0}, "customer": {"email": "new@example.com"}})
        assert stored.status_code == 201 and RECENT_WRITE_COOKIE not in stored.cookies
