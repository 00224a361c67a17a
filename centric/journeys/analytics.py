"""Per-customer journey summaries (``JourneyStep``, ``JourneyPath``) kept up to date from the event log.

Funnels and paths read these summaries, never raw events (see :mod:`centric.journeys.funnels`).
A customer's rows are recomputed from all their events whenever events arrive or a merge
moves events (:func:`refresh_customers`, wired in :mod:`centric.wiring`); :func:`rebuild`
recomputes everything after a journey's stages, touchpoints or window change. The funnel
itself is :func:`centric.stats.funnel.progression`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import REAL, ColumnElement, Float, cast, delete, extract, func, or_, select
from sqlalchemy.orm import Session

from centric.events import CustomerMergeUndone, CustomersMerged, EventsRecorded
from centric.journeys.models import Event, Journey, JourneyPath, JourneyStep, Stage, Touchpoint
from centric.stats.funnel import progression

EPOCH = datetime(1970, 1, 1)
CUSTOMERS_PER_CHUNK = 2_000
PATH_LENGTH = 400
Progress = Callable[[int, int], None]


@dataclass
class JourneyLayout:
    """A journey's ordered stages and where its events land: touchpoint → stage, event kind → stage."""

    journey_id: int
    window_s: float
    stage_ids: list[int] = field(default_factory=list)
    stage_keys: list[str] = field(default_factory=list)


@dataclass
class Placement:
    """Where events go: touchpoint id → (journey index, stage index, channel); kind → one per journey."""

    journeys: list[JourneyLayout]
    touchpoints: dict[int, tuple[int, int, str]]
    kinds: dict[str, list[tuple[int, int, str]]]


def placement(session: Session, journey_id: int | None = None) -> Placement:
    """Every journey's stages and touchpoints, with their event kinds, in one query."""
    query = (
        select(Journey.id, Journey.conversion_window_days, Stage.id, Stage.key, Touchpoint.id, Touchpoint.channel,
               Touchpoint.event_kinds)
        .join(Stage, Stage.journey_id == Journey.id)
        .outerjoin(Touchpoint, Touchpoint.stage_id == Stage.id)
        .order_by(Journey.id, Stage.position, Stage.id, Touchpoint.position, Touchpoint.id)
    )
    if journey_id is not None:
        query = query.where(Journey.id == journey_id)
    journeys: list[JourneyLayout] = []
    touchpoints: dict[int, tuple[int, int, str]] = {}
    kinds: dict[str, list[tuple[int, int, str]]] = {}
    kinds_placed: set[tuple[str, int]] = set()
    for j_id, window_days, stage_id, stage_key, tp_id, channel, event_kinds in session.execute(query):
        if not journeys or journeys[-1].journey_id != j_id:
            journeys.append(JourneyLayout(j_id, float(window_days) * 86_400.0))
        layout, j_index = journeys[-1], len(journeys) - 1
        if not layout.stage_ids or layout.stage_ids[-1] != stage_id:
            layout.stage_ids.append(stage_id)
            layout.stage_keys.append(stage_key)
        if tp_id is None:
            continue
        s_index = len(layout.stage_ids) - 1
        touchpoints[tp_id] = (j_index, s_index, channel)
        for kind in event_kinds or []:
            # at most one touchpoint per journey takes a kind: the first by stage, then touchpoint position
            if isinstance(kind, str) and (kind, j_index) not in kinds_placed:
                kinds_placed.add((kind, j_index))
                kinds.setdefault(kind, []).append((j_index, s_index, channel))
    return Placement(journeys, touchpoints, kinds)


def epoch_seconds(session: Session, column: Any) -> ColumnElement[float]:
    """A naive-UTC timestamp as seconds since 1970 (with microseconds) in the session's SQL dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(extract("epoch", column), Float)
    # SQLite stores 'YYYY-MM-DD HH:MM:SS.ffffff': whole seconds from strftime, the fraction from the text
    return cast(func.strftime("%s", column), REAL) + func.coalesce(cast(func.substr(column, 20), REAL), 0.0)


def as_datetime(seconds: float) -> datetime:
    return EPOCH + timedelta(microseconds=round(seconds * 1_000_000))


def _customer_rows(customer_id: int, events: Iterable[tuple[int | None, str, float]], where: Placement,
                   paths: list[dict[str, Any]], steps: list[dict[str, Any]]) -> None:
    """Append the customer's JourneyPath and JourneyStep rows for every journey their events touch."""
    placed: dict[int, list[tuple[int, float, str]]] = {}
    for tp_id, kind, at in events:
        if tp_id is not None:
            spot = where.touchpoints.get(tp_id)
            if spot is not None:
                placed.setdefault(spot[0], []).append((spot[1], at, spot[2]))
        else:
            for j_index, s_index, channel in where.kinds.get(kind, ()):
                placed.setdefault(j_index, []).append((s_index, at, channel))
    for j_index, located in placed.items():
        layout = where.journeys[j_index]
        run = progression(((s, t) for s, t, _c in located), len(layout.stage_ids), layout.window_s)
        # events come in time order: step 1 is the first event at the first stage
        first = next(e for e in located if e[0] == 0) if run.steps else located[0]
        paths.append({
            "customer_id": customer_id, "journey_id": layout.journey_id,
            "path": ">".join(layout.stage_keys[s] for s in run.path)[:PATH_LENGTH], "steps": run.depth,
            "entered_at": as_datetime(first[1]), "last_at": as_datetime(located[-1][1]),
            "entry_channel": first[2][:40],
        })
        steps.extend({
            "customer_id": customer_id, "journey_id": layout.journey_id, "step": s.step,
            "stage_id": layout.stage_ids[s.stage], "reached_at": as_datetime(s.at),
            "since_previous_s": s.since_previous_s,
        } for s in run.steps)


