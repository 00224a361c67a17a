"""Theme insight: volume, monthly trend, sentiment, NPS impact and emerging themes.

Every figure is one SQL aggregate of sufficient statistics (counts and sums per theme)
turned into estimates by :mod:`centric.text.impact`: the impact on NPS is
NPS(all) − NPS(without the theme's comments) with a normal interval from the
multinomial variance (Rocks 2016); emerging themes are a one-sided two-proportion
z-test of the share now vs the previous period, Benjamini-Hochberg adjusted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, Subquery, and_, case, distinct, func, select
from sqlalchemy.orm import Session

from centric.customers.models import CustomerSegment, Segment
from centric.db import month_of, utcnow
from centric.errors import Invalid, NotFound
from centric.feedback.models import Feedback, FeedbackTheme, Theme
from centric.journeys.models import Touchpoint
from centric.surveys.models import Answer, Response
from centric.text.artefact import load_models
from centric.text.impact import emerging_themes, theme_impact_from_counts
from centric.themes.schemas import (
    EmergingOut,
    Impact,
    InsightFilter,
    InsightOut,
    MonthCount,
    ThemeInsight,
)
from centric.themes.taxonomy import list_themes

METHOD = ("Impact: NPS of all responses minus NPS of responses without the theme in their comment, "
          "95% interval (multinomial variance, Rocks 2016). Emerging: one-sided two-proportion z-test "
          "of the theme's share of comments vs the previous period, Benjamini-Hochberg q ≤ 0.05.")


def touchpoint_id(session: Session, key: str | None) -> int | None:
    if not key:
        return None
    found = session.scalar(select(Touchpoint.id).where(Touchpoint.key == key))
    if found is None:
        raise NotFound(f"unknown touchpoint {key!r}", field="touchpoint")
    return found


def segment_members(session: Session, key: str | None) -> Select[int] | None:
    """A sub-select of the customer ids in segment ``key`` (None when no segment is asked)."""
    if not key:
        return None
    segment_id = session.scalar(select(Segment.id).where(Segment.key == key))
    if segment_id is None:
        raise NotFound(f"unknown segment {key!r}", field="segment")
    return select(CustomerSegment.customer_id).where(CustomerSegment.segment_id == segment_id)


def window(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """Half-open datetimes for an inclusive date range; ``Invalid`` when reversed."""
    if since and until and since > until:
        raise Invalid("since must not be after until", field="since")
    start = datetime.combine(since, time()) if since else None
    end = datetime.combine(until + timedelta(days=1), time()) if until else None
    return start, end


def feedback_conditions(session: Session, f: InsightFilter, *, dates: bool = True) -> list[ColumnElement]:
    """Enriched feedback within the filter's touchpoint, segment and (if ``dates``) window."""
    since, until = (f.since, f.until) if dates else (None, None)
    return [Feedback.text_version.is_not(None), *scope_conditions(session, f.touchpoint, f.segment, since, until)]


def scope_conditions(session: Session, touchpoint: str | None, segment: str | None,
                     since: date | None, until: date | None) -> list[ColumnElement]:
    """Feedback at a touchpoint, from a segment's members, between two days (inclusive)."""
    conditions: list[ColumnElement] = []
    tp = touchpoint_id(session, touchpoint)
    if tp is not None:
        conditions.append(Feedback.touchpoint_id == tp)
    members = segment_members(session, segment)
    if members is not None:
        conditions.append(Feedback.customer_id.in_(members))
    start, end = window(since, until)
    if start:
        conditions.append(Feedback.occurred_at >= start)
    if end:
        conditions.append(Feedback.occurred_at < end)
    return conditions


def theme_insight(session: Session, f: InsightFilter, period_days: int = 30) -> InsightOut:
    """Per theme: volume, share, sentiment, monthly trend and NPS impact; plus emerging themes."""
    if not 7 <= period_days <= 366:
        raise Invalid("period_days must be between 7 and 366", field="period_days")
    conditions = feedback_conditions(session, f)
    items = session.scalar(select(func.count()).select_from(Feedback).where(*conditions)) or 0
    rows = {row.id: row for row in list_themes(session)}
    stats = _theme_stats(session, conditions)
    trend = _trends(session, conditions)
    impacts, nps_n = _impacts(session, f)
    themes = [
        ThemeInsight(
            id=theme_id, path=rows[theme_id].name, label=str((rows[theme_id].rule or {}).get("label", "")),
            volume=volume, share=round(volume / items, 4) if items else 0.0,
            sentiment=None if mean is None else round(float(mean), 4),
            negative=int(neg or 0), neutral=int(neu or 0), positive=int(pos or 0),
            impact=impacts.get(theme_id), trend=trend.get(theme_id, []),
        )
        for theme_id, volume, mean, neg, neu, pos in stats if theme_id in rows
    ]
    themes.sort(key=lambda t: (-t.volume, t.path))
    emerging = _emerging(session, f, period_days, rows)
    return InsightOut(items=items, nps_responses=nps_n, themes=themes, emerging=emerging,
                      period_days=period_days, method=METHOD)


