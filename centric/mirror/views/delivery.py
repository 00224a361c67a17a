"""HTML pages of the delivery gap and the EX ↔ CX linkage (``mirror:read``)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from centric.errors import Invalid
from centric.mirror import gap, linkage
from centric.web.deps import AppSettings, CanReadMirror, DbSession
from centric.web.templating import render

router = APIRouter()


def _day(value: str | None, field: str) -> date | None:
    """A ``YYYY-MM-DD`` query parameter; empty means "not given" (an HTML form sends empty fields)."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{field}: expected a date as YYYY-MM-DD, got {value[:40]!r}", field=field) from None


@router.get("/mirror/gap", response_class=HTMLResponse)
def gap_page(request: Request, session: DbSession, settings: AppSettings, caller: CanReadMirror,
             since: str | None = Query(None, max_length=40),
             until: str | None = Query(None, max_length=40)) -> HTMLResponse:
    report = gap.delivery_gap(session, since=_day(since, "since"), until=_day(until, "until"),
                              k=settings.mirror_min_group)
    return render(request, "mirror/gap.html", caller=caller, r=report)


@router.get("/mirror/linkage", response_class=HTMLResponse)
def linkage_page(request: Request, session: DbSession, settings: AppSettings, caller: CanReadMirror,
                 since: str | None = Query(None, max_length=40),
                 until: str | None = Query(None, max_length=40)) -> HTMLResponse:
    report = linkage.linkage(session, since=_day(since, "since"), until=_day(until, "until"),
                             k=settings.mirror_min_group)
    return render(request, "mirror/linkage.html", caller=caller, r=report)
