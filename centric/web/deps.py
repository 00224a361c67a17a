"""Request dependencies: the database session, the caller, and role checks."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Path, Query, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

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
MAX_LIMIT = 1000
MAX_OFFSET = 10**9
MAX_FORM_FIELDS = 5000
T = TypeVar("T")


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


DbSession = Annotated[Session, Depends(get_session)]
AppSettings = Annotated[Settings, Depends(get_settings)]


@dataclass(frozen=True)
class Caller:
    user: User
    via: str  # "token" | "cookie"
    csrf_token: str | None = None

    def can(self, permission: Permission) -> bool:
        return allows(self.user.role, permission)


def optional_caller(request: Request, session: DbSession) -> Caller | None:
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


def current_caller(request: Request, caller: Annotated[Caller | None, Depends(optional_caller)]) -> Caller:
    if caller is None:
        raise Unauthorized("log in or send 'Authorization: Bearer <token>'")
    if caller.via == "cookie" and request.method not in SAFE_METHODS and request.url.path.startswith("/api/"):
        sent = request.headers.get(CSRF_HEADER, "")
        if not secrets.compare_digest(sent, caller.csrf_token or ""):
            raise Forbidden("missing or wrong X-CSRF-Token header for a cookie-authenticated call")
    return caller


def require(permission: Permission) -> Callable[[Caller], Caller]:
    """A dependency that lets the call through only for roles granting ``permission``."""

    def check(caller: Caller = Depends(current_caller)) -> Caller:
        if not caller.can(permission):
            raise Forbidden(f"the {caller.user.role} role may not do this (needs {permission.value})")
        return caller

    return check


def check_form_csrf(caller: Caller, sent: str) -> None:
    """A cookie-authenticated form must carry the session's CSRF token (tokens need none)."""
    if caller.via == "cookie" and not secrets.compare_digest(sent, caller.csrf_token or ""):
        raise Forbidden("the form's CSRF token is missing or wrong; reload the page")


async def checked_form(request: Request, caller: Caller = Depends(current_caller)) -> FormData:
    """The posted HTML form, once its ``csrf`` field matched the caller's session."""
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    sent = form.get("csrf")
    check_form_csrf(caller, sent if isinstance(sent, str) else "")
    return form


@dataclass(frozen=True)
class PageRequest:
    """Which slice of a list the caller asked for."""

    limit: int
    offset: int

    def of(self, items: Sequence[T], total: int) -> Page[T]:
        return Page[T](items=list(items), total=total, limit=self.limit, offset=self.offset)

    def cut(self, every: Sequence[T]) -> Page[T]:
        """The page of a complete list held in memory (a fixed, short one such as the survey templates)."""
        return self.of(every[self.offset:self.offset + self.limit], len(every))


def page_request(
    limit: int = Query(default=50, ge=1, le=MAX_LIMIT, description="items per page"),
    offset: int = Query(default=0, ge=0, le=MAX_OFFSET, description="items to skip"),
) -> PageRequest:
    return PageRequest(limit=limit, offset=offset)


class Page(BaseModel, Generic[T]):
    """One page of a list: the items, how many match in all, and the slice asked for."""

    items: list[T]
    total: int
    limit: int
    offset: int


CurrentCaller = Annotated[Caller, Depends(current_caller)]
CheckedForm = Annotated[FormData, Depends(checked_form)]
Paging = Annotated[PageRequest, Depends(page_request)]
CanReadMetrics = Annotated[Caller, Depends(require(Permission.READ_METRICS))]
CanReadCustomers = Annotated[Caller, Depends(require(Permission.READ_CUSTOMERS))]
CanWriteCustomers = Annotated[Caller, Depends(require(Permission.WRITE_CUSTOMERS))]
CanIngest = Annotated[Caller, Depends(require(Permission.INGEST))]
CanEditThemes = Annotated[Caller, Depends(require(Permission.EDIT_THEMES))]
CanConfigure = Annotated[Caller, Depends(require(Permission.CONFIGURE))]
CanAdminUsers = Annotated[Caller, Depends(require(Permission.ADMIN_USERS))]
