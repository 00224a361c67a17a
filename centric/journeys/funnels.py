"""Funnel, paths, time between stages and drop-off of a journey, read from the per-customer summaries.

Every report reads ``JourneyPath`` / ``JourneyStep`` (maintained by :mod:`centric.journeys.analytics`),
never raw events, in a constant number of GROUP BY queries that run on SQLite and PostgreSQL.
Funnel and path counts come from the same rows (``JourneyPath.steps``), so they reconcile
exactly: for every step k, funnel[k] = Σ of the path rows with ``steps ≥ k``.

Filters: ``segment`` (a segment or persona key: its members), ``channel`` (the entry channel:
the channel of the touchpoint of step 1), ``start`` / ``end`` (days, inclusive, on the day the
customer entered the journey).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, case, cast, func, select
from sqlalchemy.orm import Session

from centric import i18n
from centric.customers.models import CustomerSegment, Segment
from centric.errors import Invalid, NotFound
from centric.journeys.models import Journey, JourneyPath, JourneyStep, Stage
from centric.journeys.schemas import (
    DropoffOut,
    FunnelOut,
    FunnelStageOut,
    PathOut,
    TimingOut,
    TransitionOut,
)
from centric.stats.funnel import PathCount, other_buckets, quantile_of_histogram

MINUTE_BUCKETS_UP_TO_S = 86_400.0
TIMING_METHOD = i18n.N_(
    "median and p90 interpolated linearly inside histogram buckets of the durations (grouped-data "
    "quantile): one-minute buckets below one day, one-hour buckets above, counted in SQL"
)


@dataclass(frozen=True)
class JourneyFilter:
    segment: str | None = None
    channel: str | None = None
    start: date | None = None
    end: date | None = None


def get_journey(session: Session, journey_id: int) -> Journey:
    journey = session.get(Journey, journey_id)
    if journey is None:
        raise NotFound(f"journey {journey_id} not found")
    return journey


def journey_by_key(session: Session, key: str) -> Journey:
    journey = session.scalar(select(Journey).where(Journey.key == key))
    if journey is None:
        raise NotFound(f"no journey {key!r}", field="journey")
    return journey


def _stages(session: Session, journey_id: int) -> list[tuple[str, str]]:
    return [(k, n) for k, n in session.execute(
        select(Stage.key, Stage.name).where(Stage.journey_id == journey_id).order_by(Stage.position, Stage.id))]


def _conditions(session: Session, journey_id: int, where: JourneyFilter) -> list[ColumnElement[bool]]:
    if where.start and where.end and where.start > where.end:
        raise Invalid("start lies after end", field="start")
    conditions: list[ColumnElement[bool]] = [JourneyPath.journey_id == journey_id]
    if where.segment:
        if session.scalar(select(Segment.id).where(Segment.key == where.segment)) is None:
            raise Invalid(f"unknown segment {where.segment!r}", field="segment")
        members = select(CustomerSegment.customer_id).join(Segment, Segment.id == CustomerSegment.segment_id) \
            .where(Segment.key == where.segment)
        conditions.append(JourneyPath.customer_id.in_(members))
    if where.channel:
        conditions.append(JourneyPath.entry_channel == where.channel)
    if where.start:
        conditions.append(JourneyPath.entered_at >= datetime.combine(where.start, time()))
    if where.end:
        conditions.append(JourneyPath.entered_at < datetime.combine(where.end + timedelta(days=1), time()))
    return conditions


def _by_depth(session: Session, conditions: list[ColumnElement[bool]]) -> dict[int, int]:
    return {int(s): int(n) for s, n in session.execute(
        select(JourneyPath.steps, func.count()).where(*conditions).group_by(JourneyPath.steps))}


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def funnel(session: Session, journey_id: int, where: JourneyFilter | None = None) -> FunnelOut:
    """Customers reaching each stage in order within the window; conversion and drop-off per stage."""
    journey = get_journey(session, journey_id)
    stages = _stages(session, journey_id)
    by_depth = _by_depth(session, _conditions(session, journey_id, where or JourneyFilter()))
    reached = [sum(n for d, n in by_depth.items() if d >= k) for k in range(1, len(stages) + 1)]
    rows = []
    for index, ((key, name), customers) in enumerate(zip(stages, reached, strict=True)):
        previous = reached[index - 1] if index else customers
        rows.append(FunnelStageOut(step=index + 1, stage=key, name=name, customers=customers,
                                   conversion_from_previous=_ratio(customers, previous),
                                   conversion_from_entry=_ratio(customers, reached[0]),
                                   dropped=previous - customers))
    return FunnelOut(journey_id=journey.id, journey=journey.key, conversion_window_days=journey.conversion_window_days,
                     entrants=reached[0] if reached else 0, not_entered=by_depth.get(0, 0), stages=rows)


def paths(session: Session, journey_id: int, top: int = 10, where: JourneyFilter | None = None) -> list[PathOut]:
    """The ``top`` most frequent (path, depth) groups of the entrants, then "other" buckets per depth.

    Two queries: the top groups (GROUP BY path, steps … LIMIT top) and the entrants per depth; the
    buckets are their difference, so the rows add up exactly to the funnel.
    """
    if top < 0:
        raise Invalid("top must not be negative", field="top")
    get_journey(session, journey_id)
    conditions = [*_conditions(session, journey_id, where or JourneyFilter()), JourneyPath.steps >= 1]
    count = func.count().label("n")
    shown = [PathCount(p, int(s), int(n)) for p, s, n in session.execute(
        select(JourneyPath.path, JourneyPath.steps, count).where(*conditions)
        .group_by(JourneyPath.path, JourneyPath.steps)
        .order_by(count.desc(), JourneyPath.path, JourneyPath.steps).limit(top))] if top else []
    by_depth = _by_depth(session, conditions)
    entrants = sum(by_depth.values())
    return [PathOut(path=r.path, stages=r.path.split(">") if r.path else [], steps=r.steps, customers=r.customers,
                    share=r.customers / entrants if entrants else 0.0, other=r.other)
            for r in shown + other_buckets(by_depth, shown)]


def _bucket(session: Session, seconds: Any) -> ColumnElement[int]:
    """The histogram bucket of a duration: minutes below a day, then hours (1440 + whole hours past a day)."""
    def whole(x: Any) -> Any:
        # PostgreSQL's CAST rounds; floor() is not built into every SQLite, whose CAST truncates (x ≥ 0 here)
        return cast(func.floor(x), Integer) if session.get_bind().dialect.name == "postgresql" else cast(x, Integer)
    return case((seconds < MINUTE_BUCKETS_UP_TO_S, whole(seconds / 60.0)),
                else_=1440 + whole((seconds - MINUTE_BUCKETS_UP_TO_S) / 3600.0))


def _edges(bucket: int) -> tuple[float, float]:
    if bucket < 1440:
        return bucket * 60.0, (bucket + 1) * 60.0
    low = MINUTE_BUCKETS_UP_TO_S + (bucket - 1440) * 3600.0
    return low, low + 3600.0


def timing(session: Session, journey_id: int, where: JourneyFilter | None = None) -> TimingOut:
    """Median and p90 of the time between consecutive steps, from one histogram query (see ``TIMING_METHOD``)."""
    journey = get_journey(session, journey_id)
    stages = _stages(session, journey_id)
    conditions = _conditions(session, journey_id, where or JourneyFilter())
    bucket = _bucket(session, JourneyStep.since_previous_s).label("bucket")
    histogram: dict[int, list[tuple[float, float, int]]] = {}
    for step, b, n in session.execute(
        select(JourneyStep.step, bucket, func.count())
        .join(JourneyPath, (JourneyPath.customer_id == JourneyStep.customer_id)
              & (JourneyPath.journey_id == JourneyStep.journey_id))
        .where(*conditions, JourneyStep.step >= 2, JourneyStep.since_previous_s.is_not(None))
        .group_by(JourneyStep.step, bucket)
    ):
        histogram.setdefault(int(step), []).append((*_edges(int(b)), int(n)))
    transitions = []
    for step in range(2, len(stages) + 1):
        buckets = histogram.get(step, [])
        transitions.append(TransitionOut(
            step=step, from_stage=stages[step - 2][0], to_stage=stages[step - 1][0],
            customers=sum(b[2] for b in buckets), median_s=quantile_of_histogram(buckets, 0.5),
            p90_s=quantile_of_histogram(buckets, 0.9)))
    return TimingOut(journey_id=journey.id, journey=journey.key, method=TIMING_METHOD, transitions=transitions)


def dropoff(session: Session, journey_id: int, by: str, where: JourneyFilter | None = None) -> list[DropoffOut]:
    """The funnel per segment (a customer in two segments counts in both) or per entry channel: one GROUP BY."""
    get_journey(session, journey_id)
    stages = _stages(session, journey_id)
    conditions = [*_conditions(session, journey_id, where or JourneyFilter()), JourneyPath.steps >= 1]
    reached = [func.sum(case((JourneyPath.steps >= k, 1), else_=0)) for k in range(1, len(stages) + 1)]
    if by == "segment":
        query = (select(Segment.key, Segment.name, func.count(), *reached)
                 .join(CustomerSegment, CustomerSegment.customer_id == JourneyPath.customer_id)
                 .join(Segment, Segment.id == CustomerSegment.segment_id)
                 .where(*conditions).group_by(Segment.key, Segment.name).order_by(Segment.key))
    elif by == "channel":
        query = (select(JourneyPath.entry_channel, JourneyPath.entry_channel, func.count(), *reached)
                 .where(*conditions).group_by(JourneyPath.entry_channel).order_by(JourneyPath.entry_channel))
    else:
        raise Invalid("by: expected segment or channel", field="by")
    rows = []
    for key, name, entrants, *counts in session.execute(query):
        counts = [int(c or 0) for c in counts]
        drops = [(counts[k - 1] - counts[k], stages[k][0]) for k in range(1, len(counts))]
        largest = max(drops, key=lambda d: d[0]) if drops else None
        rows.append(DropoffOut(group=key, name=name, entrants=int(entrants), reached=counts,
                               completion=_ratio(counts[-1], int(entrants)) if counts else None,
                               largest_drop=largest[1] if largest and largest[0] > 0 else None))
    return rows


@dataclass(frozen=True)
class AnalyticsPage:
    """Everything the journey analytics page shows, with the choices of its filters."""

    journey: Journey
    funnel: FunnelOut
    paths: list[PathOut]
    timing: TimingOut
    by_segment: list[DropoffOut]
    by_channel: list[DropoffOut]
    segments: list[tuple[str, str, str]]
    channels: list[str]


def analytics_page(session: Session, journey_id: int, where: JourneyFilter, top: int = 10) -> AnalyticsPage:
    """The funnel, paths, timing and drop-off of a journey under one filter (a constant number of queries)."""
    journey = get_journey(session, journey_id)
    segments = [(k, n, kind) for k, n, kind in session.execute(
        select(Segment.key, Segment.name, Segment.kind).order_by(Segment.kind, Segment.name))]
    channels = sorted({c for c in session.scalars(
        select(JourneyPath.entry_channel).where(JourneyPath.journey_id == journey_id).distinct()) if c})
    return AnalyticsPage(journey=journey, funnel=funnel(session, journey_id, where),
                         paths=paths(session, journey_id, top, where), timing=timing(session, journey_id, where),
                         by_segment=dropoff(session, journey_id, "segment", where),
                         by_channel=dropoff(session, journey_id, "channel", where),
                         segments=segments, channels=channels)
