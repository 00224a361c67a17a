"""The public ideas portal: browse without an account; vote, comment and post once identified.

Identification is a signed visitor token (``centric.customers.visitors``) in an HttpOnly,
SameSite=Lax cookie, set when the visitor opens a sign-in link or a link from a survey's
thank-you page (``?t=…``; the page then reloads without it). Every form carries a signed
token bound to the visitor's customer id and a nonce: a POST whose token names another
identity is refused (403), and the nonce makes a resubmitted form store one idea or
comment. Pages work without JavaScript; the submit page loads the suggestion script when
it is there. Hostile input (huge or garbled forms, bad ids, bad tokens) gets a 4xx page.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

from anyio import CapacityLimiter, to_thread
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from centric.accounts.signing import sign, verify
from centric.customers.service import get_customer
from centric.customers.visitors import COOKIE_TTL_S, read_visitor_token, visitor_token
from centric.db import Database
from centric.errors import Forbidden, Invalid, NotFound
from centric.ideas import participation, portal, signin
from centric.ideas.locale import LANGUAGE_NAMES, LANGUAGES, choose_locale, texts
from centric.ideas.models import REPORT_REASONS, STATUSES
from centric.ideas.similar import suggest
from centric.surveys import ratelimit
from centric.surveys.respond import HONEYPOT
from centric.web.deps import client_address, installation_key
from centric.web.templating import environment

router = APIRouter()

COOKIE = "centric_visitor"
FORM_PURPOSE = "ideas-form"
FORM_TTL_S = 2 * 86_400
FORM_MAX_BYTES = 32 * 1024
FORM_MAX_FIELDS = 40
MAX_ID = 2**31 - 1
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'")
# Hits per hour: (per client address, per customer)
LIMITS = {"check": (60, 60), "vote": (240, 120), "comment": (40, 20), "idea": (20, 10), "report": (30, 15)}
NOTICES = ("voted", "unvoted", "comment_pending", "idea_pending", "reported")


@dataclass
class Visit:
    """Who is looking, in which language."""

    key: bytes
    locale: str
    lang: str | None  # the ?lang= asked for explicitly (kept in links)
    viewer_id: int | None = None
    viewer_name: str = ""
    token_id: int | None = None  # the customer id the cookie names (before following merges)
    extra: dict[str, Any] = field(default_factory=dict)

    def link(self, path: str, **params: Any) -> str:
        query = {k: v for k, v in params.items() if v not in (None, "")}
        if self.lang:
            query["lang"] = self.lang
        return f"{path}?{urlencode(query)}" if query else path


@dataclass(frozen=True)
class Page:
    template: str
    context: dict[str, Any]
    status: int = 200


@dataclass(frozen=True)
class Message:
    title: str
    text: str
    status: int
    back: str = ""
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Go:
    url: str
    cookie: str | None = None  # a new visitor token; "" clears the cookie


View = Page | Message | Go


# --- pages -------------------------------------------------------------------------------

@router.get("/ideas", response_class=HTMLResponse)
async def boards_page(request: Request) -> Response:
    return await _view(request, lambda session, visit: Page("ideas/public/boards.html",
                                                            {"boards": portal.boards(session)}))


@router.get("/ideas/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str = "/ideas") -> Response:  # noqa: A002
    return await _view(request, lambda session, visit: Page("ideas/public/login.html", {
        "next": signin.safe_next(next), "form_token": form_token(visit.key, None)}))


@router.post("/ideas/login", response_class=HTMLResponse)
async def login_submit(request: Request) -> Response:
    address = client_address(request)

    def use_case(session: Session, visit: Visit, form: Form) -> View:
        next_path = signin.safe_next(form.one("next"))
        email = signin.valid_email(form.one("email"))
        if email is None:
            return Page("ideas/public/login.html", {"next": next_path, "form_token": form_token(visit.key, None),
                                                   "error": "bad_email", "email": form.one("email")[:320],
                                                   "name": form.one("name")[:80]}, 422)
        signin.request_sign_in(session, visit.key, email=email, name=form.one("name")[:80], address=address,
                               next_path=next_path, locale=visit.locale)
        return Page("ideas/public/message.html", {"title": "check_inbox", "text": "check_inbox_text"})

    return await _post(request, use_case, identity=False)


@router.get("/ideas/logout")
def logout(request: Request) -> Response:
    response = RedirectResponse("/ideas", status_code=303)
    response.delete_cookie(COOKIE, path="/ideas")
    return response


@router.get("/ideas/b/{board_key}", response_class=HTMLResponse)
async def board_page(board_key: str, request: Request, sort: str = "trending", status: str = "",
                     page: str = "1") -> Response:
    def use_case(session: Session, visit: Visit) -> View:
        board = portal.active_board(session, board_key)
        listing = portal.board_ideas(session, board, sort=sort, status=status or None, page=_int(page, 1),
                                     viewer_id=visit.viewer_id)
        tokens = {i.id: form_token(visit.key, visit.viewer_id) for i in listing.ideas} if visit.viewer_id else {}
        return Page("ideas/public/board.html", {"board": board, "listing": listing, "tokens": tokens,
                                                "statuses": [s for s in STATUSES if s != "duplicate"]})

    return await _view(request, use_case)


@router.get("/ideas/b/{board_key}/new", response_class=HTMLResponse)
async def new_idea_page(board_key: str, request: Request) -> Response:
    def use_case(session: Session, visit: Visit) -> View:
        board = portal.active_board(session, board_key)
        if visit.viewer_id is None:
            return Go(_login_url(visit, f"/ideas/b/{board.key}/new"))
        return Page("ideas/public/submit.html", {"board": board, "values": {"name": visit.viewer_name},
                                                 "form_token": form_token(visit.key, visit.viewer_id)})

    return await _view(request, use_case)


@router.post("/ideas/b/{board_key}/new", response_class=HTMLResponse)
async def new_idea_submit(board_key: str, request: Request) -> Response:
    def use_case(session: Session, visit: Visit, form: Form) -> View:
        board = portal.active_board(session, board_key)
        assert visit.viewer_id is not None
        values = {"title": form.one("title"), "body": form.one("body"), "name": form.one("name")}
        token = form.one("f")
        try:
            participation.check_idea(values["title"], values["body"], values["name"])
        except Invalid as problem:
            return Page("ideas/public/submit.html", {"board": board, "values": values, "form_token": token,
                                                     "error": _problem_text(problem)}, 422)
        step = form.one("step")
        if step == "edit":
            return Page("ideas/public/submit.html", {"board": board, "values": values, "form_token": token})
        if step != "post":
            _limit(session, visit, "check", form.address)
            similar = suggest(session, f"{values['title']} {values['body']}", board_id=board.id)
            return Page("ideas/public/check.html", {
                "board": board, "values": values, "form_token": token, "similar": similar,
                "vote_tokens": {s.idea_id: form_token(visit.key, visit.viewer_id) for s in similar}})
        _limit(session, visit, "idea", form.address)
        posted = participation.submit_idea(session, board, visit.viewer_id, title=values["title"],
                                           body=values["body"], author_name=values["name"], nonce=form.nonce)
        return Go(visit.link(f"/ideas/i/{posted.id}", notice="idea_pending" if posted.pending else None))

    return await _post(request, use_case)


@router.get("/ideas/i/{idea_id}", response_class=HTMLResponse)
async def idea_page(idea_id: str, request: Request, reply: str = "", report: str = "", notice: str = "",
                    merged: str = "") -> Response:
    def use_case(session: Session, visit: Visit) -> View:
        shown = portal.idea_page(session, _id(idea_id), visit.viewer_id)
        if isinstance(shown, portal.MovedTo):
            return Go(visit.link(f"/ideas/i/{shown.idea_id}", merged="1"))
        token = form_token(visit.key, visit.viewer_id) if visit.viewer_id else ""
        return Page("ideas/public/idea.html", {
            "page": shown, "idea": shown.idea, "board": shown.board, "form_token": token,
            "reply_to": _int(reply, 0), "report_of": _int(report, 0), "notice": notice if notice in NOTICES else "",
            "merged": merged == "1", "reasons": REPORT_REASONS,
            "budget_left": None})

    return await _view(request, use_case)


@router.post("/ideas/i/{idea_id}/vote", response_class=HTMLResponse)
async def vote(idea_id: str, request: Request) -> Response:
    def use_case(session: Session, visit: Visit, form: Form) -> View:
        assert visit.viewer_id is not None
        _limit(session, visit, "vote", form.address)
        participation.vote(session, _id(idea_id), visit.viewer_id)
        return Go(_back(visit, form, _id(idea_id), "voted"))

    return await _post(request, use_case, back=f"/ideas/i/{idea_id}")


@router.post("/ideas/i/{idea_id}/unvote", response_class=HTMLResponse)
async def unvote(idea_id: str, request: Request) -> Response:
    def use_case(session: Session, visit: Visit, form: Form) -> View:
        assert visit.viewer_id is not None
        _limit(session, visit, "vote", form.address)
        participation.unvote(session, _id(idea_id), visit.viewer_id)
        return Go(_back(visit, form, _id(idea_id), "unvoted"))

    return await _post(request, use_case, back=f"/ideas/i/{idea_id}")


@router.post("/ideas/i/{idea_id}/comment", response_class=HTMLResponse)
async def comment(idea_id: str, request: Request) -> Response:
    def use_case(session: Session, visit: Visit, form: Form) -> View:
        assert visit.viewer_id is not None
        _limit(session, visit, "comment", form.address)
        parent = form.one("parent")
        posted = participation.comment(session, _id(idea_id), visit.viewer_id, body=form.one("body"),
                                       author_name=form.one("name") or visit.viewer_name, nonce=form.nonce,
                                       parent_id=_id(parent) if parent else None)
        anchor = f"#comment-{posted.id}"
        return Go(visit.link(f"/ideas/i/{_id(idea_id)}", notice="comment_pending" if posted.pending else None)
                  + anchor)

    return await _post(request, use_case, back=f"/ideas/i/{idea_id}")


@router.post("/ideas/i/{idea_id}/report", response_class=HTMLResponse)
async def report(idea_id: str, request: Request) -> Response:
    def use_case(session: Session, visit: Visit, form: Form) -> View:
        assert visit.viewer_id is not None
        _limit(session, visit, "report", form.address)
        target = form.one("comment")
        participation.report(session, _id(idea_id), visit.viewer_id, reason=form.one("reason"),
                             text=form.one("text"), comment_id=_id(target) if target else None)
        return Go(visit.link(f"/ideas/i/{_id(idea_id)}", notice="reported"))

    return await _post(request, use_case, back=f"/ideas/i/{idea_id}")


# --- form tokens -------------------------------------------------------------------------

def form_token(key: bytes, customer_id: int | None) -> str:
    """A form's signed token: the identity it was served to (0: nobody) and a fresh nonce."""
    return sign(key, FORM_PURPOSE, {"c": customer_id or 0, "n": secrets.token_urlsafe(12)}, FORM_TTL_S)


