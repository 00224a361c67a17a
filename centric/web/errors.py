"""One mapping from domain errors and malformed requests to clear HTTP answers."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from centric.errors import CentricError, TooManyRequests, Unauthorized

log = logging.getLogger("centric.web")


class NotStored(Exception):
    """The request's unit of work failed to commit: nothing it did was stored."""


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def _describe(error: dict) -> tuple[str, str]:
    location = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path")]
    field = ".".join(location)
    message = error.get("msg", "invalid value")
    if error.get("type") == "json_invalid":
        return "body", "malformed JSON: " + str(error.get("ctx", {}).get("error", message))
    return field, message


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(CentricError)
    async def domain_error(request: Request, exc: CentricError) -> Response:
        if isinstance(exc, Unauthorized) and _wants_html(request):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
        return JSONResponse({"detail": exc.message, "field": exc.field}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        errors = [_describe(e) for e in exc.errors()]
        field, message = errors[0] if errors else ("", "invalid request")
        return JSONResponse(
            {"detail": f"{field}: {message}" if field else message, "field": field or None,
             "errors": [{"field": f, "message": m} for f, m in errors]},
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(IntegrityError)
    async def integrity_error(request: Request, exc: IntegrityError) -> Response:
        log.info("integrity conflict on %s: %s", request.url.path, exc.orig)
        return JSONResponse(
            {"detail": "the request conflicts with stored data (a concurrent duplicate?); retry it"},
            status_code=409,
        )

    @app.exception_handler(DataError)
    async def unstorable_value(request: Request, exc: DataError) -> Response:
        return JSONResponse(
            {"detail": "a value cannot be stored: a NUL character, or a number or text out of range"},
            status_code=422,
        )

    @app.exception_handler(OverflowError)
    async def number_overflow(request: Request, exc: OverflowError) -> Response:
        return JSONResponse({"detail": "a number is out of range"}, status_code=422)

    @app.exception_handler(NotStored)
    async def not_stored(request: Request, exc: NotStored) -> Response:
        return JSONResponse({"detail": str(exc)}, status_code=503, headers={"Retry-After": "1"})

    @app.exception_handler(OperationalError)
    async def database_busy(request: Request, exc: OperationalError) -> Response:
        log.warning("database error on %s: %s", request.url.path, exc.orig)
        return JSONResponse({"detail": "the database is busy; retry shortly"}, status_code=503,
                            headers={"Retry-After": "1"})
