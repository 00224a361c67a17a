"""The FastAPI application: JSON API under /api/v1, HTML pages, vendored assets."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from centric import __version__
from centric.config import Settings
from centric.db import Database
from centric.domains import DOMAINS
from centric.web import observe, probes, tracing
from centric.web.deps import READ_METHODS, RECENT_WRITE_COOKIE
from centric.web.errors import PROBLEM_RESPONSES, install_error_handlers, problem
from centric.web.routing import GatedRouter

STATIC = Path(__file__).with_name("static")


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    """Build the app; the schema must be migrated already (``centric db upgrade``)."""
    settings = settings or Settings()
    app = FastAPI(
        title="Centric", version=__version__, lifespan=_lifespan,
        description="Open, self-hosted customer-experience platform. Authenticate with "
        "`Authorization: Bearer <token>` (create one with `centric token create`).",
        docs_url=None, openapi_url="/api/openapi.json", redoc_url=None,
    )
    app.state.settings = settings
    app.state.db = db or Database(settings.database_url, settings.database_replica_url or None,
                                  pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow,
                                  pgbouncer=settings.db_pgbouncer)
    install_error_handlers(app)
    app.add_middleware(GuardMiddleware, limit=settings.max_body_bytes, hsts_max_age_s=settings.hsts_max_age_s)
    if settings.trusted_proxies:
        # Outside the guard, so that it sees the scheme the client used (HSTS, Secure cookies).
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    if app.state.db.replica is not None:
        app.add_middleware(RecentWriteMiddleware, max_age_s=settings.replica_lag_s)
    _mount_routes(app)
    observe.install(app, settings)  # outermost: request ids, the request log line, /metrics
    tracing.install(app, settings)  # only with OTEL_EXPORTER_OTLP_ENDPOINT and the 'otel' extra
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the embedded job workers with the app (none when a queue URL is configured),
    the daily jobs they run (the retention purge, the digests' planning), and a re-enrichment
    run when the text models, rules or taxonomy changed since items were enriched."""
    from centric.governance.digests import start_digests
    from centric.jobs import start_embedded
    from centric.mirror.pulses import start_pulses
    from centric.privacy.retention import start_retention
    from centric.themes.enrichment import start_reenrichment

    worker = start_embedded(app.state.db, app.state.settings)
    if worker is not None:
        start_retention(app.state.db)
        start_digests(app.state.db)
        start_pulses(app.state.db)
        start_reenrichment(app.state.db)
    try:
        yield
    finally:
        intake = getattr(app.state, "survey_intake", None)
        if intake is not None:  # the survey pages' writer stores what is queued, then stops
            app.state.survey_intake = None  # a later start (tests restart apps) begins a new one
            intake.close()
        if worker is not None:
            worker.stop()


def _domain_modules(suffix: str) -> list[ModuleType]:
    """The ``centric.<domain>.<suffix>`` modules of :data:`centric.domains.DOMAINS`, in that order."""
    found: list[ModuleType] = []
    for domain in DOMAINS:
        name = f"centric.{domain}.{suffix}"
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return found


def _mount_routes(app: FastAPI) -> None:
    # Public pages first (respondent pages, unsubscribe): the busiest routes are matched
    # before the hundred-odd API and admin routes.
    # Each area's router is gated by its routes' leading segments (centric.web.routing).
    for module in _domain_modules("public"):
        app.include_router(GatedRouter(module.router), include_in_schema=False)
    for module in _domain_modules("api"):
        app.include_router(GatedRouter(module.router, "/api/v1"), prefix="/api/v1", responses=PROBLEM_RESPONSES)
    for module in _domain_modules("views"):
        app.include_router(GatedRouter(module.router), include_in_schema=False)

    app.include_router(probes.router)

    @app.get("/api/health", tags=["health"], responses=PROBLEM_RESPONSES)
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}


SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy",
     b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"),
)

NO_STORE = (b"cache-control", b"no-store")
STATIC_PREFIX = "/static/"


class GuardMiddleware:
    """Refuse bodies over ``limit`` bytes (413) and add the default security headers.

    Every answer except the static assets gets ``Cache-Control: no-store`` unless its route
    chose a policy itself (respondent pages: ``private, no-cache``; the QR code: public):
    pages, JSON and exports of an authenticated user must never be kept by a browser or a
    shared cache. Answers over HTTPS carry ``Strict-Transport-Security``.

    Plain ASGI rather than ``@app.middleware``: each ``BaseHTTPMiddleware`` layer runs the
    app in an extra task and costs about as much as the bare "hello" endpoint does.
    A body without ``Content-Length`` (chunked) is counted as it arrives.
    """

    def __init__(self, app: ASGIApp, limit: int, hsts_max_age_s: int = 0) -> None:
        self.app = app
        self.limit = limit
        self.hsts = f"max-age={hsts_max_age_s}".encode() if hsts_max_age_s > 0 else None

    def _headers_for(self, scope: Scope) -> list[tuple[bytes, bytes]]:
        extra = list(SECURITY_HEADERS)
        if not scope["path"].startswith(STATIC_PREFIX):
            extra.append(NO_STORE)
        if self.hsts is not None and scope.get("scheme") == "https":
            extra.append((b"strict-transport-security", self.hsts))
        return extra

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if length is not None:
            if not length.isdigit():
                await problem(400, "invalid Content-Length")(scope, receive, send)
                return
            if int(length) > self.limit:
                await self._too_large(scope, receive, send)
                return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:  # re-raised by FastAPI's body parsing, answered by its handler
                    raise HTTPException(413, f"the body is larger than {self.limit} bytes")
            return message

        headers = self._headers_for(scope)

        async def guarded_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in headers if k not in present]
                if extra:
                    message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, counted_receive if length is None else receive, guarded_send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(413, f"the body is larger than {self.limit} bytes")
        await response(scope, receive, send)


class RecentWriteMiddleware:
    """Read-your-writes with a replica: a browser whose request wrote reads from the primary for a while.

    A successful request that may have written (any method but GET, HEAD and OPTIONS) sets a
    short-lived cookie; :func:`centric.web.deps.get_read_session` sends the requests that carry
    it to the primary, so the page a form redirects to never shows the replica's older state.
    """

    def __init__(self, app: ASGIApp, max_age_s: int) -> None:
        self.app = app
        self.cookie = f"{RECENT_WRITE_COOKIE}=1; Max-Age={max_age_s}; Path=/; HttpOnly; SameSite=Lax".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in READ_METHODS:
            await self.app(scope, receive, send)
            return

        async def marked_send(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", self.cookie)]}
            await send(message)

        await self.app(scope, receive, marked_send)