def read_form_token(key: bytes, token: str, customer_id: int | None) -> str:
    """The nonce of a form served to ``customer_id``; :class:`Forbidden` for any other token."""
    claims = verify(key, FORM_PURPOSE, token)
    if claims.get("c") != (customer_id or 0) or not isinstance(claims.get("n"), str):
        raise Forbidden("this form was served to someone else")
    return str(claims["n"])


@dataclass(frozen=True)
class Form:
    fields: dict[str, list[str]]
    nonce: str
    address: str

    def one(self, name: str) -> str:
        values = self.fields.get(name) or [""]
        return values[0]


# --- plumbing ----------------------------------------------------------------------------

class _Limited(Exception):
    pass


def _limit(session: Session, visit: Visit, action: str, address: str) -> None:
    """Count one ``action`` per client address and per customer; over either limit: 429."""
    per_address, per_customer = LIMITS[action]
    scope = f"ideas:{action}"
    by_address = ratelimit.hit(session, ratelimit.bucket_for(visit.key, address, scope))
    by_customer = ratelimit.hit(session, ratelimit.bucket_for(visit.key, f"customer:{visit.token_id}", scope))
    if by_address > per_address or by_customer > per_customer:
        raise _Limited()


def _id(text: str) -> int:
    value = _int(text, 0)
    if not 0 < value <= MAX_ID:
        raise NotFound("no such idea or comment")
    return value


