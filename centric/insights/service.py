"""Metric queries: one SQL aggregate of sufficient statistics, then pure statistics.

NPS, CSAT and CES and their variances are functions of counts and sums (DESIGN §5), so
no response is ever loaded into Python: the database returns n, promoters, detractors,
sums and sums of squares per group, and :mod:`centric.stats` turns them into estimates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, SQLColumnExpression, case, func, literal_column, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnClause, ColumnElement

from centric.accounts.models import Team
from centric.customers.models import Customer, CustomerSegment, Segment
from centric.db import month_of, quarter_of
from centric.errors import Invalid
from centric.insights.models import AnswerRollup, SegmentRollup
from centric.insights.schemas import Dimension, MetricKind, MetricResult, MetricRow
from centric.journeys.models import Journey, Stage, Touchpoint
from centric.stats import ces_estimate, csat_estimate, nps_estimate
from centric.surveys.models import Answer, Response, Survey

SCALES = {"nps": "NPS −100…100 (promoters 9–10, detractors 0–6)",
          "csat": "CSAT % top-2-box (4–5 on 1–5)",
          "ces": "CES mean on 1–7 (agree = 5–7)"}


@dataclass(frozen=True)
class MetricFilter:
    start: date | None = None
    end: date | None = None
    touchpoint: str | None = None
    segment: str | None = None
    survey: str | None = None
    touchpoint_ids: frozenset[int] | None = None  # only answers at these touchpoints (empty: none)
    attribute: tuple[str, str] | None = None  # (name, value) on customer.attributes, compared as text


_ALL: ColumnClause[str] = literal_column("'all'")


_Table = type[AnswerRollup] | type[SegmentRollup]


@dataclass(frozen=True)
class _Source:
    """Where sufficient statistics come from: raw answers (``table`` None) or a rollup table.

    ``answer_rollup`` answers every slice that needs no customer (touchpoint, and through the
    small touchpoint tables stage, journey and team; channel, survey, month); ``segment_rollup``
    every slice by or filtered by a segment or persona. Only attribute filters read answers.
    """

    table: _Table | None

    @property
    def rollup(self) -> bool:
        return self.table is not None

    def _column(self, name: str, raw: SQLColumnExpression[Any]) -> SQLColumnExpression[Any]:
        return getattr(self.table, name) if self.table is not None else raw

    @property
    def touchpoint_id(self) -> SQLColumnExpression[Any]:
        return self._column("touchpoint_id", Response.touchpoint_id)

    @property
    def survey_id(self) -> SQLColumnExpression[Any]:
        return self._column("survey_id", Response.survey_id)

    @property
    def channel(self) -> SQLColumnExpression[Any]:
        return self._column("channel", Response.channel)

    @property
    def moment(self) -> SQLColumnExpression[Any]:
        return self._column("day", Response.submitted_at)


def _source(by: Dimension, where: MetricFilter, use_rollups: bool) -> _Source:
    if not use_rollups or where.attribute is not None:
        return _Source(None)
    return _Source(SegmentRollup if by == "segment" or where.segment else AnswerRollup)


def _group_column(session: Session, by: Dimension, source: _Source) -> tuple[SQLColumnExpression[Any], list[str]]:
    """The grouping expression and the joins it needs."""
    columns: dict[str, tuple[SQLColumnExpression[Any], list[str]]] = {
        "touchpoint": (Touchpoint.name, ["touchpoint"]),
        "touchpoint_key": (Touchpoint.key, ["touchpoint"]),  # unique, where names may repeat
        "stage": (Stage.name, ["touchpoint", "stage"]),
        "journey": (Journey.name, ["touchpoint", "stage", "journey"]),
        # per segment id from the segment rollup (no join per row; names are attached afterwards)
        "segment": (SegmentRollup.segment_id, []) if source.table is SegmentRollup else (Segment.name, ["segment"]),
        "team": (func.coalesce(Team.name, literal_column("'unowned'")), ["touchpoint", "team"]),
        "month": (month_of(session, source.moment), []),
        "quarter": (quarter_of(session, source.moment), []),
        "channel": (source.channel, []),
        "survey": (Survey.name, ["survey"]),
        "none": (_ALL, []),
    }
    if by not in columns:
        raise Invalid(f"cannot group by {by!r}; use one of {', '.join(columns)}", field="by")
    return columns[by]


def _statistics(metric: MetricKind, source: _Source) -> list[ColumnElement]:
    if source.table is not None:
        names = {"nps": ("n", "promoters", "detractors"), "csat": ("n", "satisfied"),
                 "ces": ("n", "total", "total_sq", "agree")}[metric]
        return [func.sum(getattr(source.table, name)).label(name) for name in names]
    number = Answer.number
    count = func.count(number).label("n")
    if metric == "nps":
        return [count, func.sum(case((number >= 9, 1), else_=0)).label("promoters"),
                func.sum(case((number <= 6, 1), else_=0)).label("detractors")]
    if metric == "csat":
        return [count, func.sum(case((number >= 4, 1), else_=0)).label("satisfied")]
    return [count, func.sum(number).label("total"), func.sum(number * number).label("total_sq"),
            func.sum(case((number >= 5, 1), else_=0)).label("agree")]


def _query(session: Session, metric: MetricKind, group: SQLColumnExpression[Any], joins: list[str],
           where: MetricFilter, source: _Source) -> Select:
    if source.table is not None:
        query = select(group.label("grp"), *_statistics(metric, source)).select_from(source.table).where(
            source.table.metric == metric)
    else:
        query = select(group.label("grp"), *_statistics(metric, source)).select_from(Answer).join(
            Response, Answer.response_id == Response.id
        ).where(Answer.metric == metric)
    needed = list(joins)
    if where.touchpoint and "touchpoint" not in needed:
        needed.append("touchpoint")
    if where.survey and "survey" not in needed:
        needed.append("survey")
    if "touchpoint" in needed:
        query = query.join(Touchpoint, source.touchpoint_id == Touchpoint.id)
    if "stage" in needed:
        query = query.join(Stage, Touchpoint.stage_id == Stage.id)
    if "journey" in needed:
        query = query.join(Journey, Stage.journey_id == Journey.id)
    if "team" in needed:
        query = query.outerjoin(Team, Touchpoint.owner_team_id == Team.id)
    if "survey" in needed:
        query = query.join(Survey, source.survey_id == Survey.id)
    if source.table is SegmentRollup:
        if where.segment:
            query = query.where(SegmentRollup.segment_id.in_(select(Segment.id).where(Segment.key == where.segment)))
    elif "segment" in needed:
        query = query.join(CustomerSegment, CustomerSegment.customer_id == Response.customer_id).join(
            Segment, CustomerSegment.segment_id == Segment.id
        )
    elif where.segment:
        members = select(CustomerSegment.customer_id).join(Segment).where(Segment.key == where.segment)
        query = query.where(Response.customer_id.in_(members))
    if where.segment and "segment" in needed and source.table is None:
        query = query.where(Segment.key == where.segment)
    if where.touchpoint:
        query = query.where(Touchpoint.key == where.touchpoint)
    if where.touchpoint_ids is not None:
        query = query.where(source.touchpoint_id.in_(sorted(where.touchpoint_ids)))
    if where.attribute is not None:
        name, value = where.attribute
        having = select(Customer.id).where(Customer.attributes[name].as_string() == value)
        query = query.where(Response.customer_id.in_(having))
    if where.survey:
        query = query.where(Survey.key == where.survey)
    if where.start:
        start = where.start if source.rollup else datetime.combine(where.start, datetime.min.time())
        query = query.where(source.moment >= start)
    if where.end:
        end = where.end if source.rollup else datetime.combine(where.end, datetime.min.time())
        query = query.where(source.moment < end)
    if group is _ALL:
        return query  # one group: an aggregate without GROUP BY (PostgreSQL rejects constants there)
    query = query.group_by(group).order_by(group)
    if source.table is SegmentRollup:  # rows whose answers all left the segment stay behind, counting 0
        query = query.having(func.sum(SegmentRollup.n) > 0)
    return query


def _row(metric: MetricKind, group: str, stats: Mapping[Any, Any]) -> MetricRow:
    n = int(stats.get("n") or 0)
    if metric == "nps":
        p, d = int(stats.get("promoters") or 0), int(stats.get("detractors") or 0)
        est = nps_estimate(n, p, d)
        return MetricRow(group=group, n=n, value=est.value, low=est.low, high=est.high,
                         method=est.method, promoters=p, detractors=d)
    if metric == "csat":
        s = int(stats.get("satisfied") or 0)
        est = csat_estimate(n, s)
        return MetricRow(group=group, n=n, value=est.value, low=est.low, high=est.high,
                         method=est.method, satisfied=s)
    total, total_sq = float(stats.get("total") or 0.0), float(stats.get("total_sq") or 0.0)
    est = ces_estimate(n, total, total_sq)
    agree = int(stats.get("agree") or 0)
    return MetricRow(group=group, n=n, value=est.value, low=est.low, high=est.high, method=est.method,
                     mean=est.value, agree_share=(100.0 * agree / n) if n else None, total=total,
                     total_sq=total_sq)


def _by_segment_name(session: Session, kind: MetricKind, found: list[Any]) -> list[MetricRow]:
    """Rows grouped by segment id, as rows by segment name (summed where names repeat), in the database's order."""
    by_id = {r.grp: r._mapping for r in found}
    if not by_id:
        return []
    summed: dict[str, dict[str, Any]] = {}
    for segment_id, name in session.execute(
            select(Segment.id, Segment.name).where(Segment.id.in_(list(by_id))).order_by(Segment.name, Segment.id)):
        target = summed.setdefault(name, {})
        for key, value in by_id[segment_id].items():
            if key != "grp":
                target[key] = (target.get(key) or 0) + (value or 0)
    return [_row(kind, name, stats) for name, stats in summed.items()]


