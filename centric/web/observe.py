"""Request ids, one log line per request, and Prometheus metrics at ``GET /metrics``.

One plain ASGI middleware (no ``BaseHTTPMiddleware``: see ``GuardMiddleware``) does all three:

- the request id: a valid ``X-Request-ID`` from the proxy (1–64 letters, digits, ``. _ : -``)
  or a fresh one; set as the log context for the request (so jobs it enqueues carry it,
  :mod:`centric.logs`) and returned in the response's ``X-Request-ID``;
- metrics: requests and latency per route *template* (``/api/v1/cases/{case_id}``, never
  the raw path; unmatched paths share one label), method and status class;
- the log line: request id, method, route, status, duration and the user's id (never
  e-mails, tokens, passwords or query strings).

``/metrics`` also reads, at scrape time, the job queue (depth and oldest due job, parked
failures) and the SLA timers (open cases due within the hour, breached and open) with a
few indexed counts, and shows the database pool of each process (checked out, size,
overflow). With several web processes, set ``PROMETHEUS_MULTIPROC_DIR`` (``centric serve
--workers N`` does) so that every process's counters add up whichever one is scraped.

Who may read it: a direct request from the loopback interface (no ``X-Forwarded-For``,
``X-Real-IP`` or ``Forwarded`` header, so nothing relayed by a proxy), or anyone presenting
``Authorization: Bearer $CENTRIC_METRICS_TOKEN`` (compared in constant time). Anyone else
gets 401 (no credentials) or 403 (wrong token) and no data.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time
import weakref
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Engine, event, func, select
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from centric import logs
from centric.config import Settings
from centric.db import Database, utcnow
from centric.jobs.models import Job
from centric.loop.models import OPEN_STATUSES, Case
from centric.web.errors import problem

log = logging.getLogger("centric.web.requests")
METRICS_PATH = "/metrics"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
FORWARDED_HEADERS = (b"x-forwarded-for", b"x-real-ip", b"forwarded")
SLA_SOON = timedelta(hours=1)

REQUESTS = Counter("centric_http_requests_total", "HTTP requests answered, by method, route template and status class.",
                   ["method", "route", "status"])
LATENCY = Histogram("centric_http_request_duration_seconds",
                    "Time to answer an HTTP request, by method, route template and status class.",
                    ["method", "route", "status"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
# Per process, summed over the live processes in multi-process mode.
POOL_CHECKED_OUT = Gauge("centric_db_pool_checked_out", "Database connections in use.", ["pool"],
                         multiprocess_mode="livesum")
POOL_SIZE = Gauge("centric_db_pool_size", "Database connections the pools keep.", ["pool"],
                  multiprocess_mode="livesum")
POOL_OVERFLOW = Gauge("centric_db_pool_overflow", "Connections open beyond the pools' size.", ["pool"],
                      multiprocess_mode="livesum")


def multiprocess_dir() -> str | None:
    """The shared metrics folder of a multi-process server (``PROMETHEUS_MULTIPROC_DIR``), if any."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def install(app: FastAPI, settings: Settings) -> None:
    """Add the middleware, ``GET /metrics`` and the pool gauges to ``app`` (call after the other middleware)."""
    app.add_middleware(ObserveMiddleware)
    app.add_api_route(METRICS_PATH, metrics_endpoint, methods=["GET"], include_in_schema=False)
    db: Database = app.state.db
    watch_pool(db.engine, "primary")
    if db.replica is not None:
        watch_pool(db.replica, "replica")


def watch_pool(engine: Engine, name: str) -> None:
    """Keep the pool gauges of ``engine`` current (a gauge update per checkout and checkin)."""
    pool: Any = engine.pool
    if not hasattr(pool, "size") or engine in _WATCHED:
        return
    _WATCHED.add(engine)
    POOL_SIZE.labels(name).set(pool.size())
    checked_out, overflow = POOL_CHECKED_OUT.labels(name), POOL_OVERFLOW.labels(name)

    def on_checkout(*_: object) -> None:
        checked_out.inc()
        overflow.set(max(pool.overflow(), 0))

    def on_checkin(*_: object) -> None:
        checked_out.dec()
        overflow.set(max(pool.overflow(), 0))

    event.listen(engine, "checkout", on_checkout)
    event.listen(engine, "checkin", on_checkin)


_WATCHED: weakref.WeakSet[Engine] = weakref.WeakSet()


def route_of(scope: Scope) -> str:
    """The template of the route that answered (``/api/v1/cases/{case_id}``), or ``unmatched``.

    FastAPI keeps an included router's routes with their own paths and notes the full
    template (prefix included) of the one it chose in its scope entry; plain Starlette
    routes and mounts carry theirs in ``scope["route"]``.
    """
    chosen = (scope.get("fastapi") or {}).get("effective_route_context")
    template = getattr(chosen, "path_format", None)
    if isinstance(template, str) and template:
        return template
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return UNMATCHED
    if isinstance(route, Mount):
        return f"{path}/{{path}}"
    return path or "/"