def _int(text: str, default: int) -> int:
    text = text.strip()
    if not text.isdigit() or len(text) > 10:
        return default
    return int(text)


def _login_url(visit: Visit, next_path: str) -> str:
    return visit.link("/ideas/login", next=next_path)


def _back(visit: Visit, form: Form, idea_id: int, notice: str) -> str:
    back = form.one("back")
    if back.startswith("/ideas/b/") and signin.safe_next(back) == back:
        return back
    return visit.link(f"/ideas/i/{idea_id}", notice=notice)


def _problem_text(problem: Invalid) -> str:
    return {"title": "needs_title", "body": "too_long", "name": "too_long"}.get(problem.field or "", "needs_title")


def _key(request: Request, db: Database) -> bytes:
    key = getattr(request.app.state, "signing_key", None)
    if key is None:
        with db.transaction() as session:
            key = installation_key(request, session)
    return bytes(key)


def _visit(request: Request, key: bytes) -> Visit:
    locale = choose_locale(request.query_params.get("lang"), request.headers.get("accept-language"))
    requested = request.query_params.get("lang")
    lang = locale if requested else None
    visit = Visit(key=key, locale=locale, lang=lang)
    cookie = request.cookies.get(COOKIE, "")
    if cookie:
        try:
            visit.token_id = read_visitor_token(key, cookie[:2000])
        except Forbidden:
            visit.token_id = None
    return visit


