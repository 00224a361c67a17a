"""JSON routes of the honest resolution metrics (aggregates only: viewers may read them)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query

from centric.chat import metrics
from centric.chat.metric_schemas import ArticleHelpfulness, ResolutionMetrics
from centric.web.deps import CanReadMetrics, DbSession, Page, Paging

router = APIRouter(tags=["chat"])
Since = Query(None, description="conversations started from (default: 30 days before until)")
Until = Query(None, description="conversations started before (default: now)")
Language = Query(None, max_length=8, description="only conversations in this language (en, zh)")
Channel = Query(None, max_length=20, description="only conversations of this channel (widget, web, api, …)")


@router.get("/chats/metrics", response_model=ResolutionMetrics)
def resolution_metrics(session: DbSession, _: CanReadMetrics, since: datetime | None = Since,
                       until: datetime | None = Until, language: str | None = Language,
                       channel: str | None = Channel) -> ResolutionMetrics:
    """Confirmed and assumed resolution, re-contact within 7 days on any channel, deflection, answer and
    hand-off rates, abandonment, and post-chat CSAT/CES bot-only against human — each with its interval."""
    return metrics.resolution_metrics(session, since=since, until=until, language=language, channel=channel)


@router.get("/chats/metrics/articles", response_model=Page[ArticleHelpfulness])
def article_helpfulness(session: DbSession, _: CanReadMetrics, paging: Paging, since: datetime | None = Since,
                        until: datetime | None = Until, language: str | None = Language,
                        channel: str | None = Channel) -> Page[ArticleHelpfulness]:
    """Per article the bot answered with: answers given, "helped" and "did not help" counts; least helpful first."""
    return paging.cut(metrics.article_helpfulness(session, since=since, until=until, language=language,
                                                  channel=channel))
