"""Public respondent pages: no login, no cookies, no JavaScript needed.

``/s/{key}`` shows and stores a survey page, ``/s/{key}/thanks`` follows up by score,
``/s/{key}/qr.svg`` is the public link as a QR code. Every page names the sites allowed
to frame it (``frame-ancestors``), so the website widget works only where configured.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Literal
from urllib.parse import parse_qs, urlencode

from anyio import CapacityLimiter, to_thread
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State

from centric.config import Settings
from centric.db import Database
from centric.errors import Forbidden
from centric.surveys import respond
from centric.surveys.intake import Submission, submit_pages
from centric.surveys.links import identified_link, public_link, qr_svg
from centric.surveys.locale import LANGUAGE_NAMES, UI, pick_locale, texts
from centric.surveys.models import Survey
from centric.surveys.writer import GroupCommit
from centric.web.deps import client_address, installation_key
from centric.web.templating import environment

router = APIRouter()
FORM_MAX_BYTES = 64 * 1024
FORM_MAX_FIELDS = 300
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors {ancestors}")


@router.get("/s/{survey_key}", response_class=HTMLResponse)
async def survey_page(survey_key: str, request: Request) -> Response:
    query = {k: v for k, v in request.query_params.items()}
    accept = request.headers.get("accept-language")
    address = client_address(request)
    # a plain visit only reads; a personal link marks its invitation opened; with a score it stores an answer
    access: Literal["read", "touch", "store"] = (
        ("store" if query.get("score") is not None else "touch") if query.get("t") else "read")
    return await _run(request, lambda session, key: respond.open_page(
        session, key, survey_key, query=query, accept_language=accept, address=address), access)


async def submit(request: Request) -> Response:
    """``POST /s/{key}``: the busiest route, so a plain Starlette route (no dependencies to solve)."""
    survey_key: str = request.path_params["survey_key"]
    form = await _read_form(request)
    if isinstance(form, respond.Message):
        return _render(request, form)
    if getattr(request.app.state, "signing_key", None) is None:
        await run_in_threadpool(_prime_key, request)
    submission = Submission(survey_key, form, client_address(request))
    return _render(request, await _intake(request.app.state).submit(submission))


router.add_route("/s/{survey_key}", submit, methods=["POST"], include_in_schema=False)


@router.get("/s/{survey_key}/thanks", response_class=HTMLResponse)
async def thanks(survey_key: str, request: Request, f: str = "") -> Response:
    return await _run(request, lambda session, key: respond.thanks_page(session, key, survey_key, f))


@router.get("/s/{survey_key}/qr.svg")
def qr_code(survey_key: str, request: Request) -> Response:
    db: Database = request.app.state.db
    with db.reader() as session:
        exists = session.scalar(select(Survey.id).where(Survey.key == survey_key)) is not None
    if not exists:
        return Response("unknown survey", status_code=404, media_type="text/plain")
    svg = qr_svg(public_link(request.app.state.settings, survey_key), title=f"Survey {survey_key}")
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=3600"})


# --- plumbing ----------------------------------------------------------------------------



async def _run(request: Request, use_case: Callable[[Session, bytes], respond.View],
               access: Literal["read", "touch", "store"] = "touch") -> Response:
    """Run a use-case in one transaction on a worker thread and render what it returns.

    On SQLite, storing use-cases of one process take turns on a limiter of one thread:
    SQLite admits one writer anyway, and threads left to wait in its busy handler sleep in
    steps of up to 100 ms while the lock is free (p99 of seconds under 100 clients).
    """
    db: Database = request.app.state.db
    if getattr(request.app.state, "signing_key", None) is None:
        await run_in_threadpool(_prime_key, request)
    key = request.app.state.signing_key
    limiter = _writer_limiter(request) if access == "store" and db.dialect == "sqlite" else None
    view = await to_thread.run_sync(lambda: _execute(db, key, use_case, access), limiter=limiter)
    return _render(request, view)


def _execute(db: Database, key: bytes, use_case: Callable[[Session, bytes], respond.View],
             access: Literal["read", "touch", "store"]) -> respond.View:
    """One use-case in a transaction of its own; a concurrent double submit is retried once."""
    for attempt in (1, 2):
        try:
            with db.transaction(write=access != "read") as session:
                return use_case(session, key)
        except IntegrityError:
            if attempt == 2:  # a concurrent double submit: the retry finds the first one
                raise
        except Forbidden as denied:
            return respond.Message("forbidden_title", "", 403, detail=denied.message)
        except OperationalError:
            return respond.Message("busy_title", "busy", 503)
    raise AssertionError("unreachable")


def _intake(state: State) -> GroupCommit[Submission, respond.View]:
    """The app's writer of submitted pages (group commit), started on first use."""
    intake: GroupCommit[Submission, respond.View] | None = getattr(state, "survey_intake", None)
    if intake is None or not intake.running:
        with _INTAKE_LOCK:
            intake = getattr(state, "survey_intake", None)
            if intake is None or not intake.running:
                db: Database = state.db
                key: bytes = state.signing_key
                settings: Settings = state.settings

                def alone(submission: Submission) -> respond.View:
                    return _execute(db, key, lambda session, k: respond.submit_page(
                        session, k, submission.survey_key, submission.form, submission.address), "store")

                intake = state.survey_intake = GroupCommit(
                    db, lambda session, items: submit_pages(session, key, items), alone,
                    max_batch=settings.submit_batch_max, name="centric-survey-intake")
    return intake