def _identify(session: Session, visit: Visit) -> None:
    if visit.token_id is None:
        return
    try:
        customer = get_customer(session, visit.token_id)
    except NotFound:
        return
    visit.viewer_id, visit.viewer_name = customer.id, customer.name or ""


async def _view(request: Request, use_case: Callable[[Session, Visit], View]) -> Response:
    """A GET page: a ``?t=`` link first signs the visitor in and reloads without it."""
    db: Database = request.app.state.db

    def execute() -> tuple[Visit, View]:
        key = _key(request, db)
        visit = _visit(request, key)
        if request.query_params.get("t"):
            return visit, _arrive(request, visit, db)
        try:
            with db.transaction(write=False) as session:
                _identify(session, visit)
                return visit, use_case(session, visit)
        except NotFound:
            return visit, Message("not_found_title", "not_found", 404, back="/ideas")
        except OperationalError:
            return visit, Message("too_many_title", "too_many", 503)

    visit, view = await to_thread.run_sync(execute)
    return _render(request, visit, view)


def _arrive(request: Request, visit: Visit, db: Database) -> View:
    """Exchange a survey thank-you link's visitor token, or a sign-in link's token, for the portal cookie."""
    token = request.query_params.get("t", "")[:2000]
    try:
        customer_id = read_visitor_token(visit.key, token)
    except Forbidden:
        try:
            with db.transaction() as session:
                customer_id = signin.redeem_sign_in(session, visit.key, token)
        except Forbidden:
            return Message("forbidden_title", "forbidden", 403, back="/ideas/login")
    rest = [(k, v) for k, v in request.query_params.multi_items() if k != "t"]
    url = request.url.path + (f"?{urlencode(rest)}" if rest else "")
    return Go(url, cookie=visitor_token(visit.key, customer_id, COOKIE_TTL_S))


