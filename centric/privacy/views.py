"""HTML pages: a customer's privacy page for admins, and the public unsubscribe page."""

from __future__ import annotations

import json

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from centric import i18n
from centric.config import Settings
from centric.customers.models import Customer
from centric.customers.service import get_customer, identities_for
from centric.errors import Forbidden, Invalid, NotFound
from centric.outreach import service as outreach
from centric.outreach.unsubscribe import read_unsubscribe_token
from centric.privacy import service
from centric.surveys.locale import pick_locale, texts
from centric.web import exports
from centric.web.deps import AppSettings, Caller, CanAdminUsers, CheckedForm, DbSession
from centric.web.templating import environment, render

router = APIRouter()

# The erasure report's counts and invitation states, shown as stored ("_" read as " ") and translated where shown.
SHOWN_AS_STORED = (i18n.N_("profiles"), i18n.N_("responses anonymised"), i18n.N_("answers deleted"),
                   i18n.N_("feedback deleted"), i18n.N_("case text erased"), i18n.N_("chat text erased"),
                   i18n.N_("idea authorship erased"), i18n.N_("invitations deleted"), i18n.N_("events deleted"),
                   i18n.N_("identities deleted"), i18n.N_("scheduled"), i18n.N_("queued"), i18n.N_("sent"),
                   i18n.N_("failed"), i18n.N_("suppressed"), i18n.N_("answered"))
UNSUBSCRIBE_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; form-action 'self'; frame-ancestors 'none'"
UNSUBSCRIBE_TEXTS = {
    "en": {"title": "Unsubscribe", "ask": "Stop receiving survey and feedback e-mails from us?",
           "button": "Unsubscribe", "done": "You are unsubscribed. You will receive no more of these e-mails.",
           "unavailable": "Unsubscribing is not available right now. Please try again later."},
    "zh": {"title": "退订", "ask": "不再接收我们的问卷和反馈邮件？", "button": "退订",
           "done": "您已成功退订，今后不会再收到此类邮件。", "unavailable": "暂时无法退订，请稍后再试。"},
}


@router.get("/customers/{customer_id}/privacy", response_class=HTMLResponse)
def privacy_page(customer_id: int, request: Request, session: DbSession, caller: CanAdminUsers) -> Response:
    customer = get_customer(session, customer_id)
    if fmt := exports.requested(request):
        return exports.respond(_contact_table(session, customer.id, request.query_params.get("table")
                                              or "invitations"), fmt)
    return _privacy_page(request, session, caller, customer)


SHOWN_CONTACTS = 20
INVITATION_COLUMNS: tuple[exports.Column, ...] = ("id", "survey", "channel", "status", "sent_at", "answered_at")
SKIP_COLUMNS: tuple[exports.Column, ...] = ("id", "at", "survey", "channel", "rule", "reason")


def _contact_table(session: Session, customer_id: int, name: str) -> exports.Table:
    """The page's latest ``invitations`` or ``skips`` of one customer (admins only, as the page)."""
    if name == "invitations":
        return exports.table_of(f"customer-{customer_id}-invitations", outreach.list_invitations(
            session, customer_id=customer_id, limit=SHOWN_CONTACTS), INVITATION_COLUMNS)
    if name == "skips":
        return exports.table_of(f"customer-{customer_id}-skipped-invitations", outreach.list_skips(
            session, customer_id=customer_id, limit=SHOWN_CONTACTS), SKIP_COLUMNS)
    raise Invalid(f"table: expected invitations or skips, got {name[:20]!r}", field="table")


def _privacy_page(request: Request, session: Session, caller: Caller, customer: Customer, *,
                  error: str | None = None, status: int = 200) -> HTMLResponse:
    """Export, erasure, and how Centric may contact the customer (unsubscribes, invitations, skips)."""
    return render(request, "privacy/customer.html", status_code=status, caller=caller, customer=customer,
                  identities=identities_for(session, customer.id), report=None, error=error,
                  suppressions=outreach.suppressions_of(session, customer.id),
                  invitations=outreach.list_invitations(session, customer_id=customer.id, limit=SHOWN_CONTACTS),
                  skips=outreach.list_skips(session, customer_id=customer.id, limit=SHOWN_CONTACTS))


@router.get("/customers/{customer_id}/privacy/export.json")
def download_export(customer_id: int, session: DbSession, caller: CanAdminUsers) -> Response:
    export = service.export_customer(session, customer_id, caller.user.id)
    body = json.dumps(export.model_dump(mode="json"), ensure_ascii=False, indent=2)
    return Response(body, media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="customer-{export.customer_id}.json"',
        "Cache-Control": "no-store"})


@router.post("/customers/{customer_id}/privacy/erase", response_class=HTMLResponse)
def erase(customer_id: int, request: Request, session: DbSession, caller: CanAdminUsers, _: CheckedForm,
          confirm: str = Form(default="", max_length=40)) -> HTMLResponse:
    customer = get_customer(session, customer_id)
    try:
        report = service.erase_customer(session, customer.id, confirm, caller.user.id)
    except Invalid as problem:
        return _privacy_page(request, session, caller, customer, error=problem.message, status=422)
    return render(request, "privacy/customer.html", caller=caller, customer=None, identities=[],
                  report=report, error=None)


@router.get("/u/{token}", response_class=HTMLResponse)
def unsubscribe_page(token: str, request: Request, session: DbSession, settings: AppSettings) -> HTMLResponse:
    """Asks first: mail scanners follow links, so only the POST unsubscribes."""
    return _unsubscribe(request, session, settings, token, act=False)


@router.post("/u/{token}", response_class=HTMLResponse)
def unsubscribe(token: str, request: Request, session: DbSession, settings: AppSettings) -> HTMLResponse:
    """The button, and RFC 8058 one-click (``List-Unsubscribe=One-Click``) from mail clients."""
    return _unsubscribe(request, session, settings, token, act=True)


def _unsubscribe(request: Request, session: Session, settings: Settings, token: str, *, act: bool) -> HTMLResponse:
    locale = pick_locale(["en", "zh"], request.query_params.get("lang"), request.headers.get("accept-language"))
    words = UNSUBSCRIBE_TEXTS[locale]
    state, status = "ask", 200
    try:
        customer_id, channel = read_unsubscribe_token(session, settings, token)
    except (Forbidden, Invalid) as problem:
        state, status, detail = "invalid", 403, problem.message
    else:
        detail = ""
        if act:
            try:
                outreach.unsubscribe(session, customer_id, channel=channel, reason="unsubscribe link")
            except NotFound:  # erased meanwhile: there is nobody left to write to
                pass
            state = "done"
    html = environment.get_template("privacy/unsubscribe.html").render(
        locale=locale, w=words, t=texts(locale), state=state, detail=detail, token=token, embed=False)
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Security-Policy"] = UNSUBSCRIBE_CSP
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response
