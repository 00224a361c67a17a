"""Loop KPIs for a date range (cases created in it) and optionally one team, each with its interval.

A constant number of SQL aggregates (durations are binned to whole minutes in SQL, so
quantiles need one row per distinct minute, not per case); the statistics come from
:mod:`centric.stats`. No customer data leaves this module: viewers may read it.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session, aliased

from centric.accounts.models import Team
from centric.customers.models import CustomerSegment
from centric.db import as_utc, utcnow
from centric.errors import Invalid
from centric.loop.kpi_schemas import Interval, LoopKpis, TeamSla, Uplift
from centric.loop.models import Case
from centric.stats.loop import QuantileEstimate, matched_uplift, order_statistic_ranks
from centric.stats.proportions import proportion_estimate
from centric.stats.scales import DETRACTOR_MAX
from centric.surveys.models import Answer, Response

DEFAULT_DAYS = 90
CONTACT_WITHIN_MIN = 48 * 60
CLOSED = ("resolved", "closed")
UPLIFT_CAVEAT = (
    "Observational, matched comparison, not a randomised experiment: contacted customers are compared with "
    "customers of the same original score, segment and touchpoint whose case had no contact before they "
    "answered again. It removes differences in those three only; whoever chose whom to contact may have "
    "picked customers more (or less) likely to recover, which this cannot rule out.")


def minutes_between(session: Session, later: Any, earlier: Any) -> ColumnElement[Any]:
    """``later − earlier`` in minutes, in the session's SQL dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier) / 60.0
    return (func.julianday(later) - func.julianday(earlier)) * 1440.0


def not_merged() -> ColumnElement[bool]:
    """Cases not merged into another, written so that no index is used for it.

    Almost every case matches; without statistics SQLite would otherwise prefer the
    ``merged_into_id`` index (an equality) over the date range and visit every case.
    """
    return func.coalesce(Case.merged_into_id, 0) == 0


def is_finished() -> ColumnElement[bool]:
    """Resolved or closed, likewise kept off the status indexes: the date range is the selective part."""
    return func.coalesce(Case.status, "").in_(CLOSED)


