"""Staff page of the honest resolution metrics: aggregates only, no customer's words (viewers may open it)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from centric.chat import metrics
from centric.chat.models import CHANNELS
from centric.web.deps import CanReadMetrics, DbSession, form_day
from centric.web.templating import render

router = APIRouter()
ARTICLES_SHOWN = 10


def day_range(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None, date | None]:
    """``YYYY-MM-DD`` form fields as a UTC range in which the until day counts in full."""
    first, last = form_day(since, "since"), form_day(until, "until")
    start = datetime(first.year, first.month, first.day, tzinfo=UTC) if first else None
    end = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1) if last else None
    return start, end, last


@router.get("/chats/metrics", response_class=HTMLResponse)
def metrics_page(request: Request, session: DbSession, caller: CanReadMetrics,
                 since: str | None = Query(None, max_length=40), until: str | None = Query(None, max_length=40),
                 language: str | None = Query(None, max_length=8),
                 channel: str | None = Query(None, max_length=20)) -> HTMLResponse:
    """How often the bot resolved questions, counted honestly: confirmed, assumed, re-contact, deflection."""
    start, end, last = day_range(since, until)
    m = metrics.resolution_metrics(session, since=start, until=end, language=language or None, channel=channel or None)
    articles = metrics.article_helpfulness(session, since=m.since, until=m.until, language=m.language,
                                           channel=m.channel)
    shown_until = last or (m.until - timedelta(microseconds=1)).date()
    return render(request, "chat/metrics.html", caller=caller, m=m, articles=articles[:ARTICLES_SHOWN],
                  rated_articles=sum(1 for a in articles if a.helpful_share.n), channels=CHANNELS,
                  since=m.since.date().isoformat(), until=shown_until.isoformat())
