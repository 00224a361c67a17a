"""Request dependencies: the database session, the caller, and role checks."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Generic, TypeVar

from fastapi import BackgroundTasks, Depends, Path, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from centric.accounts.models import User
from centric.accounts.roles import Permission, allows
from centric.accounts.service import authenticate_token, note_token_use, token_use_is_due, web_session_for
from centric.accounts.signing import signing_key
from centric.config import Settings
from centric.db import Database, intend_to_write, wrote
from centric.errors import Forbidden, Invalid, TooManyRequests, Unauthorized
from centric.web.errors import NotStored

log = logging.getLogger("centric.web")
SESSION_COOKIE = "centric_session"
RECENT_WRITE_COOKIE = "centric_wrote"
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


def cookie_secure(request: Request) -> bool:
    """Cookies are ``Secure`` when the client reached us over HTTPS (behind a trusted proxy:
    its ``X-Forwarded-Proto``), or always with ``CENTRIC_COOKIE_SECURE``."""
    settings: Settings = request.app.state.settings
    return settings.cookie_secure or request.url.scheme == "https"


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


OWN_UNITS = "centric_own_units_of_work"
E = TypeVar("E", bound=Callable[..., object])


def own_units_of_work(endpoint: E) -> E:
    """Mark a writing route whose use-case opens its own transactions (a bulk import).

    Its request session then only reads (authentication), so on SQLite it does not hold
    the write lock that the use-case's own transactions wait for.
    """
    setattr(endpoint, OWN_UNITS, True)
    return endpoint


def get_session(request: Request) -> Iterator[Session]:
    """One unit of work per request, committed when the route returns and before its answer is sent.

    ``scope="function"`` runs this teardown before the response goes out (FastAPI's default
    runs it afterwards), so a 2xx always means stored: a failed commit becomes a 503 and
    the client never sees an id that was lost.
    """
    db: Database = request.app.state.db
    writes = request.method not in READ_METHODS and not getattr(request.scope.get("endpoint"), OWN_UNITS, False)
    yield from _unit_of_work(request, db.sessions(), writes)


def get_read_session(request: Request, primary: Annotated[Session, Depends(get_session, scope="function")]
                     ) -> Iterator[Session]:
    """For dashboards and exports: a session reading from the replica (``CENTRIC_DATABASE_REPLICA_URL``).

    Only for a GET or HEAD whose request has not written, from a browser that has not written
    in the last ``CENTRIC_REPLICA_LAG_S`` (the :data:`RECENT_WRITE_COOKIE`); anything the session
    itself writes goes to the primary, and so do its reads after that (:class:`ReplicaReads`).
    Otherwise, and when no replica is configured, it is the request's own session.
    """
    db: Database = request.app.state.db
    if (db.replica is None or request.method not in READ_METHODS or wrote(primary)
            or RECENT_WRITE_COOKIE in request.cookies):
        yield primary
        return
    yield from _unit_of_work(request, db.replica_reads())


def _unit_of_work(request: Request, session: Session, writes: bool = False) -> Iterator[Session]:
    try:
        if writes:
            intend_to_write(session)
        yield session
        try:
            session.commit()
        except Exception as exc:
            log.error("commit failed on %s %s: %s", request.method, request.url.path, exc)
            raise NotStored("the change was not stored; nothing was saved, retry the request") from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


DbSession = Annotated[Session, Depends(get_session, scope="function")]
ReadSession = Annotated[Session, Depends(get_read_session, scope="function")]
"""A session for dashboards and exports: on the read replica when one is configured and safe to use."""
AppSettings = Annotated[Settings, Depends(get_settings)]


@dataclass(frozen=True)
class Caller:
    user: User
    via: str  # "token" | "cookie"
    csrf_token: str | None = None

    def can(self, permission: Permission) -> bool:
        return allows(self.user.role, permission)


def client_address(request: Request) -> str:
    """The client's address (behind a proxy of ``CENTRIC_TRUSTED_PROXIES``: the one it forwarded)."""
    return request.client.host if request.client else "unknown"


