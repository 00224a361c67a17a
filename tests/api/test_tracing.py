"""Optional OpenTelemetry tracing: off unless configured; when on, requests and SQL statements become spans."""

from __future__ import annotations

from fastapi.testclient import TestClient
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from centric.config import Settings
from centric.web import tracing
from centric.web.app import create_app
from tests.api.conftest import auth


def test_nothing_is_traced_unless_an_endpoint_is_configured(db):
    app = create_app(Settings(database_url=db.url, job_workers=0), db)
    assert getattr(app.state, "tracer_provider", None) is None
    assert tracing.install(app, app.state.settings) is False


def test_requests_and_statements_become_spans(db, tokens):
    app = create_app(Settings(database_url=db.url, job_workers=0), db)
    exporter = InMemorySpanExporter()
    assert tracing.install(app, app.state.settings, processor=SimpleSpanProcessor(exporter)) is True
    with TestClient(app) as client:
        assert client.get("/api/v1/jobs/12", headers=auth(tokens["admin"])).status_code == 404
    spans = exporter.get_finished_spans()
    server = [s for s in spans if s.attributes and s.attributes.get("http.route") == "/api/v1/jobs/{job_id}"]
    assert server, [s.name for s in spans]
    statements = [s for s in spans if s.attributes and "db.statement" in s.attributes]
    assert statements and all(s.context.trace_id == server[0].context.trace_id for s in statements[-1:])
    tracing.shutdown(app)
