"""HTML login and logout (session cookie + CSRF tokens)."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from centric.accounts import service
from centric.accounts.models import User
from centric.errors import Forbidden, Invalid, TooManyRequests, Unauthorized
from centric.i18n import LANGUAGES
from centric.web.deps import (
    SESSION_COOKIE,
    AppSettings,
    CheckedForm,
    CurrentCaller,
    DbSession,
    client_address,
    cookie_secure,
    installation_key,
)
from centric.web.templating import render

router = APIRouter()
LOGIN_CSRF_COOKIE = "centric_login_csrf"


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect a login to another host."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", next=_safe_next(next), login_csrf=token, error=None)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", max_age=3600,
                        secure=cookie_secure(request))
    return response


@router.post("/login")
def login(request: Request, session: DbSession, settings: AppSettings, email: str = Form(max_length=320),
          password: str = Form(max_length=200), csrf: str = Form(default=""),
          next: str = Form(default="/")) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, csrf):
        raise Forbidden("the login form expired; reload the page and try again")
    try:
        user = service.log_in(session, settings, installation_key(request, session), email, password,
                              client_address(request))
    except (Unauthorized, TooManyRequests) as problem:  # the page again; the failure is counted and kept
        page = render(request, "login.html", status_code=problem.status_code, next=_safe_next(next),
                      login_csrf=expected, error=problem.message)
        if isinstance(problem, TooManyRequests):
            page.headers["Retry-After"] = str(problem.retry_after)
        return page
    secret, _ = service.open_web_session(session, user, settings.session_max_age_s)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, secret, httponly=True, samesite="lax",
                        secure=cookie_secure(request), max_age=settings.session_max_age_s)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, session: DbSession, _: CheckedForm) -> Response:
    service.close_web_session(session, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/account/language")
def choose_language(caller: CurrentCaller, session: DbSession, _: CheckedForm,
                    language: str = Form(default="", max_length=10), next: str = Form(default="/")) -> Response:
    """Keep the staff member's UI language (empty: follow the browser's Accept-Language)."""
    if language and language not in LANGUAGES:
        raise Invalid(f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)} or none")
    user = session.get(User, caller.user.id)
    assert user is not None
    user.locale = language or None
    session.commit()
    return RedirectResponse(_safe_next(next), status_code=303)