def installation_key(request: Request, session: Session) -> bytes:
    """The installation's signing key, read once per app (it never changes while running)."""
    key = getattr(request.app.state, "signing_key", None)
    if key is None:
        settings: Settings = request.app.state.settings
        key = signing_key(session, settings.secret_key)
        request.app.state.signing_key = key
    return key


def optional_caller(request: Request, session: DbSession, background: BackgroundTasks) -> Caller | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        try:
            token, user = authenticate_token(session, request.app.state.settings, header[7:].strip(),
                                             client_address(request), key=lambda: installation_key(request, session))
        except (Unauthorized, TooManyRequests):
            session.commit()  # the failure just counted is kept, although this request fails
            raise
        if token_use_is_due(token):
            background.add_task(_note_token_use, request.app.state.db, token.id)
        request.state.user_id = user.id  # for the request's log line (centric.web.observe)
        return Caller(user=user, via="token")
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        found = web_session_for(session, cookie)
        if found is not None:
            record, user = found
            request.state.user_id = user.id
            return Caller(user=user, via="cookie", csrf_token=record.csrf_token)
    return None


def _note_token_use(db: Database, token_id: int) -> None:
    """Bookkeeping after the response, in its own unit of work: it never fails or delays a call."""
    try:
        with db.transaction() as session:
            note_token_use(session, token_id)
    except SQLAlchemyError as exc:
        log.warning("could not record the use of API token %s: %s", token_id, exc)


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

    def of(self, items: Sequence[T], total: int, count_cap: int | None = None) -> Page[T]:
        """The page; with ``count_cap``, a ``total`` above it (counting stopped there) is reported as the cap."""
        reached_end = len(items) < self.limit and (len(items) > 0 or self.offset == 0)  # total = offset + items
        if count_cap is not None and total > count_cap and not reached_end:
            at_least = max(count_cap, self.offset + len(items))
            return Page[T](items=list(items), total=at_least, total_exact=False, limit=self.limit,
                           offset=self.offset)
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
    total_exact: bool = Field(default=True, description=(
        "false when counting stopped early (a search matching very many rows): at least `total` match"))


CurrentCaller = Annotated[Caller, Depends(current_caller)]
CheckedForm = Annotated[FormData, Depends(checked_form)]
Paging = Annotated[PageRequest, Depends(page_request)]
CanReadMetrics = Annotated[Caller, Depends(require(Permission.READ_METRICS))]
CanReadCustomers = Annotated[Caller, Depends(require(Permission.READ_CUSTOMERS))]
CanWriteCustomers = Annotated[Caller, Depends(require(Permission.WRITE_CUSTOMERS))]
CanIngest = Annotated[Caller, Depends(require(Permission.INGEST))]
CanEditThemes = Annotated[Caller, Depends(require(Permission.EDIT_THEMES))]
CanReadCases = Annotated[Caller, Depends(require(Permission.READ_CASES))]
CanWorkCases = Annotated[Caller, Depends(require(Permission.WORK_CASES))]
CanConfigure = Annotated[Caller, Depends(require(Permission.CONFIGURE))]
CanSetTargets = Annotated[Caller, Depends(require(Permission.SET_TARGETS))]
CanProposeInitiatives = Annotated[Caller, Depends(require(Permission.PROPOSE_INITIATIVES))]
CanApproveInitiatives = Annotated[Caller, Depends(require(Permission.APPROVE_INITIATIVES))]
CanManageStaff = Annotated[Caller, Depends(require(Permission.MANAGE_STAFF))]
CanReadMirror = Annotated[Caller, Depends(require(Permission.READ_MIRROR))]
CanModerateIdeas = Annotated[Caller, Depends(require(Permission.MODERATE_IDEAS))]
CanWriteKb = Annotated[Caller, Depends(require(Permission.WRITE_KB))]
CanAdminUsers = Annotated[Caller, Depends(require(Permission.ADMIN_USERS))]


def form_day(value: str | None, field: str) -> date | None:
    """A ``YYYY-MM-DD`` query parameter of an HTML form; empty means "not given" (forms send empty fields)."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{field}: expected a date as YYYY-MM-DD, got {value[:40]!r}", field=field) from None