def date_range(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    """The range asked for (UTC), by default the last :data:`DEFAULT_DAYS` days; empty ranges are refused."""
    end = as_utc(until) if until else utcnow()
    start = as_utc(since) if since else end - timedelta(days=DEFAULT_DAYS)
    if start >= end:
        raise Invalid("since must be before until", field="since")
    return start, end


def loop_kpis(session: Session, *, since: datetime | None = None, until: datetime | None = None,
              team_id: int | None = None) -> LoopKpis:
    start, end = date_range(since, until)
    scope = [Case.created_at >= start.replace(tzinfo=None), Case.created_at < end.replace(tzinfo=None),
             not_merged()]
    if team_id is not None:
        scope.append(Case.team_id == team_id)
    closed = is_finished()
    detractor = and_(Case.metric == "nps", Case.score <= DETRACTOR_MAX)
    to_contact = minutes_between(session, Case.first_contact_at, Case.created_at)
    finished_at = func.coalesce(Case.resolved_at, Case.closed_at)
    to_close = minutes_between(session, finished_at, Case.created_at)

    def count_if(*conditions: Any) -> Any:
        return func.coalesce(func.sum(case((and_(*conditions), 1), else_=0)), 0)

    # one pass over the range, by team: the totals are the sums of the teams' counts
    timed = (closed, Case.resolution_due_at.is_not(None), finished_at.is_not(None))
    rows = session.execute(select(
        Case.team_id, Team.name, func.count(), count_if(detractor),
        count_if(detractor, Case.first_contact_at.is_not(None), to_contact <= CONTACT_WITHIN_MIN),
        count_if(closed), count_if(closed, Case.root_cause_id.is_not(None)),
        count_if(closed, Case.recovered.in_(("yes", "no"))), count_if(closed, Case.recovered == "yes"),
        count_if(*timed), count_if(*timed, finished_at <= Case.resolution_due_at),
        count_if(Case.first_contact_at.is_not(None)), count_if(closed, finished_at.is_not(None)),
    ).outerjoin(Team, Team.id == Case.team_id).where(*scope)
        .group_by(Case.team_id, Team.name).order_by(Team.name)).all()
    sums = [sum(int(row[k]) for row in rows) for k in range(2, len(rows[0]) if rows else 13)]
    n, detractors, contacted, n_closed, with_cause, known, recovered, sla_n, sla_met, n_contact, n_close = sums
    by_team = [TeamSla(team_id=row[0], team=row[1] or "no team", hit_rate=_share(int(row[9]), int(row[10])))
               for row in rows if int(row[9])]

    contact_median, contact_p90 = _quantiles(session, to_contact, n_contact, *scope, Case.first_contact_at.is_not(None))
    close_median, close_p90 = _quantiles(session, to_close, n_close, *scope, closed, finished_at.is_not(None))
    return LoopKpis(
        since=start, until=end, team_id=team_id, cases=n,
        detractors_contacted_48h=_share(detractors, contacted),
        first_contact_median_h=contact_median, first_contact_p90_h=contact_p90,
        close_median_h=close_median, close_p90_h=close_p90,
        sla_hit_rate=_share(sla_n, sla_met),
        sla_hit_rate_by_team=by_team,
        closed_with_root_cause=_share(n_closed, with_cause),
        recovery_rate=_share(known, recovered),
        resurvey_uplift=_uplift(session, scope),
    )


def _share(n: int, successes: int) -> Interval:
    est = proportion_estimate(n, successes)
    return Interval(value=est.value, low=est.low, high=est.high, n=est.n, method="Wilson score interval, %")


def _quantiles(session: Session, minutes: ColumnElement[Any], n: int, *where: Any) -> tuple[Interval, Interval]:
    """The median and p90 of a duration in hours over the ``n`` cases of ``where`` (one query).

    Durations are rounded to whole minutes; only the order statistics that the estimates
    need (point and interval ranks of both quantiles) leave the database.
    """
    wanted = {0.5: order_statistic_ranks(n, 0.5), 0.9: order_statistic_ranks(n, 0.9)} if n else {}
    ranks = {max(1, math.ceil(n * p)) for p in wanted} | {k for r, s, _ in wanted.values() for k in (r, s) if k}
    at_rank: dict[int, float] = {}
    if ranks:
        binned = func.round(minutes).label("minutes")
        ranked = select(binned, func.row_number().over(order_by=binned).label("rank")).where(*where).subquery()
        at_rank = {int(k): float(m) for m, k in session.execute(
            select(ranked.c.minutes, ranked.c["rank"]).where(ranked.c["rank"].in_(sorted(ranks))))}

    def hours(value: float | None) -> float | None:
        return None if value is None else value / 60.0

    def at(p: float) -> Interval:
        if p not in wanted:
            est = QuantileEstimate(None, None, None, 0, None)
        else:
            r, s, coverage = wanted[p]
            est = QuantileEstimate(at_rank[max(1, math.ceil(n * p))], at_rank[r] if r else None,
                                   at_rank[s] if s else None, n, coverage)
        return Interval(value=hours(est.value), low=hours(est.low), high=hours(est.high), n=est.n,
                        method=f"order-statistic interval (Conover), hours; coverage {est.coverage or 0:.3f}")

    return at(0.5), at(0.9)


def _uplift(session: Session, scope: list[Any]) -> Uplift:
    """Change from the case's score to the customer's next answer of the same survey and metric."""
    original, later = aliased(Response), aliased(Response)
    segment = (select(func.min(CustomerSegment.segment_id)).where(CustomerSegment.customer_id == Case.customer_id)
               .correlate(Case).scalar_subquery())  # looked up for the matched rows only (unique index)
    found = session.execute(
        select(Case.id, Case.score, Case.touchpoint_id, segment, Case.first_contact_at,
               later.submitted_at, Answer.number, later.id)
        .join(original, original.id == Case.response_id)
        .join(later, and_(later.customer_id == original.customer_id, later.survey_id == original.survey_id,
                          later.submitted_at > original.submitted_at))
        .join(Answer, and_(Answer.response_id == later.id, Answer.metric == Case.metric))
        .where(*scope, Case.score.is_not(None), Answer.number.is_not(None))).all()
    rows = sorted(found, key=lambda row: (row[0], row[5], row[7]))  # here: an ORDER BY id would scan every case
    treated: list[tuple[Any, float]] = []
    control: list[tuple[Any, float]] = []
    seen: set[int] = set()
    for case_id, score, touchpoint, segment_id, contacted_at, answered_at, number, _ in rows:
        if case_id in seen:  # only the first later answer counts
            continue
        seen.add(case_id)
        arm = treated if contacted_at is not None and contacted_at <= answered_at else control
        arm.append(((float(score), segment_id, touchpoint), float(number) - float(score)))
    result = matched_uplift(treated, control)
    return Uplift(difference=result.difference, low=result.low, high=result.high, n_contacted=result.n_treated,
                  n_not_contacted=result.n_control, strata=result.strata,
                  contacted_without_match=result.unmatched_treated, naive_difference=result.naive_difference,
                  method=result.method + " on original score, segment and touchpoint", caveat=UPLIFT_CAVEAT)
