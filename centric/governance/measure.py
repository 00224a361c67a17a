"""What a target measures: its metrics, scopes and periods, and the actual value with its interval.

Survey metrics (NPS, CSAT, CES) come from the answers' sufficient statistics
(:func:`centric.insights.service.metric`); loop KPIs from the cases
(:func:`centric.loop.kpis.loop_kpis`); churn from the purchase log
(:func:`centric.insights.value.churn_report`). Each gives a
:class:`~centric.stats.Estimate` with its 95% interval, n and standard error.

A new metric is one more :class:`MetricSpec` in :data:`METRICS` (and a branch in
:func:`measure`); eNPS is listed in :data:`NOT_YET` until employee surveys exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.accounts.models import Team
from centric.customers.models import Segment
from centric.errors import Invalid
from centric.insights import value as purchases
from centric.insights.schemas import MetricKind, MetricRow
from centric.insights.service import MetricFilter, metric
from centric.journeys.models import Journey, Stage, Touchpoint
from centric.loop.kpi_schemas import Interval, LoopKpis
from centric.loop.kpis import loop_kpis
from centric.stats import Estimate, ces_estimate, csat_estimate, nps_estimate, proportion_estimate

Cadence = Literal["month", "quarter", "year"]
CADENCES: tuple[str, ...] = ("month", "quarter", "year")
SCOPES: tuple[str, ...] = ("company", "journey", "stage", "touchpoint", "team", "segment", "attribute")
_SURVEY_SCOPES = SCOPES
_COMPANY_OR_TEAM = ("company", "team")
_COMPANY_OR_SEGMENT = ("company", "segment")


@dataclass(frozen=True)
class MetricSpec:
    key: str
    label: str
    unit: str
    low: float  # the smallest threshold that makes sense
    high: float
    direction: str  # the default: at_least (higher is better) or at_most
    scopes: tuple[str, ...]
    source: str  # in words, for the method text


METRICS: dict[str, MetricSpec] = {spec.key: spec for spec in (
    MetricSpec("nps", "NPS", "points, −100…100", -100.0, 100.0, "at_least", _SURVEY_SCOPES,
               "NPS answers (0–10); trinomial Wald interval, adjusted Wald below n 30 (Rocks 2016)"),
    MetricSpec("csat", "CSAT", "% top-2-box", 0.0, 100.0, "at_least", _SURVEY_SCOPES,
               "CSAT answers (4–5 on 1–5); Wilson score interval (Wilson 1927)"),
    MetricSpec("ces", "CES", "mean on 1–7", 1.0, 7.0, "at_least", _SURVEY_SCOPES,
               "CES answers (1–7, higher = less effort); Student t interval"),
    MetricSpec("contacted_48h", "Detractors contacted within 48 h", "%", 0.0, 100.0, "at_least", _COMPANY_OR_TEAM,
               "cases opened in the period; Wilson score interval"),
    MetricSpec("sla_hit", "SLA hit rate", "%", 0.0, 100.0, "at_least", _COMPANY_OR_TEAM,
               "finished cases with a due time; Wilson score interval"),
    MetricSpec("recovery", "Recovery rate", "%", 0.0, 100.0, "at_least", _COMPANY_OR_TEAM,
               "closed cases with a known recovery; Wilson score interval"),
    MetricSpec("root_cause_share", "Closed with a root cause", "%", 0.0, 100.0, "at_least", _COMPANY_OR_TEAM,
               "closed cases; Wilson score interval"),
    MetricSpec("churn", "Churn", "%", 0.0, 100.0, "at_most", _COMPANY_OR_SEGMENT,
               "customers who bought before the period and not during it; Wilson score interval"),
)}
NOT_YET: dict[str, str] = {
    "enps": "eNPS is not available yet: it needs employee surveys (the Mirror domain), which come later",
}
_LOOP_FIELDS: dict[str, Callable[[LoopKpis], Interval]] = {
    "contacted_48h": lambda k: k.detractors_contacted_48h,
    "sla_hit": lambda k: k.sla_hit_rate,
    "recovery": lambda k: k.recovery_rate,
    "root_cause_share": lambda k: k.closed_with_root_cause,
}


def metric_spec(key: str) -> MetricSpec:
    """The metric named ``key``, or a 422 naming the metrics there are."""
    if key in NOT_YET:
        raise Invalid(NOT_YET[key], field="metric")
    if key not in METRICS:
        raise Invalid(f"unknown metric {key!r}; use one of {', '.join(METRICS)}", field="metric")
    return METRICS[key]


# --- periods --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """One month, quarter or year: ``start`` inclusive, ``end`` exclusive, ``label`` as 2026-11 / 2026-Q4 / 2026."""

    cadence: str
    start: date
    end: date
    label: str

    def previous(self) -> Period:
        return period_of(self.cadence, date.fromordinal(self.start.toordinal() - 1))

    def last(self, count: int) -> list[Period]:
        """The ``count`` periods ending with this one, oldest first."""
        out = [self]
        while len(out) < count:
            out.append(out[-1].previous())
        return out[::-1]


def period_of(cadence: str, day: date) -> Period:
    """The period of ``cadence`` that contains ``day``."""
    if cadence == "month":
        return _period("month", day.year, day.month, 1)
    if cadence == "quarter":
        quarter = (day.month - 1) // 3 + 1
        return _period("quarter", day.year, 3 * quarter - 2, 3)
    if cadence == "year":
        return _period("year", day.year, 1, 12)
    raise Invalid(f"unknown cadence {cadence!r}; use month, quarter or year", field="cadence")


def _period(cadence: str, year: int, month: int, months: int) -> Period:
    start = date(year, month, 1)
    after = month - 1 + months
    end = date(year + after // 12, after % 12 + 1, 1)
    label = {"month": f"{year}-{month:02d}", "quarter": f"{year}-Q{(month + 2) // 3}", "year": f"{year}"}[cadence]
    return Period(cadence, start, end, label)


_FORMS = (
    (re.compile(r"(\d{4})-(\d{2})"), "month"),
    (re.compile(r"(\d{4})-[Qq]([1-4])"), "quarter"),
    (re.compile(r"(\d{4})"), "year"),
)


def parse_period(text: str, field_name: str = "period") -> Period:
    """``2026-11`` (a month), ``2026-Q4`` (a quarter) or ``2026`` (a year); a 422 naming ``field_name`` otherwise."""
    cleaned = (text or "").strip()
    for pattern, cadence in _FORMS:
        match = pattern.fullmatch(cleaned)
        if not match:
            continue
        year = int(match.group(1))
        if not 1900 <= year <= 2999:
            break
        if cadence == "month":
            month = int(match.group(2))
            if not 1 <= month <= 12:
                raise Invalid(f"{field_name}: month {month:02d} does not exist in {cleaned!r}", field=field_name)
            return _period("month", year, month, 1)
        if cadence == "quarter":
            return _period("quarter", year, 3 * int(match.group(2)) - 2, 3)
        return _period("year", year, 1, 12)
    raise Invalid(f"{field_name}: expected a month (2026-11), a quarter (2026-Q4) or a year (2026), "
                  f"got {cleaned[:40]!r}", field=field_name)


def current_period(cadence: str, today: date | None = None) -> Period:
    return period_of(cadence, today or datetime.now(UTC).date())


# --- scopes ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """A resolved scope: what to filter answers, cases or purchases on, and a label for people."""

    kind: str
    ref: str
    label: str
    touchpoint_ids: frozenset[int] | None = None
    team_id: int | None = None
    segment: str | None = None
    attribute: tuple[str, str] | None = None


def split_attribute(ref: str) -> tuple[str, str]:
    name, sep, value = ref.partition("=")
    name, value = name.strip(), value.strip()
    if not sep or not name or not value or len(name) > 80:
        raise Invalid(f"scope_ref: an attribute scope is written name=value (e.g. city=Lisbon), got {ref[:80]!r}",
                      field="scope_ref")
    return name, value


def _stage(session: Session, ref: str) -> Stage:
    journey_key, sep, stage_key = ref.partition("/")
    query = select(Stage).join(Journey, Journey.id == Stage.journey_id)
    query = query.where(Journey.key == journey_key, Stage.key == stage_key) if sep else query.where(Stage.key == ref)
    found = session.scalars(query.limit(2)).all()
    if not found:
        raise Invalid(f"scope_ref: no stage {ref!r} (write journey/stage, e.g. stay/arrive)", field="scope_ref")
    if len(found) > 1:
        raise Invalid(f"scope_ref: stage {ref!r} exists in several journeys; write journey/stage", field="scope_ref")
    return found[0]


def resolve_scope(session: Session, kind: str, ref: str) -> Scope:
    """The scope ``kind``/``ref`` checked against the database (a 422 on ``scope_ref`` when it does not exist)."""
    ref = (ref or "").strip()
    if kind not in SCOPES:
        raise Invalid(f"unknown scope {kind!r}; use one of {', '.join(SCOPES)}", field="scope_kind")
    if kind == "company":
        return Scope("company", "", "Company")
    if not ref:
        raise Invalid(f"scope_ref: a {kind} scope needs a reference", field="scope_ref")
    if kind == "journey":
        journey = session.scalar(select(Journey).where(Journey.key == ref))
        if journey is None:
            raise Invalid(f"scope_ref: no journey {ref!r}", field="scope_ref")
        ids = session.scalars(select(Touchpoint.id).join(Stage, Stage.id == Touchpoint.stage_id)
                              .where(Stage.journey_id == journey.id)).all()
        return Scope(kind, ref, f"Journey: {journey.name}", touchpoint_ids=frozenset(ids))
    if kind == "stage":
        stage = _stage(session, ref)
        ids = session.scalars(select(Touchpoint.id).where(Touchpoint.stage_id == stage.id)).all()
        return Scope(kind, ref, f"Stage: {stage.name}", touchpoint_ids=frozenset(ids))
    if kind == "touchpoint":
        touchpoint = session.scalar(select(Touchpoint).where(Touchpoint.key == ref))
        if touchpoint is None:
            raise Invalid(f"scope_ref: no touchpoint {ref!r}", field="scope_ref")
        return Scope(kind, ref, f"Touchpoint: {touchpoint.name}", touchpoint_ids=frozenset({touchpoint.id}))
    if kind == "team":
        team = session.get(Team, int(ref)) if ref.isdigit() and len(ref) < 19 else None
        if team is None:
            raise Invalid(f"scope_ref: no team with id {ref[:40]!r}", field="scope_ref")
        ids = session.scalars(select(Touchpoint.id).where(Touchpoint.owner_team_id == team.id)).all()
        return Scope(kind, ref, f"Team: {team.name}", touchpoint_ids=frozenset(ids), team_id=team.id)
    if kind == "segment":
        segment = session.scalar(select(Segment).where(Segment.key == ref))
        if segment is None:
            raise Invalid(f"scope_ref: no segment {ref!r}", field="scope_ref")
        return Scope(kind, ref, f"Segment: {segment.name}", segment=ref)
    name, value = split_attribute(ref)
    return Scope(kind, f"{name}={value}", f"Customers with {name} = {value}", attribute=(name, value))


def check_compatible(spec: MetricSpec, scope_kind: str) -> None:
    if scope_kind not in spec.scopes:
        raise Invalid(f"{spec.label} can be measured only for scope {' or '.join(spec.scopes)}, "
                      f"not {scope_kind}", field="scope_kind")


# --- measuring ------------------------------------------------------------------------------------------


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _from_share(interval: Interval) -> Estimate:
    """The loop KPI as an Estimate with its binomial standard error (the KPI carries the Wilson interval)."""
    if interval.value is None or interval.n == 0:
        return Estimate(None, None, None, interval.n, None, "no cases in the period")
    successes = round(interval.value * interval.n / 100.0)
    return proportion_estimate(interval.n, successes)


class Measurer:
    """Measures (metric, scope, period) and remembers the scopes and results for one report."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._scopes: dict[tuple[str, str], Scope] = {}
        self._values: dict[tuple[str, str, str, str], Estimate] = {}

    def scope(self, kind: str, ref: str) -> Scope:
        if (kind, ref) not in self._scopes:
            self._scopes[(kind, ref)] = resolve_scope(self.session, kind, ref)
        return self._scopes[(kind, ref)]

    def measure(self, metric_key: str, kind: str, ref: str, period: Period) -> Estimate:
        key = (metric_key, kind, ref, period.label)
        if key not in self._values:
            try:
                self._values[key] = self._measure(metric_spec(metric_key), self.scope(kind, ref), period)
            except Invalid as exc:  # a scope deleted since, no purchase log yet: no value, and why
                self._values[key] = Estimate(None, None, None, 0, None, exc.message)
        return self._values[key]

    def _measure(self, spec: MetricSpec, scope: Scope, period: Period) -> Estimate:
        check_compatible(spec, scope.kind)
        if spec.key in ("nps", "csat", "ces"):
            where = MetricFilter(start=period.start, end=period.end, segment=scope.segment,
                                 touchpoint_ids=scope.touchpoint_ids, attribute=scope.attribute)
            kind: MetricKind = "nps" if spec.key == "nps" else "csat" if spec.key == "csat" else "ces"
            return _survey_estimate(metric(self.session, kind, "none", where).overall)
        if spec.key in _LOOP_FIELDS:
            kpis = loop_kpis(self.session, since=_midnight(period.start), until=_midnight(period.end),
                             team_id=scope.team_id)
            return _from_share(_LOOP_FIELDS[spec.key](kpis))
        return self._churn(scope, period)

    def _churn(self, scope: Scope, period: Period) -> Estimate:
        """Churn of a period that is over; a running period is not judged (who has not bought *yet* is not lost)."""
        today = datetime.now(UTC).date()
        if period.end > today:
            return Estimate(None, None, None, 0, None,
                            f"the period runs until {period.end}: churn is judged once it is over")
        return purchases.churn_in_period(self.session, period.start, period.end, segment=scope.segment)


def _survey_estimate(row: MetricRow) -> Estimate:
    """Rebuild the Estimate (with its se) from the metric row's sufficient statistics."""
    if row.promoters is not None:
        return nps_estimate(row.n, row.promoters, row.detractors or 0)
    if row.satisfied is not None:
        return csat_estimate(row.n, row.satisfied)
    return ces_estimate(row.n, row.total or 0.0, row.total_sq or 0.0)