class ObserveMiddleware:
    """Request id, metrics and the request log line; see the module's docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = next((v for k, v in scope["headers"] if k == b"x-request-id"), None)
        request_id = logs.valid_request_id(sent.decode("latin-1") if sent is not None else None) \
            or logs.new_request_id()
        header = (b"x-request-id", request_id.encode())
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", []), header]}
            await send(message)

        try:
            with logs.request_context(request_id):
                await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            method = scope["method"] if scope["method"] in METHODS else "OTHER"
            route = route_of(scope)
            status_class = f"{status // 100}xx"
            REQUESTS.labels(method, route, status_class).inc()
            LATENCY.labels(method, route, status_class).observe(elapsed)
            state = scope.get("state") or {}
            log.info("%s %s %s", method, route, status, extra={
                "request_id": request_id, "method": method, "route": route, "status": status,
                "duration_ms": round(elapsed * 1000, 2), "user_id": state.get("user_id")})


def _loopback_direct(request: Request) -> bool:
    """A request from this machine that no proxy relayed (the socket's peer, not a forwarded address)."""
    if any(k in FORWARDED_HEADERS for k, _ in request.scope["headers"]):
        return False
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def metrics_endpoint(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        given = header[7:].strip().encode()
        if not settings.metrics_token or not hmac.compare_digest(given, settings.metrics_token.encode()):
            return problem(403, "wrong metrics token")
    elif not _loopback_direct(request):
        return problem(401, "send 'Authorization: Bearer <CENTRIC_METRICS_TOKEN>' or scrape from this machine",
                       headers={"WWW-Authenticate": "Bearer"})
    return Response(render(request.app.state.db, settings), media_type=CONTENT_TYPE)


def render(db: Database, settings: Settings) -> bytes:
    """The exposition text: this process's (or all processes') metrics and the database's state."""
    folder = multiprocess_dir()
    if folder:
        merged = CollectorRegistry()
        MultiProcessCollector(merged, path=folder)
        counters = generate_latest(merged)
    else:
        counters = generate_latest(REGISTRY)
    state = CollectorRegistry(auto_describe=False)
    state.register(StateCollector(db, settings))
    return counters + generate_latest(state)


class StateCollector(Collector):
    """Job queue and SLA figures read from the database at scrape time (a few indexed queries)."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db, self.settings = db, settings

    def collect(self) -> Iterator[Metric]:
        queue = self.settings.queue_name if self.settings.queue_url else "database"
        now = utcnow()
        with self.db.reader() as session:
            # (status, run_at) index: the due part of the queue, per task
            due = session.execute(
                select(Job.name, func.count(), func.min(Job.run_at))
                .where(Job.status == "queued", Job.run_at <= now).group_by(Job.name)).all()
            statuses = dict(session.execute(
                select(Job.status, func.count()).where(Job.status.in_(("running", "failed")))
                .group_by(Job.status)).all())
            soon = session.scalar(select(func.count()).select_from(Case).where(
                Case.resolution_due_at >= now, Case.resolution_due_at < now + SLA_SOON,
                Case.status.in_(OPEN_STATUSES))) or 0
            breached = session.scalar(select(func.count()).select_from(Case).where(
                Case.sla_state == "breached", Case.status.in_(OPEN_STATUSES))) or 0
        depth = GaugeMetricFamily("centric_job_queue_depth", "Queued jobs whose time has come, by queue and task.",
                                  labels=["queue", "task"])
        age = GaugeMetricFamily("centric_job_queue_oldest_age_seconds",
                                "Age of the oldest due queued job (0 when none waits), by queue.", labels=["queue"])
        oldest = None
        for name, count, first in due:
            depth.add_metric([queue, name], int(count))
            oldest = first if oldest is None or first < oldest else oldest
        age.add_metric([queue], max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0)
        yield depth
        yield age
        jobs = GaugeMetricFamily("centric_jobs", "Jobs running now and jobs parked as failed.", labels=["status"])
        for status in ("running", "failed"):
            jobs.add_metric([status], int(statuses.get(status, 0)))
        yield jobs
        yield _gauge("centric_sla_due_within_hour", "Open cases whose resolution is due within the next hour.", soon)
        yield _gauge("centric_sla_breached_open", "Open cases whose SLA is breached.", breached)


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def samples(text: str) -> Iterable[tuple[str, dict[str, str], float]]:
    """Parse exposition text (for tests and ``centric`` tooling): (name, labels, value) per sample."""
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            yield sample.name, dict(sample.labels), float(sample.value)
