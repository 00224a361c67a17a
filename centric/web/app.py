"""The FastAPI application: JSON API under /api/v1, HTML pages, vendored assets."""

from __future__ import annotations

import importlib
import pkgutil
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

import centric
from centric import __version__
from centric.config import Settings
from centric.db import Database
from centric.web.errors import install_error_handlers

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
    app.state.db = db or Database(settings.database_url)
    install_error_handlers(app)
    _limit_body_size(app, settings.max_body_bytes)
    _security_headers(app)
    _mount_routes(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
    """Start the embedded job workers with the app (none when a queue URL is configured)."""
    from centric.jobs import start_embedded

    worker = start_embedded(app.state.db, app.state.settings)
    try:
        yield
    finally:
        if worker is not None:
            worker.stop()


def _domain_modules(suffix: str) -> list:
    """Every ``centric.<domain>.<suffix>`` module that exists, so domains plug themselves in."""
    found = []
    for info in sorted(pkgutil.iter_modules(centric.__path__), key=lambda i: i.name):
        if not info.ispkg or info.name in ("web", "cli", "stats", "text", "migrations"):
            continue
        try:
            found.append(importlib.import_module(f"centric.{info.name}.{suffix}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"centric.{info.name}.{suffix}":
                raise
    return found


def _mount_routes(app: FastAPI) -> None:
    for module in _domain_modules("api"):
        app.include_router(module.router, prefix="/api/v1")
    for module in _domain_modules("views"):
        app.include_router(module.router, include_in_schema=False)

    @app.get("/api/health", tags=["health"])
    def health() -> dict:
        return {"status": "ok", "version": __version__}


def _limit_body_size(app: FastAPI, limit: int) -> None:
    @app.middleware("http")
    async def body_limit(request: Request, call_next):  # type: ignore[no-untyped-def]
        length = request.headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                return JSONResponse({"detail": "invalid Content-Length"}, status_code=400)
            if int(length) > limit:
                return JSONResponse({"detail": f"the body is larger than {limit} bytes"}, status_code=413)
        return await call_next(request)


def _security_headers(app: FastAPI) -> None:
    @app.middleware("http")
    async def headers(request: Request, call_next) -> Response:  # type: ignore[no-untyped-def]
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
        )
        return response
