"""``/metrics`` (who may read it, route templates, queue and SLA gauges), request ids and the request log line."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from centric.config import Settings
from centric.db import utcnow
from centric.jobs import LocalWorker, enqueue
from centric.jobs.models import Job
from centric.logs import JsonFormatter, RequestIdFilter
from centric.loop.models import Case
from centric.surveys.schemas import SurveyIn
from centric.surveys.service import create_survey
from centric.themes.enrichment import ENRICH_TASK
from centric.web.app import create_app
from centric.web.observe import samples
from tests.api.conftest import auth
from tests.surveys.helpers import form_token

TOKEN = "scrape-me-0123456789"


@pytest.fixture
def app(db):
    settings = Settings(database_url=db.url, job_workers=0, metrics_token=TOKEN)
    return create_app(settings, db)


def _scrape(client: TestClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    answer = client.get("/metrics", headers=auth(TOKEN))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return {(name, frozenset(labels.items())): value for name, labels, value in samples(answer.text)}


def _value(scraped, name: str, **labels: str) -> float:  # type: ignore[no-untyped-def]
    return scraped.get((name, frozenset(labels.items())), 0.0)


def test_a_stranger_gets_no_metrics(app):
    with TestClient(app) as stranger:  # the test client's address is not a loopback address
        for headers, status in (({}, 401), (auth("guess"), 403), ({"Authorization": "Basic eDp5"}, 401)):
            answer = stranger.get("/metrics", headers=headers)
            assert answer.status_code == status
            assert "centric_" not in answer.text and "# TYPE" not in answer.text
        assert stranger.get("/metrics").headers["www-authenticate"] == "Bearer"
    with TestClient(app, client=("127.0.0.1", 40000)) as relayed:  # a proxy on this machine relays a stranger
        for header in ("X-Forwarded-For", "X-Real-IP", "Forwarded"):
            assert relayed.get("/metrics", headers={header: "203.0.113.9"}).status_code == 401


def test_a_token_is_needed_even_when_configured_empty(db):
    app = create_app(Settings(database_url=db.url, job_workers=0, metrics_token=""), db)
    with TestClient(app) as client:
        assert client.get("/metrics", headers=auth("")).status_code == 403


def test_loopback_scrapes_without_a_token(app):
    with TestClient(app, client=("127.0.0.1", 40000)) as local:
        answer = local.get("/metrics")
        assert answer.status_code == 200 and "centric_http_requests_total" in answer.text


def test_requests_are_counted_per_route_template_never_per_path(app, tokens):
    with TestClient(app) as client:
        before = _scrape(client)
        for job_id in (991, 992, 993):
            assert client.get(f"/api/v1/jobs/{job_id}", headers=auth(tokens["admin"])).status_code == 404
        assert client.get("/api/v1/jobs", headers=auth(tokens["admin"])).status_code == 200
        assert client.get("/no/such/page/12345").status_code == 404
        assert client.get("/api/health").status_code == 200
        after = _scrape(client)
    counted = "centric_http_requests_total"
    delta = {key: after[key] - before.get(key, 0.0) for key in after if key[0] == counted}
    assert _value(delta, counted, method="GET", route="/api/v1/jobs/{job_id}", status="4xx") == 3
    assert _value(delta, counted, method="GET", route="/api/v1/jobs", status="2xx") == 1
    assert _value(delta, counted, method="GET", route="unmatched", status="4xx") >= 1
    assert _value(delta, counted, method="GET", route="/api/health", status="2xx") == 1
    routes = {dict(labels)["route"] for (name, labels) in after if name == counted}
    assert not [route for route in routes if "991" in route or "12345" in route or "/no/" in route]  # no raw paths
    assert _value(after, "centric_http_request_duration_seconds_count", method="GET",
                  route="/api/v1/jobs/{job_id}", status="4xx") >= 3
    assert _value(after, "centric_db_pool_size", pool="primary") >= 1


def test_queue_depth_age_failures_and_sla_timers_come_from_the_database(app, db):
    now = utcnow()
    with db.transaction() as s:
        old = enqueue(s, "nothing.here", {})
        old.run_at = now - timedelta(minutes=10)
        enqueue(s, "nothing.here", {})
        enqueue(s, "later.on", {}, delay_s=3600)  # not due: not in the depth
        s.add(Job(name="broken", payload={}, status="failed", attempts=5))
        s.add_all([
            Case(title="due soon", source="manual", status="open", resolution_due_at=now + timedelta(minutes=20)),
            Case(title="due later", source="manual", status="open", resolution_due_at=now + timedelta(hours=3)),
            Case(title="closed", source="manual", status="closed", resolution_due_at=now + timedelta(minutes=5)),
            Case(title="late", source="manual", status="waiting", sla_state="breached"),
            Case(title="late, done", source="manual", status="resolved", sla_state="breached"),
        ])
    with TestClient(app) as client:
        scraped = _scrape(client)
    assert _value(scraped, "centric_job_queue_depth", queue="database", task="nothing.here") == 2
    assert _value(scraped, "centric_job_queue_depth", queue="database", task="later.on") == 0
    assert 590 < _value(scraped, "centric_job_queue_oldest_age_seconds", queue="database") < 900
    assert _value(scraped, "centric_jobs", status="failed") == 1
    assert _value(scraped, "centric_sla_due_within_hour") == 1
    assert _value(scraped, "centric_sla_breached_open") == 1


def test_failed_job_attempts_are_counted(db):
    settings = Settings(database_url=db.url, job_workers=0, job_retry_base_s=60)
    with db.transaction() as s:
        enqueue(s, "no.such.task", {})
    app = create_app(settings.model_copy(update={"metrics_token": TOKEN}), db)
    with TestClient(app) as client:
        before = _scrape(client)
        assert LocalWorker(db, settings, 1).run_due() == 1
        after = _scrape(client)
    name = "centric_job_failures_total"
    assert _value(after, name, task="unknown") - _value(before, name, task="unknown") == 1


def test_the_request_id_is_kept_when_safe_and_made_up_otherwise(app):
    with TestClient(app) as client:
        assert client.get("/api/health", headers={"X-Request-ID": "edge-7f3a.1:2"}).headers["x-request-id"] \
            == "edge-7f3a.1:2"
        for bad in ("x" * 65, "a b", "<script>", "ü".encode()):
            made = client.get("/api/health", headers={"X-Request-ID": bad}).headers["x-request-id"]
            assert made != bad and len(made) == 32
        assert len(client.get("/api/health").headers["x-request-id"]) == 32


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.addFilter(RequestIdFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def records():
    handler = _Records()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield handler.records
    root.removeHandler(handler)
    root.setLevel(level)


def test_one_json_line_per_request_without_secrets(app, tokens, records):
    with TestClient(app) as client:
        answer = client.get("/api/v1/jobs?token=hunter2&email=ann%40example.com", headers={
            **auth(tokens["admin"]), "X-Request-ID": "req-42"})
        assert answer.status_code == 200
    lines = [JsonFormatter().format(r) for r in records if r.name == "centric.web.requests"]
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["request_id"] == "req-42" and entry["method"] == "GET" and entry["route"] == "/api/v1/jobs"
    assert entry["status"] == 200 and isinstance(entry["duration_ms"], float)
    assert isinstance(entry["user_id"], int)
    for secret in ("hunter2", "example.com", tokens["admin"], "token="):
        assert secret not in lines[0]


def test_a_job_enqueued_by_a_request_runs_under_its_request_id(app, db, records):
    with db.transaction() as s:
        create_survey(s, SurveyIn(key="nps", name="NPS", kind="nps"))
    with TestClient(app) as client:
        token = form_token(client.get("/s/nps").text)
        answer = client.post("/s/nps", data={"f": token, "nps": "3", "comment": "The wait was far too long"},
                             headers={"X-Request-ID": "submit-1"}, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["x-request-id"] == "submit-1"
    with db.reader() as s:
        job = s.query(Job).filter(Job.name == ENRICH_TASK).one()
        assert job.payload["_request_id"] == "submit-1"
    assert LocalWorker(db, Settings(database_url=db.url, job_workers=0), 1).run_due() >= 1
    ran = [r for r in records if r.name == "centric.jobs" and getattr(r, "job_id", None) == job.id]
    assert [(r.request_id, r.outcome) for r in ran] == [("submit-1", "done")]  # type: ignore[attr-defined]
