"""The chat without JavaScript (``/help/chat``) and the widget's demo page (``/help/chat/demo``).

The no-JS page is a form that posts a message (or a click: yes, no, talk to a person, end)
and redirects back to the transcript (post/redirect/get); new replies show on reload. The
conversation's token travels in an HttpOnly, SameSite=Lax cookie limited to ``/help/chat``,
never in the address. Every form carries a signed token bound to the conversation it was
served for and a nonce; a post whose token names another conversation is refused (403),
and the nonce is the message's idempotency key, so a resubmitted form stores one message.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

from anyio import to_thread
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from centric.accounts.signing import sign, verify
from centric.chat import bot, customer, service
from centric.chat.locale import LANGUAGE_NAMES, LANGUAGES, choose_locale, texts
from centric.chat.models import Conversation
from centric.chat.schemas import MAX_MESSAGE, StartIn
from centric.config import Settings
from centric.db import Database
from centric.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests
from centric.web.deps import client_address, cookie_secure, installation_key
from centric.web.templating import environment

router = APIRouter()

PATH = "/help/chat"
COOKIE = "centric_chat"
COOKIE_TTL_S = 7 * 86_400
FORM_PURPOSE = "chat-form"
FORM_TTL_S = 86_400
FORM_MAX_BYTES = 16 * 1024
ACTIONS = ("send", "yes", "no", "handoff", "email", "end", "new")
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'")


@dataclass
class Visit:
    key: bytes
    locale: str
    lang: str | None
    conversation: Conversation | None = None
    cookie: str | None = None  # a new cookie value to set; "" clears it
    error: str = ""
    status: int = 200
    values: dict[str, Any] = field(default_factory=dict)

    def link(self, path: str) -> str:
        return f"{path}?{urlencode({'lang': self.lang})}" if self.lang else path


@router.get(PATH, response_class=HTMLResponse)
def chat_page(request: Request) -> Response:
    db: Database = request.app.state.db
    with db.transaction(write=False) as session:
        visit = _visit(request, session)
        return _render(request, session, visit)


@router.post(PATH, response_class=HTMLResponse)
async def chat_post(request: Request) -> Response:
    form = await _read_form(request)
    address = client_address(request)
    return await to_thread.run_sync(_post, request, form, address)


class _Refused(Exception):
    """The form's action was refused: nothing it did is kept; the page shows why."""

    def __init__(self, error: str, status: int, values: dict[str, Any] | None = None) -> None:
        super().__init__(error)
        self.error, self.status, self.values = error, status, values or {}


def _post(request: Request, form: dict[str, str] | None, address: str) -> Response:
    """Run the form's action in one transaction; the page again with the problem, or back to the transcript."""
    db: Database = request.app.state.db
    try:
        with db.transaction() as session:
            visit = _visit(request, session)
            _run(session, visit, form, address)
    except _Refused as refused:
        with db.transaction(write=False) as session:
            visit = _visit(request, session)
            visit.error, visit.status, visit.values = refused.error, refused.status, refused.values
            return _render(request, session, visit)
    except IntegrityError:  # the same form sent twice at once: the first one is stored
        return RedirectResponse(PATH, status_code=303)
    return _go(request, visit)


def _run(session: Session, visit: Visit, form: dict[str, str] | None, address: str) -> None:
    if form is None:
        raise _Refused("too_large", 413)
    try:
        nonce = read_form_token(visit.key, form.get("f", ""), visit.conversation)
        customer.limit(session, visit.key, address, "send", visit.conversation.id if visit.conversation else None)
        _act(session, visit, form, nonce)
    except Forbidden:
        raise _Refused("forbidden", 403) from None
    except TooManyRequests:
        raise _Refused("too_many", 429) from None
    except Invalid as problem:
        raise _Refused("bad_email" if problem.field == "email" else "empty", 422,
                       {"text": form.get("text", "")[:MAX_MESSAGE], "email": form.get("email", "")[:320]}) from None
    except (Conflict, NotFound):
        visit.conversation, visit.cookie = None, ""


