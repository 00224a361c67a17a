"""No acknowledged write is lost: the request's commit happens before its answer is sent."""

from __future__ import annotations

import itertools
import threading

import httpx
import psycopg
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from centric.feedback.models import Feedback
from centric.surveys.models import Response
from centric.web.deps import get_session
from tests.api.conftest import auth
from tests.api.live import hammer, serving
from tests.api.test_api import RESPONSE

STORM_POSTS = 300
POSTERS = 4
KILL_EVERY = 4  # requests sent between two rounds of terminating the server's connections


@pytest.mark.parametrize(("path", "body", "table"), [
    ("/api/v1/feedback", {"text": "The lift was slow", "external_id": "f-1"}, Feedback),
    ("/api/v1/responses", RESPONSE, Response),
])
def test_a_failed_commit_is_a_5xx_and_stores_nothing(db, app, tokens, path, body, table):
    def refuse(session: Session) -> None:
        raise RuntimeError("the disk is full")

    event.listen(db.sessions, "before_commit", refuse)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            answer = client.post(path, json=body, headers=auth(tokens["agent"]))
    finally:
        event.remove(db.sessions, "before_commit", refuse)
    assert answer.status_code == 503, answer.text
    assert "not stored" in answer.json()["detail"]
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(table)) == 0
    with TestClient(app) as client:  # the same request, with a working commit, is stored
        assert client.post(path, json=body, headers=auth(tokens["agent"])).status_code == 201


def test_every_route_commits_before_answering(app):
    """Every route that takes the request's session must commit it before the answer goes out."""
    for route in app.routes:
        if not isinstance(route, APIRoute):
            continue
        for dependency in _all_dependencies(route.dependant):
            if dependency.call is get_session:
                assert dependency.scope == "function", route.path


def _all_dependencies(dependant):
    for sub in dependant.dependencies:
        yield sub
        yield from _all_dependencies(sub)


def test_acknowledged_feedback_survives_a_storm_of_killed_connections(db, app, tokens):
    """Concurrent posts while PostgreSQL's connections are terminated: every 2xx is stored."""
    numbers = itertools.count()
    acknowledged: dict[str, int] = {}
    sent = threading.Semaphore(0)
    done = threading.Event()
    lock = threading.Lock()
    kills = 0

    def post(client: httpx.Client) -> None:
        with lock:
            number = next(numbers)
        if number >= STORM_POSTS:
            done.set()
            return
        external_id = f"storm-{number}"
        body = {"text": f"Storm item {number}", "external_id": external_id}
        try:
            answer = client.post(url + "/api/v1/feedback", json=body, headers=auth(tokens["agent"]))
        except httpx.TransportError:  # no answer is no acknowledgement
            return
        finally:
            sent.release()
        if 200 <= answer.status_code < 300:
            with lock:
                acknowledged[external_id] = answer.json()["id"]

    def kill_connections() -> None:
        nonlocal kills
        with psycopg.connect(db.url.replace("+psycopg", ""), autocommit=True) as conn:
            while not done.is_set():
                for _ in range(KILL_EVERY):
                    if not sent.acquire(timeout=1):
                        break
                killed = conn.execute("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) "
                                      "FROM pg_stat_activity WHERE datname = current_database() "
                                      "AND pid <> pg_backend_pid()").fetchone()
                kills += killed[0] if killed else 0

    killer = threading.Thread(target=kill_connections) if db.dialect == "postgresql" else None
    with serving(app) as url:
        if killer:
            killer.start()
        try:
            hammer([post] * POSTERS, seconds=15, stop=done)
        finally:
            done.set()
            if killer:
                killer.join()

    with db.reader() as s:
        stored = dict(s.execute(select(Feedback.external_id, Feedback.id)
                                .where(Feedback.external_id.like("storm-%"))).all())
    lost = {key: ident for key, ident in acknowledged.items() if stored.get(key) != ident}
    assert lost == {}, f"{len(lost)} acknowledged of {len(acknowledged)} lost"
    assert len(acknowledged) > STORM_POSTS // 3
    if killer:
        assert kills > 0
    else:
        assert len(acknowledged) == STORM_POSTS
