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

from centric import i18n
from centric.db import Database
from centric.mirror import pulses
from centric.web.templating import environment, page_locale

router = APIRouter()
FORM_MAX_BYTES = 64 * 1024
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'")
MESSAGES = {
    "unknown": (404, i18n.N_("This link is not valid"),
                i18n.N_("Check that you opened the whole link from the e-mail. Each link belongs to one pulse and one "
                        "person.")),
    "already": (409, i18n.N_("Already answered"),
                i18n.N_("This link has been used: your answer is stored. Thank you!")),
    "closed": (410, i18n.N_("This pulse is closed"),
               i18n.N_("It no longer takes answers. You will be asked again in the next one.")),
    "thanks": (200, i18n.N_("Thank you"),
               i18n.N_("Your answer is stored anonymously: without your name, and shown only as part of totals of "
                       "several people.")),
    "too_large": (413, i18n.N_("Too long"), i18n.N_("The answers are too long to store; please shorten them.")),
    "bad_form": (400, i18n.N_("Not a pulse form"), i18n.N_("Send the pulse form itself.")),
}


@router.get("/e/{token}", response_class=HTMLResponse)
async def pulse_page(token: str, request: Request) -> HTMLResponse:
    db: Database = request.app.state.db

    def read() -> pulses.Answering:
        with db.transaction(write=False) as session:
            return pulses.show(session, token)

    return _render(request, await run_in_threadpool(read))


@router.post("/e/{token}", response_class=HTMLResponse)
async def submit(token: str, request: Request) -> HTMLResponse:
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return _render(request, pulses.Answering("bad_form"))
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_MAX_BYTES:
            return _render(request, pulses.Answering("too_large"))
    try:
        parsed = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=300)
    except ValueError:
        return _render(request, pulses.Answering("too_large"))
    form = {key: values[-1] for key, values in parsed.items()}
    db: Database = request.app.state.db

    locale = page_locale(request)

    def store() -> pulses.Answering:
        with i18n.use_locale(locale), db.transaction() as session:
            return pulses.submit(session, token, form)

    return _render(request, await run_in_threadpool(store))


def _render(request: Request, view: pulses.Answering) -> HTMLResponse:
    """The page in the employee's browser language (``?lang=`` first); the pulse's questions as written."""
    with i18n.use_locale(page_locale(request)) as lang:
        if view.state == "form":
            html = environment.get_template("mirror/pulse.html").render(
                view=view, labels=pulses.AGREE_LABELS, ranges=pulses.SCALE_RANGES, lang=lang)
            status = 422 if view.errors else 200
        else:
            status, title, text = MESSAGES[view.state]
            html = environment.get_template("mirror/pulse_message.html").render(
                title=i18n.gettext(title), text=i18n.gettext(text), pulse_name=view.pulse_name, lang=lang)
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Language"] = lang
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