_INTAKE_LOCK = threading.Lock()


def _writer_limiter(request: Request) -> CapacityLimiter:
    limiter = getattr(request.app.state, "survey_writer_limiter", None)
    if limiter is None:
        limiter = request.app.state.survey_writer_limiter = CapacityLimiter(1)
    return limiter


def _prime_key(request: Request) -> None:
    with request.app.state.db.transaction() as session:
        installation_key(request, session)


async def _read_form(request: Request) -> dict[str, list[str]] | respond.Message:
    """The posted form, read up to ``FORM_MAX_BYTES`` whatever the Content-Length says."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return respond.Message("forbidden_title", "expired", 400, detail="send the survey form itself")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_MAX_BYTES:
            return respond.Message("too_large_title", "too_large", 413)
    try:
        return parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True,
                        max_num_fields=FORM_MAX_FIELDS)
    except ValueError:
        return respond.Message("too_large_title", "too_large", 413)


def _render(request: Request, view: respond.View) -> Response:
    if isinstance(view, respond.Redirect):
        return RedirectResponse(view.url, status_code=303)
    if isinstance(view, respond.Message):
        locale = pick_locale(list(UI), request.query_params.get("lang"), request.headers.get("accept-language"))
        t = texts(locale)
        html = environment.get_template("surveys/message.html").render(
            t=t, locale=locale, embed=request.query_params.get("embed") == "1",
            title=t.get(view.title, view.title), text=t.get(view.text, "") if view.text else "",
            detail=view.detail)
        headers = {"Retry-After": "3600"} if view.status == 429 else {}
        return _secure(HTMLResponse(html, status_code=view.status, headers=headers), [])
    if isinstance(view, respond.Thanks):
        t = texts(view.locale)
        ideas_url = identified_link(view.options.ideas_url, request.app.state.settings, request.app.state.signing_key,
                                    view.customer_id) if view.options.ideas_url else None
        html = environment.get_template("surveys/thanks.html").render(
            t=t, locale=view.locale, embed=view.embed, survey=view.survey, options=view.options, ideas_url=ideas_url,
            follow_up=view.follow_up, already=view.already,
            custom=view.options.thanks.get(view.locale) or view.options.thanks.get("en"))
        return _secure(HTMLResponse(html), view.options.frame_origins)
    return _secure(HTMLResponse(page_html(request, view), status_code=view.status), view.options.frame_origins)


def page_html(request: Request, view: respond.Page, conditions: dict[str, str] | None = None) -> str:
    """A page of questions; shared by the respondent page and the builder's preview."""
    locale = view.state.locale
    t = texts(locale)

    def message(code: str) -> str:
        name, *args = code.split("|")
        return t[name].format(**dict(a.split("=", 1) for a in args))

    languages = []
    for code in view.survey.languages or ["en"]:
        params = {k: v for k, v in request.query_params.items() if k != "lang"}
        languages.append((code, LANGUAGE_NAMES.get(code, code),
                          f"{request.url.path}?{urlencode({**params, 'lang': code})}"))
    return environment.get_template("surveys/page.html").render(
        t=t, locale=locale, embed=view.state.embed, survey=view.survey, questions=view.questions,
        values=view.values, errors=view.errors, form_token=view.form_token, preview=view.preview,
        more=view.more, message=message, languages=languages, conditions=conditions or {},
        intro=view.options.intro.get(locale) or view.options.intro.get("en"),
    )


def _secure(response: Response, frame_origins: list[str]) -> Response:
    """Respondent pages may be framed by the survey's configured sites only; never cached by proxies."""
    ancestors = " ".join(["'self'", *frame_origins])
    response.headers["Content-Security-Policy"] = PAGE_CSP.format(ancestors=ancestors)
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Referrer-Policy"] = "no-referrer"
    # Browsers that know frame-ancestors ignore X-Frame-Options (CSP 2 §7.7.1); older ones
    # get SAMEORIGIN instead of the app-wide DENY.
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