def metric(session: Session, kind: MetricKind, by: Dimension = "none",
           where: MetricFilter | None = None, *, use_rollups: bool = True) -> MetricResult:
    """Score with a 95% interval per group of ``by``, and overall.

    Reads the daily rollups — per segment when the slice is by or filtered by a segment or
    persona — so its cost does not grow with the answers. Only an attribute filter (ad hoc,
    over ``customer.attributes``) aggregates the answers themselves; all give the same statistics.
    """
    if kind not in SCALES:
        raise Invalid(f"unknown metric {kind!r}; use nps, csat or ces", field="metric")
    where = where or MetricFilter()
    source = _source(by, where, use_rollups)
    group, joins = _group_column(session, by, source)
    found = list(session.execute(_query(session, kind, group, joins, where, source)))
    if by == "segment" and source.table is SegmentRollup:
        rows = _by_segment_name(session, kind, found)
    else:
        rows = [_row(kind, str(r.grp) if r.grp is not None else "(none)", r._mapping) for r in found]
    overall_source = _source("none", where, use_rollups)  # every answer once, not once per segment
    overall_group, overall_joins = _group_column(session, "none", overall_source)
    overall = session.execute(_query(session, kind, overall_group, overall_joins, where, overall_source)).first()
    overall_row = _row(kind, "all", overall._mapping) if overall else _row(kind, "all", {"n": 0})
    return MetricResult(metric=kind, by=by, scale=SCALES[kind], overall=overall_row, rows=rows)
