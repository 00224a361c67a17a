"""One mapping from domain errors and malformed requests to clear HTTP answers."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from centric.errors import CentricError, TooManyRequests, Unauthorized

log = logging.getLogger("centric.web")


class NotStored(Exception):
    """The request's unit of work failed to commit: nothing it did was stored."""


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """Every error answer of the API: RFC 9457 problem details plus the offending field(s).

    ``type`` is ``about:blank``, so ``title`` is the HTTP status phrase; ``detail`` says what
    went wrong in one line, ``field`` names the input at fault, ``errors`` lists each one (422).
    """

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    field: str | None = None
    errors: list[FieldProblem] | None = None


_STATUSES = (400, 401, 403, 404, 409, 413, 422, 429, 500, 503)

PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": HTTPStatus(status).phrase} for status in _STATUSES
}
"""The error answers every API operation declares (``include_router(..., responses=...)``)."""


def problem(status: int, detail: str, *, field: str | None = None, errors: list[FieldProblem] | None = None,
            headers: Mapping[str, str] | None = None) -> JSONResponse:
    """A :class:`Problem` answer; the one place error bodies are built."""
    body = Problem(title=HTTPStatus(status).phrase, status=status, detail=detail, field=field, errors=errors)
    return JSONResponse(body.model_dump(mode="json", exclude={"errors"} if errors is None else None),
                        status_code=status,
                        headers=dict(headers) if headers else None)


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
        return problem(exc.status_code, exc.message, field=exc.field, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        errors = [_describe(e) for e in exc.errors()]
        field, message = errors[0] if errors else ("", "invalid request")
        return problem(422, f"{field}: {message}" if field else message, field=field or None,
                       errors=[FieldProblem(field=f, message=m) for f, m in errors])

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return problem(exc.status_code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(IntegrityError)
    async def integrity_error(request: Request, exc: IntegrityError) -> Response:
        log.info("integrity conflict on %s: %s", request.url.path, exc.orig)
        return problem(409, "the request conflicts with stored data (a concurrent duplicate?); retry it")

    @app.exception_handler(DataError)
    async def unstorable_value(request: Request, exc: DataError) -> Response:
        return problem(422, "a value cannot be stored: a NUL character, or a number or text out of range")

    @app.exception_handler(OverflowError)
    async def number_overflow(request: Request, exc: OverflowError) -> Response:
        return problem(422, "a number is out of range")

    @app.exception_handler(NotStored)
    async def not_stored(request: Request, exc: NotStored) -> Response:
        return problem(503, str(exc), headers={"Retry-After": "1"})

    @app.exception_handler(OperationalError)
    async def database_busy(request: Request, exc: OperationalError) -> Response:
        log.warning("database error on %s: %s", request.url.path, exc.orig)
        return problem(503, "the database is busy; retry shortly", headers={"Retry-After": "1"})

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # Starlette's outermost middleware calls this, then re-raises: the traceback is still logged.
        return problem(500, "an unexpected error occurred; it has been logged")
