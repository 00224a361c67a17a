"""The employee's pulse page ``/e/{token}``: no login, no cookies, no JavaScript needed.

The token in the link is the only key; it works once. Submitting stores an anonymous
response in the same transaction that marks the invitation answered (see
:func:`centric.mirror.pulses.submit`).
"""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from centric.db import Database
from centric.mirror import pulses
from centric.web.templating import environment

router = APIRouter()
FORM_MAX_BYTES = 64 * 1024
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'")
MESSAGES = {
    "unknown": (404, "This link is not valid", "Check that you opened the whole link from the e-mail. "
                                                "Each link belongs to one pulse and one person."),
    "already": (409, "Already answered", "This link has been used: your answer is stored. Thank you!"),
    "closed": (410, "This pulse is closed", "It no longer takes answers. You will be asked again in the next one."),
    "thanks": (200, "Thank you", "Your answer is stored anonymously: without your name, and shown only as "
                                 "part of totals of several people."),
    "too_large": (413, "Too long", "The answers are too long to store; please shorten them."),
    "bad_form": (400, "Not a pulse form", "Send the pulse form itself."),
}


@router.get("/e/{token}", response_class=HTMLResponse)
async def pulse_page(token: str, request: Request) -> HTMLResponse:
    db: Database = request.app.state.db

    def read() -> pulses.Answering:
        with db.transaction(write=False) as session:
            return pulses.show(session, token)

    return _render(await run_in_threadpool(read))


@router.post("/e/{token}", response_class=HTMLResponse)
async def submit(token: str, request: Request) -> HTMLResponse:
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return _render(pulses.Answering("bad_form"))
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_MAX_BYTES:
            return _render(pulses.Answering("too_large"))
    try:
        parsed = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=300)
    except ValueError:
        return _render(pulses.Answering("too_large"))
    form = {key: values[-1] for key, values in parsed.items()}
    db: Database = request.app.state.db

    def store() -> pulses.Answering:
        with db.transaction() as session:
            return pulses.submit(session, token, form)

    return _render(await run_in_threadpool(store))


def _render(view: pulses.Answering) -> HTMLResponse:
    if view.state == "form":
        html = environment.get_template("mirror/pulse.html").render(
            view=view, labels=pulses.AGREE_LABELS, ranges=pulses.SCALE_RANGES)
        status = 422 if view.errors else 200
    else:
        status, title, text = MESSAGES[view.state]
        html = environment.get_template("mirror/pulse_message.html").render(title=title, text=text,
                                                                            pulse_name=view.pulse_name)
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
