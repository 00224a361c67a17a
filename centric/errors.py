"""Domain errors raised by services, mapped once to HTTP codes and CLI messages."""

from __future__ import annotations


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


class Conflict(CentricError):
    """The request conflicts with stored state (e.g. a duplicate)."""

    status_code = 409