def _events_query(session: Session, where: Placement) -> Any:
    at = epoch_seconds(session, Event.occurred_at)
    relevant = or_(Event.touchpoint_id.is_not(None), Event.kind.in_(sorted(where.kinds))) if where.kinds \
        else Event.touchpoint_id.is_not(None)
    return (select(Event.customer_id, Event.touchpoint_id, Event.kind, at).where(relevant)
            .order_by(Event.customer_id, Event.occurred_at, Event.id))


def _compute(session: Session, query: Any, where: Placement) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    paths: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    current: int | None = None
    events: list[tuple[int | None, str, float]] = []
    for customer_id, tp_id, kind, at in session.execute(query):
        if customer_id != current:
            if current is not None:
                _customer_rows(current, events, where, paths, steps)
            current, events = customer_id, []
        events.append((tp_id, kind, float(at)))
    if current is not None:
        _customer_rows(current, events, where, paths, steps)
    return paths, steps


def _insert(session: Session, paths: list[dict[str, Any]], steps: list[dict[str, Any]]) -> None:
    if paths:
        session.execute(JourneyPath.__table__.insert(), paths)
    if steps:
        session.execute(JourneyStep.__table__.insert(), steps)


def refresh_customers(session: Session, customer_ids: Iterable[int]) -> None:
    """Recompute these customers' steps and paths in every journey from all their events.

    Per chunk of customers: one query for their events, a delete and a bulk insert of their rows
    (plus one query for the journeys' stages and touchpoints in all).
    """
    ids = sorted(set(customer_ids))
    if not ids:
        return
    where = placement(session)
    for start in range(0, len(ids), CUSTOMERS_PER_CHUNK):
        chunk = ids[start:start + CUSTOMERS_PER_CHUNK]
        session.execute(delete(JourneyStep).where(JourneyStep.customer_id.in_(chunk)))
        session.execute(delete(JourneyPath).where(JourneyPath.customer_id.in_(chunk)))
        if where.journeys:
            paths, steps = _compute(session, _events_query(session, where).where(Event.customer_id.in_(chunk)), where)
            _insert(session, paths, steps)


def rebuild(session: Session, journey_id: int | None = None, progress: Progress | None = None) -> int:
    """Recompute every customer's steps and paths (of one journey, or all); returns the customers processed.

    Customers are processed in id order, ``CUSTOMERS_PER_CHUNK`` at a time (one range query over
    the (customer, time) index per chunk, bulk inserts); ``progress(done, total)`` is called per chunk.
    """
    where = placement(session, journey_id)
    for model in (JourneyStep, JourneyPath):
        statement = delete(model)
        if journey_id is not None:
            statement = statement.where(model.journey_id == journey_id)
        session.execute(statement)
    if not where.journeys:
        return 0
    base = _events_query(session, where)
    customers: Sequence[int] = list(session.scalars(
        select(Event.customer_id).where(base.whereclause).distinct().order_by(Event.customer_id)))
    total = len(customers)
    for start in range(0, total, CUSTOMERS_PER_CHUNK):
        chunk = customers[start:start + CUSTOMERS_PER_CHUNK]
        paths, steps = _compute(session, base.where(Event.customer_id.between(chunk[0], chunk[-1])), where)
        _insert(session, paths, steps)
        if progress is not None:
            progress(min(start + CUSTOMERS_PER_CHUNK, total), total)
    return total


# --- reactions (wired in centric.wiring) ---------------------------------------------------

def journeys_follow_events(session: Session, recorded: EventsRecorded) -> None:
    """Reaction: refresh the journeys of the customers whose events were stored (one query for them)."""
    ids = list(recorded.ids)
    customers: set[int] = set()
    for start in range(0, len(ids), 1_000):
        customers.update(session.scalars(
            select(Event.customer_id).where(Event.id.in_(ids[start:start + 1_000])).distinct()))
    refresh_customers(session, customers)


def journeys_follow_merge(session: Session, merged: CustomersMerged) -> None:
    """Reaction: the survivor's journeys now include the merged profile's events; the merged one has none."""
    refresh_customers(session, (merged.survivor_id, merged.merged_id))


def journeys_follow_undo(session: Session, undone: CustomerMergeUndone) -> None:
    """Reaction: an undone merge splits the events again: both customers' journeys are recomputed."""
    refresh_customers(session, (undone.survivor_id, undone.merged_id))