def _act(session: Session, visit: Visit, form: dict[str, str], nonce: str) -> None:
    action = form.get("action", "send")
    if action not in ACTIONS:
        raise Invalid("unknown action", field="action")
    conversation = visit.conversation
    if action == "new" or (conversation is not None and conversation.status == "closed" and action == "send"):
        visit.conversation, visit.cookie, conversation = None, "", None
        if action == "new":
            return
    text = form.get("text", "").strip()
    if action == "send" and len(text) > MAX_MESSAGE:
        raise Invalid(f"at most {MAX_MESSAGE} characters", field="text")
    if conversation is None:
        if action != "send" or not text:
            raise Invalid("write a message first", field="text")
        conversation, token = service.start_conversation(
            session, visit.key, StartIn(channel="web", language="zh" if visit.locale == "zh" else "en",
                                        page_url=PATH, start_key=f"web:{nonce}"))
        visit.conversation, visit.cookie = conversation, f"{conversation.id}.{token}"
    if action == "send":
        service.send_message(session, conversation, text, f"web:{nonce}")
    elif action in ("yes", "no"):
        waiting = bot.pending(session, conversation)
        if waiting is not None and bot.is_answer(waiting):
            service.mark_helpful(session, conversation, waiting.id, action == "yes")
        elif waiting is not None:
            service.send_message(session, conversation, texts(visit.locale)[action], f"web:{nonce}")
    elif action == "handoff":
        service.request_handoff(session, conversation)
    elif action == "email":
        service.leave_email(session, conversation, form.get("email", ""))
    elif action == "end":
        service.end_by_customer(session, conversation)


def form_token(key: bytes, conversation: Conversation | None) -> str:
    """A form's signed token: the conversation it was served for (0: none yet) and a fresh nonce."""
    return sign(key, FORM_PURPOSE, {"c": conversation.id if conversation else 0,
                                    "n": secrets.token_urlsafe(16)}, FORM_TTL_S)


def read_form_token(key: bytes, token: str, conversation: Conversation | None) -> str:
    claims = verify(key, FORM_PURPOSE, token[:2000])
    if claims.get("c") != (conversation.id if conversation else 0) or not isinstance(claims.get("n"), str):
        raise Forbidden("this form was served for another conversation")
    return str(claims["n"])


def _visit(request: Request, session: Session) -> Visit:
    key = installation_key(request, session)
    requested = request.query_params.get("lang")
    locale = choose_locale(requested, request.headers.get("accept-language"))
    visit = Visit(key=key, locale=locale, lang=locale if requested else None)
    raw = request.cookies.get(COOKIE, "")[:300]
    number, _, token = raw.partition(".")
    if number.isdigit() and token:
        try:
            visit.conversation = service.authorise(session, int(number), token)
        except NotFound:
            visit.cookie = ""
    return visit


async def _read_form(request: Request) -> dict[str, str] | None:
    """The posted form's first values, read up to :data:`FORM_MAX_BYTES` (None: too large or not a form)."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_MAX_BYTES:
            return None
    try:
        parsed = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=20)
    except ValueError:
        return None
    return {k: v[0].replace("\x00", "") for k, v in parsed.items() if v}


def _render(request: Request, session: Session, visit: Visit) -> Response:
    settings: Settings = request.app.state.settings
    conversation = visit.conversation
    messages = []
    if conversation is not None:
        messages = customer.view(session, settings, visit.key, conversation).messages
    t = texts(visit.locale)
    languages = [(code, LANGUAGE_NAMES.get(code, code), f"{PATH}?{urlencode({'lang': code})}") for code in LANGUAGES]
    html = environment.get_template("chat/public/chat.html").render(
        t=t, locale=visit.locale, visit=visit, conversation=conversation, messages=messages,
        form_token=form_token(visit.key, conversation), languages=languages, max_message=MAX_MESSAGE,
        error=t.get(visit.error, "").format(max=MAX_MESSAGE) if visit.error else "", values=visit.values,
        action=visit.link(PATH))
    response = HTMLResponse(html, status_code=visit.status)
    _cookie(request, response, visit)
    return _secure(response)


def _go(request: Request, visit: Visit) -> Response:
    response = RedirectResponse(visit.link(PATH) + "#latest", status_code=303)
    _cookie(request, response, visit)
    return _secure(response)


def _cookie(request: Request, response: Response, visit: Visit) -> None:
    if visit.cookie:
        response.set_cookie(COOKIE, visit.cookie, max_age=COOKIE_TTL_S, path=PATH, httponly=True, samesite="lax",
                            secure=cookie_secure(request))
    elif visit.cookie == "":
        response.delete_cookie(COOKIE, path=PATH)


def _secure(response: Response) -> Response:
    """The page shows a private conversation: never stored by a cache, never framed."""
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.get(f"{PATH}/demo", response_class=HTMLResponse)
def demo_page(request: Request, t: str = "") -> Response:
    """A page of the demo hotel's website with the chat widget, as a site would embed it.

    ``?t=`` passes a visitor token (a known customer, as the ideas portal's sign-in gives)
    on to the widget.
    """
    locale = choose_locale(request.query_params.get("lang"), request.headers.get("accept-language"))
    languages = [(code, LANGUAGE_NAMES.get(code, code), f"{PATH}/demo?{urlencode({'lang': code})}")
                 for code in LANGUAGES]
    html = environment.get_template("chat/public/demo.html").render(
        t=texts(locale), locale=locale, languages=languages, visitor=t[:2000])
    return _secure(HTMLResponse(html))
