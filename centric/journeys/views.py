"""The journey analytics page: funnel, time between stages, drop-off and top paths, with filters."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from centric.errors import Invalid
from centric.journeys.funnels import JourneyFilter, analytics_page
from centric.web.deps import CanReadMetrics, DbSession, ObjectId
from centric.web.templating import render

router = APIRouter()


def _day(text: str | None, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"{field}: expected a day YYYY-MM-DD, got {text[:20]!r}", field=field) from None


@router.get("/journeys/{journey_id}/analytics", response_class=HTMLResponse)
def journey_analytics(request: Request, journey_id: ObjectId, session: DbSession, caller: CanReadMetrics,
                      segment: str | None = Query(None, max_length=80),
                      channel: str | None = Query(None, max_length=40),
                      start: str | None = Query(None, max_length=10), end: str | None = Query(None, max_length=10),
                      top: int = Query(10, ge=1, le=50)) -> HTMLResponse:
    """Empty filter fields mean "not given" (an HTML form sends them empty)."""
    where = JourneyFilter(segment=segment or None, channel=channel or None, start=_day(start, "start"),
                          end=_day(end, "end"))
    page = analytics_page(session, journey_id, where, top)
    return render(request, "journeys/analytics.html", caller=caller, page=page, where=where, top=top)
