"""Request dependencies: the database session, the caller, and role checks."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from centric.accounts.models import User
from centric.accounts.roles import Permission, allows
from centric.accounts.service import user_for_token, web_session_for
from centric.config import Settings
from centric.db import Database, intend_to_write
from centric.errors import Forbidden, Unauthorized

SESSION_COOKIE = "centric_session"
MAX_ID = 2**63 - 1
ObjectId = Annotated[int, Path(ge=1, le=MAX_ID, description="numeric id")]
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_db(request: Request) -> Database:
    return request.app.state.db


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request) -> Iterator[Session]:
    """One unit of work per request: committed when the route succeeds."""
    db: Database = request.app.state.db
    session = db.sessions()
    try:
        if request.method not in READ_METHODS:
            intend_to_write(session)
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@dataclass(frozen=True)
class Caller:
    user: User
    via: str  # "token" | "cookie"
    csrf_token: str | None = None

    def can(self, permission: Permission) -> bool:
        return allows(self.user.role, permission)


def optional_caller(request: Request, session: Session = Depends(get_session)) -> Caller | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = user_for_token(session, header[7:].strip())
        if user is None:
            raise Unauthorized("the API token is invalid or revoked")
        session.commit()  # the token's last use is its own unit of work; never hold a lock for the request
        return Caller(user=user, via="token")
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        found = web_session_for(session, cookie)
        if found is not None:
            record, user = found
            return Caller(user=user, via="cookie", csrf_token=record.csrf_token)
    return None


def current_caller(request: Request, caller: Caller | None = Depends(optional_caller)) -> Caller:
    if caller is None:
        raise Unauthorized("log in or send 'Authorization: Bearer <token>'")
    if caller.via == "cookie" and request.method not in SAFE_METHODS and request.url.path.startswith("/api/"):
        sent = request.headers.get(CSRF_HEADER, "")
        if not secrets.compare_digest(sent, caller.csrf_token or ""):
            raise Forbidden("missing or wrong X-CSRF-Token header for a cookie-authenticated call")
    return caller


def require(permission: Permission):  # type: ignore[no-untyped-def]
    """A dependency that lets the call through only for roles granting ``permission``."""

    def check(caller: Caller = Depends(current_caller)) -> Caller:
        if not caller.can(permission):
            raise Forbidden(f"the {caller.user.role} role may not do this (needs {permission.value})")
        return caller

    return check
