"""HTML pages of the delivery gap and the EX ↔ CX linkage (``mirror:read``)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from centric import i18n
from centric.mirror import gap, linkage
from centric.web.deps import AppSettings, CanReadMirror, DbSession, form_day
from centric.web.templating import page_locale, render

router = APIRouter()



@router.get("/mirror/gap", response_class=HTMLResponse)
def gap_page(request: Request, session: DbSession, settings: AppSettings, caller: CanReadMirror,
             since: str | None = Query(None, max_length=40),
             until: str | None = Query(None, max_length=40)) -> HTMLResponse:
    with i18n.use_locale(page_locale(request, caller.user)):  # the headline and notes in the page's language
        report = gap.delivery_gap(session, since=form_day(since, "since"), until=form_day(until, "until"),
                                  k=settings.mirror_min_group)
    return render(request, "mirror/gap.html", caller=caller, r=report)


@router.get("/mirror/linkage", response_class=HTMLResponse)
def linkage_page(request: Request, session: DbSession, settings: AppSettings, caller: CanReadMirror,
                 since: str | None = Query(None, max_length=40),
                 until: str | None = Query(None, max_length=40)) -> HTMLResponse:
    with i18n.use_locale(page_locale(request, caller.user)):
        report = linkage.linkage(session, since=form_day(since, "since"), until=form_day(until, "until"),
                                 k=settings.mirror_min_group)
    return render(request, "mirror/linkage.html", caller=caller, r=report)
