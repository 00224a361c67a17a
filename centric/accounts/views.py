"""HTML login and logout (session cookie + CSRF tokens)."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from centric import i18n
from centric.accounts import service, sso, throttle
from centric.accounts.models import User
from centric.config import Settings
from centric.db import intend_to_write
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
from centric.web.templating import page_locale, render

router = APIRouter()
LOGIN_CSRF_COOKIE = "centric_login_csrf"


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect a login to another host."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _login_page(request: Request, settings: Settings, next: str | None, token: str, error: str | None = None,
                status_code: int = 200) -> Response:
    return render(request, "login.html", status_code=status_code, next=_safe_next(next), login_csrf=token,
                  error=error, sso_enabled=settings.oidc_enabled, sso_name=settings.oidc_name,
                  password_login=settings.password_login)


@router.get("/login")
def login_page(request: Request, settings: AppSettings, next: str | None = None) -> Response:
    token = secrets.token_urlsafe(24)
    response = _login_page(request, settings, next, token)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", max_age=3600,
                        secure=cookie_secure(request))
    return response


@router.post("/login")
def login(request: Request, session: DbSession, settings: AppSettings, email: str = Form(max_length=320),
          password: str = Form(max_length=200), csrf: str = Form(default=""),
          next: str = Form(default="/")) -> Response:
    if not settings.password_login:  # SSO only (CENTRIC_PASSWORD_LOGIN=false); API tokens still work
        with i18n.use_locale(page_locale(request)):
            refusal = i18n.gettext("Password login is turned off here; sign in with single sign-on.")
        return _login_page(request, settings, next, request.cookies.get(LOGIN_CSRF_COOKIE, ""), status_code=403,
                           error=refusal)
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
    return _logged_in(request, session, settings, user, next)


def _logged_in(request: Request, session: DbSession, settings: Settings, user: User, next: str,
               via: str | None = None) -> Response:
    """Open the browser session (password or SSO alike) and go where the login was headed."""
    secret, _ = service.open_web_session(session, user, settings.session_max_age_s, via=via)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, secret, httponly=True, samesite="lax",
                        secure=cookie_secure(request), max_age=settings.session_max_age_s)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


def _provider(request: Request, settings: Settings) -> sso.Provider:
    """The app's OpenID provider client: its discovery document and keys are kept between sign-ins."""
    provider = getattr(request.app.state, "oidc_provider", None)
    if provider is None:
        provider = sso.Provider(settings)
        request.app.state.oidc_provider = provider
    return provider


def _callback_url(request: Request, settings: Settings) -> str:
    return settings.oidc_redirect_url or str(request.url_for("sso_callback"))


def _sso_problem(request: Request, problem: sso.SsoError) -> Response:
    response = render(request, "sso_error.html", status_code=problem.status_code, message=problem.message,
                      detail=problem.detail)
    if problem.status_code == 503:
        response.headers["Retry-After"] = "30"
    response.delete_cookie(sso.FLOW_COOKIE, path="/login/sso")
    return response


@router.get("/login/sso")
def sso_start(request: Request, session: DbSession, settings: AppSettings, next: str | None = None) -> Response:
    """Send the browser to the OpenID provider (code flow, PKCE S256, state and nonce in a sealed cookie)."""
    if not settings.oidc_enabled:
        return _sso_problem(request, sso.NotConfigured(sso.NOT_CONFIGURED, "CENTRIC_OIDC_ISSUER is empty"))
    flow = sso.Flow.start(_safe_next(next))
    try:
        sso.check_roles(settings)  # before the user signs in at the provider for nothing
        target = _provider(request, settings).authorization_url(flow, _callback_url(request, settings))
    except sso.SsoError as problem:
        return _sso_problem(request, problem)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(sso.FLOW_COOKIE, flow.seal(installation_key(request, session)), max_age=sso.FLOW_TTL_S,
                        path="/login/sso", httponly=True, samesite="lax", secure=cookie_secure(request))
    return response


def _begin_writing(session: DbSession) -> None:
    """This GET writes (users, the audit log): end its reads and, on SQLite, take the write lock now.

    Only after the calls to the provider, so no lock is held while they run.
    """
    session.commit()
    intend_to_write(session)


# The provider's errors (RFC 6749 §4.1.2.1) that mean "try later" rather than "no".
_PROVIDER_TROUBLE = {"server_error", "temporarily_unavailable"}


@router.get("/login/sso/callback", name="sso_callback")
def sso_callback(request: Request, session: DbSession, settings: AppSettings, code: str = "", state: str = "",
                 error: str = "", error_description: str = "") -> Response:
    """Finish the sign-in: check the flow, exchange the code, verify the ID token, then log in or refuse.

    Every refusal is a page with a 4xx (503 when the provider cannot be reached) and an audit
    entry; the flow cookie is spent either way, so the same answer cannot be replayed.
    """
    if not settings.oidc_enabled:
        return _sso_problem(request, sso.NotConfigured(sso.NOT_CONFIGURED, "CENTRIC_OIDC_ISSUER is empty"))
    key = installation_key(request, session)
    place = throttle.bucket(key, throttle.LOGIN_ADDRESS, client_address(request))[:16]
    try:
        flow = sso.Flow.open(key, request.cookies.get(sso.FLOW_COOKIE, ""))
        # An error answer may lack the state (some providers drop it); it logs no one in, so it is shown.
        if (state or not error) and not secrets.compare_digest(state.encode(), flow.state.encode()):
            raise sso.FlowRejected(sso.STATE_MISMATCH, "state mismatch")
        if error:
            described = f"{error[:60]}: {error_description[:200]}" if error_description else error[:60]
            if error in _PROVIDER_TROUBLE:
                raise sso.ProviderUnavailable(sso.UNREACHABLE, described)
            raise sso.ProviderRefused(sso.PROVIDER_REFUSED, described)
        if not code or len(code) > 2048:
            raise sso.SignInFailed(sso.NOT_ACCEPTED, "no authorization code")
        provider = _provider(request, settings)
        claims = provider.exchange(code, flow, _callback_url(request, settings))
        _begin_writing(session)
        user = sso.sign_in(session, settings, provider.metadata().issuer, claims)
    except sso.SsoError as problem:
        if not isinstance(problem, sso.Refused):  # sign_in audits its own refusals
            _begin_writing(session)
            service.audit(session, None, "user.login_failed", "user", None,
                          {"via": "sso", "reason": problem.detail[:120], "address": place})
        return _sso_problem(request, problem)
    response = _logged_in(request, session, settings, user, flow.next, via="sso")
    response.delete_cookie(sso.FLOW_COOKIE, path="/login/sso")
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
