"""Domain errors raised by services, mapped once to HTTP codes and CLI messages."""

from __future__ import annotations

from pydantic import ValidationError


class CentricError(Exception):
    """Base class of every error a service raises on purpose."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Invalid(CentricError):
    """The input is malformed or out of range."""

    status_code = 422


class NotFound(CentricError):
    """A referenced object does not exist."""

    status_code = 404


class Forbidden(CentricError):
    """The caller's role does not allow this."""

    status_code = 403


class Unauthorized(CentricError):
    """No valid credentials were given."""

    status_code = 401


class TooManyRequests(CentricError):
    """Too many failed attempts: the caller must wait ``retry_after`` seconds."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = max(1, retry_after)


class Conflict(CentricError):
    """The request conflicts with stored state (e.g. a duplicate)."""

    status_code = 409


def first_problem(exc: ValidationError) -> tuple[str | None, str]:
    """The first problem of a Pydantic validation error as (dotted field or None, message)."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ()))
    return (where or None), first.get("msg", "invalid value")


def explain(problem: Exception, *, name_field: bool = True) -> str:
    """One line for a person: ``field: message``, or the message alone when no field is named.

    A Pydantic error always names where it is; a domain error names its field only with
    ``name_field`` (forms show the message beside the field already).
    """
    if isinstance(problem, ValidationError):
        field, message = first_problem(problem)
    elif isinstance(problem, CentricError):
        field, message = (problem.field if name_field else None), problem.message
    else:
        return str(problem)
    return f"{field}: {message}" if field and field not in message else message
