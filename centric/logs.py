"""Log lines for operators: plain text in a terminal, one JSON object per line in production.

``CENTRIC_LOG_FORMAT=json`` (or ``text``; default ``auto``: text when stderr is a terminal,
JSON otherwise) chooses the format, ``CENTRIC_LOG_LEVEL`` the level (both read by the
settings and passed to :func:`configure`). Every record carries the
request id of the request (or job) it belongs to: the web app sets it per request from a
valid ``X-Request-ID`` header or a fresh one, :func:`centric.jobs.enqueue` stores it with
each job enqueued during the request, and the worker sets it again while it runs the job.
So one id follows a submission from the proxy's access log to the job that enriched it.

Records never carry e-mail addresses, tokens, passwords or query strings: the request
line logs the route template (``/api/v1/cases/{case_id}``) and the user's numeric id.
"""

from __future__ import annotations

import json
import logging
import random
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

REQUEST_ID_HEADER = "x-request-id"
_VALID_ID = re.compile(r"[A-Za-z0-9._:\-]{1,64}")
_request_id: ContextVar[str | None] = ContextVar("centric_request_id", default=None)

# LogRecord attributes every record has; anything else a caller passed in ``extra`` is logged as a field.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {
    "message", "asctime", "request_id", "taskName", "color_message"}


def valid_request_id(value: str | None) -> str | None:
    """``value`` when it is a safe request id (1–64 letters, digits, ``. _ : -``), else None."""
    return value if value is not None and _VALID_ID.fullmatch(value) else None


def new_request_id() -> str:
    """32 random hex digits, as a UUID4's hex. Not a secret, so drawn from :mod:`random` (seeded from
    the OS at start-up and again in each forked child) rather than ``os.urandom``: no system call on the
    hot path, where a call releases the GIL and may wait for the survey writer thread to hand it back."""
    return f"{random.getrandbits(128):032x}"


def current_request_id() -> str | None:
    return _request_id.get()


@contextmanager
def request_context(request_id: str | None) -> Iterator[None]:
    """Records logged inside the block (in this thread or task) carry ``request_id``."""
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` (None outside a request or job)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id and the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or _request_id.get(),
            "pid": record.process,
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``time level logger [request id] message key=value…`` for people reading a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        fields = "".join(f" {k}={v}" for k, v in record.__dict__.items()
                         if k not in _STANDARD and not k.startswith("_"))
        line = (f"{self.formatTime(record)} {record.levelname} {record.name} "
                f"{f'[{request_id}] ' if request_id else ''}{record.getMessage()}{fields}")
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def log_format(chosen: str = "auto") -> str:
    """``json`` or ``text`` (``CENTRIC_LOG_FORMAT``); ``auto``: text in a terminal, JSON otherwise."""
    chosen = chosen.strip().lower()
    if chosen in ("json", "text"):
        return chosen
    return "text" if sys.stderr.isatty() else "json"


_HANDLER_NAME = "centric-log"


def configure(fmt: str = "auto", level: str = "INFO") -> None:
    """Send the root logger's records to stderr in ``fmt``; idempotent (a second call replaces the first)."""
    fmt = log_format(fmt)
    level = level.upper()
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    root.setLevel(level if level in logging.getLevelNamesMapping() else "INFO")
    # uvicorn's own loggers go through the root handler (its access log is replaced by ours)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