async def _post(request: Request, use_case: Callable[[Session, Visit, Form], View], *, identity: bool = True,
                back: str = "/ideas") -> Response:
    """A POST: read the form (bounded), check identity, token and honeypot, run ``use_case`` in one transaction."""
    db: Database = request.app.state.db
    raw = await _read_form(request)
    address = client_address(request)

    def execute() -> tuple[Visit, View]:
        key = _key(request, db)
        visit = _visit(request, key)
        if isinstance(raw, Message):
            return visit, raw
        if identity and visit.token_id is None:
            return visit, Go(_login_url(visit, signin.safe_next(back)))
        try:
            nonce = read_form_token(key, (raw.get("f") or [""])[0][:2000], visit.token_id if identity else None)
        except Forbidden:
            return visit, Message("forbidden_title", "forbidden", 403, back=back)
        if any(v.strip() for v in raw.get(HONEYPOT, [])):
            return visit, Go(visit.link("/ideas"))  # a bot: answer like a success, store nothing
        form = Form(raw, nonce, address)
        for attempt in (1, 2):
            try:
                with db.transaction() as session:
                    _identify(session, visit)
                    if identity and visit.viewer_id is None:
                        return visit, Go(_login_url(visit, signin.safe_next(back)))
                    return visit, use_case(session, visit, form)
            except IntegrityError:
                if attempt == 2:  # a concurrent double submit: the retry finds the first one
                    return visit, Message("too_many_title", "too_many", 409, back=back)
            except _Limited:
                return visit, Message("too_many_title", "too_many", 429, back=back)
            except participation.Refused as refused:
                return visit, _refusal(refused, back)
            except NotFound:
                return visit, Message("not_found_title", "not_found", 404, back="/ideas")
            except Invalid:
                return visit, Message("bad_request_title", "bad_request", 422, back=back)
            except OperationalError:
                return visit, Message("too_many_title", "too_many", 503, back=back)
        raise AssertionError("unreachable")

    limiter = _writer_limiter(request) if db.dialect == "sqlite" else None
    visit, view = await to_thread.run_sync(execute, limiter=limiter)
    return _render(request, visit, view)


def _refusal(refused: participation.Refused, back: str) -> Message:
    if refused.code == "budget":
        return Message("budget_title", "budget", 409, back=back, args={"n": refused.used})
    return Message("refused_title", f"refused_{refused.code}", 409, back=back)


def _writer_limiter(request: Request) -> CapacityLimiter:
    limiter = getattr(request.app.state, "ideas_writer_limiter", None)
    if limiter is None:
        limiter = request.app.state.ideas_writer_limiter = CapacityLimiter(1)
    return limiter


async def _read_form(request: Request) -> dict[str, list[str]] | Message:
    """The posted form, read up to ``FORM_MAX_BYTES`` whatever the Content-Length says."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return Message("bad_request_title", "bad_request", 400)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_MAX_BYTES:
            return Message("too_large_title", "too_large", 413)
    try:
        parsed = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True,
                          max_num_fields=FORM_MAX_FIELDS)
    except ValueError:
        return Message("too_large_title", "too_large", 413)
    return {k: [v.replace("\x00", "") for v in values] for k, values in parsed.items()}


def _render(request: Request, visit: Visit, view: View) -> Response:
    response: Response
    if isinstance(view, Go):
        response = RedirectResponse(view.url, status_code=303)
        if view.cookie is not None:
            response.set_cookie(COOKIE, view.cookie, max_age=COOKIE_TTL_S, path="/ideas", httponly=True,
                                samesite="lax", secure=request.url.scheme == "https")
        return _secure(response)
    t = texts(visit.locale)
    if isinstance(view, Message):
        text = t.get(view.text, view.text)
        page = Page("ideas/public/message.html", {"title": view.title, "text": text.format(**view.args),
                                                  "back": view.back}, view.status)
    else:
        page = view
    languages = [(code, LANGUAGE_NAMES.get(code, code), _with_lang(request, code)) for code in LANGUAGES]
    html = environment.get_template(page.template).render(
        t=t, locale=visit.locale, visit=visit, link=visit.link, path=request.url.path, languages=languages,
        honeypot=HONEYPOT, **page.context)
    headers = {"Retry-After": "3600"} if page.status == 429 else {}
    return _secure(HTMLResponse(html, status_code=page.status, headers=headers))


def _with_lang(request: Request, code: str) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("lang", "t")]
    return f"{request.url.path}?{urlencode([*params, ('lang', code)])}"


def _secure(response: Response) -> Response:
    """Portal pages are personal (the visitor's votes, forms bound to them): never stored, never framed."""
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