def _theme_stats(session: Session, conditions: list[ColumnElement]) -> list[tuple]:
    band = load_models().neutral_band
    score = FeedbackTheme.sentiment

    def count_where(condition: ColumnElement) -> ColumnElement:
        return func.sum(case((condition, 1), else_=0))

    return [tuple(r) for r in session.execute(
        select(FeedbackTheme.theme_id, func.count(), func.avg(score), count_where(score < -band),
               count_where(and_(score >= -band, score <= band)), count_where(score > band))
        .join(Feedback, Feedback.id == FeedbackTheme.feedback_id).where(*conditions)
        .group_by(FeedbackTheme.theme_id)
    ).all()]


def _trends(session: Session, conditions: list[ColumnElement]) -> dict[int, list[MonthCount]]:
    month = month_of(session, Feedback.occurred_at)
    out: dict[int, list[MonthCount]] = {}
    for theme_id, label, count in session.execute(
        select(FeedbackTheme.theme_id, month, func.count()).join(Feedback, Feedback.id == FeedbackTheme.feedback_id)
        .where(*conditions).group_by(FeedbackTheme.theme_id, month).order_by(month)
    ):
        out.setdefault(theme_id, []).append(MonthCount(month=str(label), count=int(count)))
    return out


def nps_scores(session: Session, f: InsightFilter) -> Subquery:
    """A sub-query of (response id, NPS score) for the responses the filter selects."""
    query = (select(Answer.response_id.label("rid"), Answer.number.label("score"))
             .join(Response, Response.id == Answer.response_id)
             .where(Answer.metric == "nps", Answer.number.is_not(None)))
    tp = touchpoint_id(session, f.touchpoint)
    if tp is not None:
        query = query.where(Response.touchpoint_id == tp)
    members = segment_members(session, f.segment)
    if members is not None:
        query = query.where(Response.customer_id.in_(members))
    start, end = window(f.since, f.until)
    if start:
        query = query.where(Response.submitted_at >= start)
    if end:
        query = query.where(Response.submitted_at < end)
    return query.subquery()


def _impacts(session: Session, f: InsightFilter) -> tuple[dict[int, Impact], int]:
    scores = nps_scores(session, f)
    promoter, detractor = scores.c.score >= 9, scores.c.score <= 6
    n, p, d = session.execute(select(func.count(), func.sum(case((promoter, 1), else_=0)),
                                     func.sum(case((detractor, 1), else_=0))).select_from(scores)).one()
    n, p, d = int(n or 0), int(p or 0), int(d or 0)
    if n == 0:
        return {}, 0
    rid = scores.c.rid
    out = {}
    for theme_id, n_t, p_t, d_t in session.execute(
        select(FeedbackTheme.theme_id, func.count(distinct(rid)), func.count(distinct(case((promoter, rid)))),
               func.count(distinct(case((detractor, rid)))))
        .select_from(scores).join(Feedback, Feedback.response_id == rid)
        .join(FeedbackTheme, FeedbackTheme.feedback_id == Feedback.id).group_by(FeedbackTheme.theme_id)
    ):
        r = theme_impact_from_counts("", n_t, p_t, d_t, n - n_t, p - p_t, d - d_t)
        out[theme_id] = Impact(impact=_finite(r.impact), low=_finite(r.low), high=_finite(r.high),
                               nps_theme=_finite(r.nps_theme), nps_without=_finite(r.nps_without),
                               n_theme=r.n_theme, n=r.n)
    return out, n


def _finite(value: float) -> float | None:
    return round(value, 2) if math.isfinite(value) else None


def _emerging(session: Session, f: InsightFilter, days: int, rows: Mapping[int, Theme]) -> list[EmergingOut]:
    """Theme counts in the last ``days`` (ending at ``until`` or today) vs the ``days`` before."""
    end = datetime.combine(f.until + timedelta(days=1), time()) if f.until else utcnow()
    cut, start = end - timedelta(days=days), end - timedelta(days=2 * days)
    base = feedback_conditions(session, f, dates=False)
    periods = []
    for low, high in ((cut, end), (start, cut)):
        inside = [*base, Feedback.occurred_at >= low, Feedback.occurred_at < high]
        total = session.scalar(select(func.count()).select_from(Feedback).where(*inside)) or 0
        counts = dict(session.execute(
            select(FeedbackTheme.theme_id, func.count()).join(Feedback, Feedback.id == FeedbackTheme.feedback_id)
            .where(*inside).group_by(FeedbackTheme.theme_id)).all())
        periods.append(({rows[t].name: int(c) for t, c in counts.items() if t in rows}, int(total)))
    (now, now_total), (before, before_total) = periods
    if not now_total or not before_total:
        return []
    return [
        EmergingOut(path=e.theme, current=e.current_count, previous=e.previous_count,
                    current_share=round(e.current_share, 4), previous_share=round(e.previous_share, 4),
                    growth=None if not math.isfinite(e.growth) else round(e.growth, 3), z=round(e.z, 3),
                    q_value=round(e.q_value, 4), emerging=e.emerging)
        for e in emerging_themes(now, now_total, before, before_total)
    ]
