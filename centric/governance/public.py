"""Public pages of governance: turning the digest off from the link in its e-mail, without a login."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from centric import i18n
from centric.config import Settings
from centric.errors import Forbidden, NotFound
from centric.governance.digests import unsubscribe_by_token
from centric.web.deps import AppSettings, DbSession
from centric.web.templating import environment

router = APIRouter()
PAGE_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; form-action 'self'; frame-ancestors 'none'"
MAX_TOKEN = 1000


@router.get("/digest/unsubscribe", response_class=HTMLResponse)
def ask(session: DbSession, settings: AppSettings,
        token: str = Query("", max_length=MAX_TOKEN)) -> HTMLResponse:
    """Asks first: mail scanners follow links, so only the POST turns the digest off."""
    return _page(session, settings, token, act=False)


@router.post("/digest/unsubscribe", response_class=HTMLResponse)
def unsubscribe(session: DbSession, settings: AppSettings,
                token: str = Query("", max_length=MAX_TOKEN)) -> HTMLResponse:
    """The button, and RFC 8058 one-click (``List-Unsubscribe=One-Click``) from mail clients."""
    return _page(session, settings, token, act=True)


def _page(session: Session, settings: Settings, token: str, *, act: bool) -> HTMLResponse:
    state, status, detail, email, language = ("done" if act else "ask"), 200, "", "", None
    try:
        user = unsubscribe_by_token(session, settings, token, act=act)
        email, language = user.email, user.locale  # the page in the staff member's language
    except (Forbidden, NotFound) as problem:
        state, status, detail = "invalid", 403 if isinstance(problem, Forbidden) else 404, problem.message
    with i18n.use_locale(language) as locale:
        html = environment.get_template("governance/unsubscribe.html").render(
            locale="zh-CN" if locale == "zh" else locale, state=state, detail=detail, token=token, email=email,
            embed=False)
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response
