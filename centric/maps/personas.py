"""Personas and segments you can see: rules over attributes *and* metrics, live previews, persona reports.

A persona or segment is a :class:`centric.customers.models.Segment`; its rule is a list of
conditions (all must hold). Here a condition may also name a figure of the customer
(:data:`METRICS`): ``clv``, ``churn_risk``, ``clv_band``, ``risk_band`` (the last scoring,
:class:`centric.insights.models.CustomerValue`) and ``last_nps`` (the customer's latest NPS
answer). They are evaluated by merging those values into the attributes (a figure wins over an
attribute of the same name) and matching with :func:`centric.customers.service.matches_rule`, so
a rule without figures means exactly what it meant before. A customer never scored has no
``clv``/``churn_risk``/bands; one who never answered NPS has no ``last_nps``: conditions on
them fail (only ``exists`` can tell).

Every report section is a constant number of queries, whatever the persona's size.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Select, case, func, select, union_all
from sqlalchemy.orm import Session

from centric import i18n
from centric.accounts.service import audit
from centric.customers.models import Customer, CustomerSegment, Segment
from centric.customers.service import DERIVED_ATTRIBUTES, get_segment, list_segments, matches_rule
from centric.db import month_of
from centric.errors import Conflict, Invalid
from centric.events import SegmentsRefilled, publish
from centric.feedback.models import Feedback, FeedbackTheme, Theme
from centric.ideas.models import Idea, IdeaVote
from centric.insights.models import CustomerValue
from centric.insights.schemas import MetricRow
from centric.insights.service import MetricFilter, metric
from centric.insights.value import churn_in_period
from centric.journeys.models import Event, Journey
from centric.loop.models import OPEN_STATUSES, Case
from centric.surveys.models import Answer, Response

METRICS: tuple[str, ...] = DERIVED_ATTRIBUTES
VALUE_METRICS = ("clv", "churn_risk", "clv_band", "risk_band")
OPS = ("eq", "ne", "in", "gte", "lte", "contains", "exists")
OP_WORDS = {"eq": "=", "ne": "≠", "in": i18n.N_("is one of"), "gte": "≥", "lte": "≤", "contains": i18n.N_("contains"),
            "exists": i18n.N_("is set")}
METRIC_LABELS = {"clv": "CLV", "churn_risk": i18n.N_("churn risk"), "clv_band": i18n.N_("CLV band"),
                 "risk_band": i18n.N_("risk band"), "last_nps": i18n.N_("last NPS")}
SEGMENT_KINDS = (i18n.N_("persona"), i18n.N_("segment"))  # shown as stored, translated where shown
MAX_CONDITIONS = 20
BATCH = 5000
SAMPLE = 10
TREND_MONTHS = 12
CHURN_DAYS = 90
TOP_THEMES = 8
VERBATIMS_PER_LANGUAGE = 3
VERBATIM_CANDIDATES = 2000
LANGUAGES = ("en", "zh")
CASES_SHOWN = 5
IDEAS_SHOWN = 5
TREND_DEFINITION = i18n.N_("active members per month: today's members with at least one event, survey response "
                            "or feedback item in that calendar month (UTC)")
VERBATIM_DEFINITION = i18n.N_("most typical: feedback of members in the period with a clear (positive or negative) "
                               "sentiment, ranked by the summed share of the persona's top themes it mentions, then by "
                               "the strength of its sentiment, then newest")


# --- schemas ---------------------------------------------------------------------------------

class Condition(BaseModel):
    """One condition: an attribute of the customer or one of :data:`METRICS`, an operator, a value."""

    attribute: str = Field(min_length=1, max_length=80)
    op: Literal["eq", "ne", "in", "gte", "lte", "contains", "exists"] = "eq"
    value: Any = None


class RuleIn(BaseModel):
    rule: list[Condition] = Field(default_factory=list, max_length=MAX_CONDITIONS)


class SegmentSave(BaseModel):
    """A persona or segment as the editor saves it (the key is in the path)."""

    name: str = Field(min_length=1, max_length=200)
    kind: Literal["persona", "segment"] = "persona"
    description: str = Field(default="", max_length=4000)
    rule: list[Condition] = Field(default_factory=list, max_length=MAX_CONDITIONS)


class MemberOut(BaseModel):
    id: int
    name: str


class PreviewOut(BaseModel):
    """How many customers a rule selects now; ``sample`` (a few of them) only for ``customers:read``."""

    members: int
    customers: int = Field(description="customers evaluated (every unmerged profile)")
    conditions: list[str]
    sample: list[MemberOut] | None = None


class SegmentHead(BaseModel):
    """A segment's definition, in rules and in words, and its member count."""

    key: str
    name: str
    kind: str
    description: str
    rule: list[dict[str, Any]]
    conditions: list[str]
    members: int


class SegmentSaved(SegmentHead):
    created: bool


class MonthActive(BaseModel):
    month: str
    active: int


class ValueOut(BaseModel):
    """Value and churn risk of the members scored by the last CLV run."""

    scored: int
    clv_mean: float | None
    clv_sum: float | None
    churn_risk_mean: float | None
    high_risk_share: float | None = Field(description="share (0–1) of scored members in the high risk band")


class ChurnOut(BaseModel):
    value: float | None
    low: float | None
    high: float | None
    n: int
    method: str
    period_start: date
    period_end: date


class ThemeOut(BaseModel):
    path: str
    label: str
    volume: int
    share: float = Field(description="share (0–1) of the members' enriched feedback that mentions the theme")
    sentiment: float | None


class VerbatimOut(BaseModel):
    feedback_id: int
    customer_id: int | None
    text: str
    language: str
    sentiment: float | None
    sentiment_label: str | None
    themes: list[str]
    occurred_at: datetime


class CaseOut(BaseModel):
    id: int
    title: str
    status: str
    priority: str
    customer_id: int | None
    created_at: datetime


class IdeaOut(BaseModel):
    id: int
    title: str
    status: str
    votes: int
    member_votes: int


class JourneyRef(BaseModel):
    id: int
    key: str
    name: str


class PersonaSummary(BaseModel):
    key: str
    name: str
    kind: str
    description: str
    members: int
    nps: MetricRow
    value: ValueOut


class PersonaReport(SegmentHead):
    """Everything the persona page shows. ``verbatims``, ``open_cases`` and ``cases`` are None
    unless the reader may see customers (``customers:read``)."""

    start: date
    end: date
    trend: list[MonthActive]
    trend_definition: str = TREND_DEFINITION
    nps: MetricRow
    csat: MetricRow
    ces: MetricRow
    value: ValueOut
    churn: ChurnOut
    themes: list[ThemeOut]
    ideas: list[IdeaOut]
    journeys: list[JourneyRef]
    verbatims: dict[str, list[VerbatimOut]] | None = None
    verbatim_definition: str = VERBATIM_DEFINITION
    open_cases: int | None = None
    cases: list[CaseOut] | None = None


class Comparison(BaseModel):
    """Two to four persona reports side by side, in the order asked."""

    personas: list[PersonaReport]


# --- rules with metrics ----------------------------------------------------------------------

def names_metric(rule: Iterable[dict[str, Any]]) -> bool:
    return any(c.get("attribute") in METRICS for c in rule)


def describe(condition: dict[str, Any]) -> str:
    """A condition in words: ``CLV ≥ 1000``, ``country is one of CN, HK``, ``e-mail is set``."""
    name = str(condition.get("attribute", ""))
    label = METRIC_LABELS.get(name, name)
    op = str(condition.get("op", "eq"))
    if op == "exists":
        return f"{label} is set"
    value = condition.get("value")
    shown = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return f"{label} {OP_WORDS.get(op, op)} {shown}"


def _as_rule(rule: Sequence[Condition | dict[str, Any]]) -> list[dict[str, Any]]:
    out = [c.model_dump() if isinstance(c, Condition) else Condition.model_validate(c).model_dump() for c in rule]
    for c in out:
        if c["op"] in ("gte", "lte"):
            try:
                float(c["value"])
            except (TypeError, ValueError):
                raise Invalid(f"{describe(c)}: ≥ and ≤ need a number", field="rule") from None
        if c["op"] == "in" and not isinstance(c["value"], list):
            c["value"] = [v.strip() for v in str(c["value"] or "").split(",") if v.strip()]
    return out


def _batches(session: Session, rule: list[dict[str, Any]], batch: int) -> Iterator[list[tuple[int, str, dict]]]:
    """(id, name, attributes with the figures the rule names merged in), unmerged customers by id.

    Per batch: one query for customers (with their values when the rule names one), one for
    the NPS answers when it names ``last_nps``.
    """
    names = {c["attribute"] for c in rule}
    with_value = bool(names & set(VALUE_METRICS))
    with_nps = "last_nps" in names
    last_id = 0
    while True:
        query: Select[Any] = select(Customer.id, Customer.name, Customer.attributes)
        if with_value:
            query = select(Customer.id, Customer.name, Customer.attributes, CustomerValue.clv,
                           CustomerValue.churn_risk, CustomerValue.clv_band, CustomerValue.risk_band
                           ).outerjoin(CustomerValue, CustomerValue.customer_id == Customer.id)
        rows = session.execute(query.where(Customer.merged_into_id.is_(None), Customer.id > last_id)
                               .order_by(Customer.id).limit(batch)).all()
        if not rows:
            return
        high = rows[-1][0]
        nps: dict[int, float] = {}
        if with_nps:
            for customer_id, number in session.execute(
                select(Response.customer_id, Answer.number).join(Answer, Answer.response_id == Response.id)
                .where(Answer.metric == "nps", Answer.number.is_not(None), Response.customer_id > last_id,
                       Response.customer_id <= high)
                .order_by(Response.customer_id, Response.submitted_at, Response.id)
            ):
                if customer_id is not None and number is not None:
                    nps[customer_id] = number  # the latest wins
        out = []
        for row in rows:
            attributes = dict(row[2] or {})
            if with_value and row[3] is not None:
                attributes.update(clv=row[3], churn_risk=row[4], clv_band=row[5], risk_band=row[6])
            elif with_value:
                for name in VALUE_METRICS:
                    attributes.pop(name, None)
            if with_nps:
                attributes.pop("last_nps", None)
                if row[0] in nps:
                    attributes["last_nps"] = nps[row[0]]
            out.append((row[0], row[1], attributes))
        yield out
        last_id = high


def matching(session: Session, rule: Sequence[Condition | dict[str, Any]], *,
             batch: int = BATCH) -> Iterator[tuple[int, str, bool]]:
    """Every unmerged customer as (id, name, whether ``rule`` selects them)."""
    conditions = _as_rule(rule)
    for rows in _batches(session, conditions, batch):
        for customer_id, name, attributes in rows:
            yield customer_id, name, matches_rule(attributes, conditions)


def preview(session: Session, rule: Sequence[Condition | dict[str, Any]], *, sample: int = SAMPLE,
            with_sample: bool = False) -> PreviewOut:
    """How many customers ``rule`` selects now (and, if asked, the first few of them); nothing is saved."""
    conditions = _as_rule(rule)
    members = customers = 0
    chosen: list[MemberOut] = []
    for customer_id, name, selected in matching(session, conditions):
        customers += 1
        if selected:
            members += 1
            if with_sample and len(chosen) < sample:
                chosen.append(MemberOut(id=customer_id, name=name))
    return PreviewOut(members=members, customers=customers, conditions=[describe(c) for c in conditions],
                      sample=chosen if with_sample else None)


def refresh_members(session: Session, segment: Segment, *, batch: int = BATCH) -> int:
    """Recompute a rule-based segment's members (attributes and metrics); returns how many.

    A segment without a rule keeps its members (they were assigned by hand or by a job,
    e.g. the RFM segments).
    """
    if not segment.rule:
        return session.scalar(select(func.count()).where(CustomerSegment.segment_id == segment.id)) or 0
    session.execute(CustomerSegment.__table__.delete().where(CustomerSegment.segment_id == segment.id))
    members = 0
    pending: list[dict[str, int]] = []
    for customer_id, _name, selected in matching(session, segment.rule, batch=batch):
        if selected:
            pending.append({"customer_id": customer_id, "segment_id": segment.id})
        if len(pending) >= batch:
            session.execute(CustomerSegment.__table__.insert(), pending)
            members += len(pending)
            pending = []
    if pending:
        session.execute(CustomerSegment.__table__.insert(), pending)
        members += len(pending)
    publish(session, SegmentsRefilled((segment.id,)))
    return members


def refresh_metric_segments(session: Session) -> dict[str, int]:
    """Refresh every segment whose rule names a metric (after a CLV scoring or new NPS answers)."""
    return {s.key: refresh_members(session, s) for s in session.scalars(select(Segment).order_by(Segment.key))
            if s.rule and names_metric(s.rule)}


def save_segment(session: Session, key: str, data: SegmentSave, user_id: int | None) -> SegmentSaved:
    """Create or replace the persona/segment ``key``; audited; memberships refreshed from the rule."""
    if not key or len(key) > 80 or not key[0].isalnum() or not all(ch.isalnum() or ch in "-_" for ch in key) \
            or key != key.lower() or not key.isascii():
        raise Invalid("a key is lower-case letters, digits, - and _", field="key")
    rule = _as_rule(data.rule)
    segment = session.scalar(select(Segment).where(Segment.key == key))
    created = segment is None
    if segment is None:
        segment = Segment(key=key, name=data.name, kind=data.kind, description=data.description, rule=rule)
        session.add(segment)
        session.flush()
        audit(session, user_id, "segment.create", "segment", segment.id, {"key": key, "rule": rule})
    else:
        before = {"name": segment.name, "kind": segment.kind, "description": segment.description,
                  "rule": list(segment.rule or [])}
        segment.name, segment.kind, segment.description, segment.rule = data.name, data.kind, data.description, rule
        session.flush()
        audit(session, user_id, "segment.update", "segment", segment.id,
              {"key": key, "before": before, "after": {"name": data.name, "kind": data.kind,
                                                       "description": data.description, "rule": rule}})
    members = refresh_members(session, segment)
    return SegmentSaved(key=key, name=segment.name, kind=segment.kind, description=segment.description, rule=rule,
                        conditions=[describe(c) for c in rule], members=members, created=created)


def create_only(session: Session, key: str, data: SegmentSave, user_id: int | None) -> SegmentSaved:
    """:func:`save_segment` for a new key only (the editor's "new" form)."""
    if session.scalar(select(Segment.id).where(Segment.key == key)) is not None:
        raise Conflict(f"segment {key!r} exists already", field="key")
    return save_segment(session, key, data, user_id)


# --- reports ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Window:
    """The report period ``[start, end)`` (days)."""

    start: date
    end: date

    @classmethod
    def of(cls, start: date | None, end: date | None, today: date | None = None) -> Window:
        end = end or (today or date.today()) + timedelta(days=1)
        start = start or end - timedelta(days=365)
        if start >= end:
            raise Invalid("start must be before end", field="start")
        return cls(start, end)

    @property
    def first(self) -> datetime:
        return datetime.combine(self.start, time())

    @property
    def after(self) -> datetime:
        return datetime.combine(self.end, time())


def _members(segment_id: int) -> Select[Any]:
    return select(CustomerSegment.customer_id).where(CustomerSegment.segment_id == segment_id)


def _months(end: date, n: int = TREND_MONTHS) -> list[str]:
    last = end - timedelta(days=1)
    year, month = last.year, last.month
    out = []
    for _ in range(n):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]


def size_trend(session: Session, segment_id: int, end: date) -> list[MonthActive]:
    """:data:`TREND_DEFINITION` over the 12 calendar months up to ``end`` (exclusive): one query."""
    months = _months(end)
    since = datetime.strptime(months[0] + "-01", "%Y-%m-%d")
    until = datetime.combine(end, time())
    members = _members(segment_id)
    parts = [
        select(Event.customer_id.label("cid"), month_of(session, Event.occurred_at).label("m"))
        .where(Event.customer_id.in_(members), Event.occurred_at >= since, Event.occurred_at < until),
        select(Response.customer_id.label("cid"), month_of(session, Response.submitted_at).label("m"))
        .where(Response.customer_id.in_(members), Response.submitted_at >= since, Response.submitted_at < until),
        select(Feedback.customer_id.label("cid"), month_of(session, Feedback.occurred_at).label("m"))
        .where(Feedback.customer_id.in_(members), Feedback.occurred_at >= since, Feedback.occurred_at < until),
    ]
    activity = union_all(*parts).subquery()
    counts = {str(m): int(n) for m, n in session.execute(
        select(activity.c.m, func.count(func.distinct(activity.c.cid))).group_by(activity.c.m))}
    return [MonthActive(month=m, active=counts.get(m, 0)) for m in months]


def _values(session: Session, members: Select[Any]) -> ValueOut:
    high = func.sum(case((CustomerValue.risk_band == "high", 1), else_=0))
    n, clv_mean, clv_sum, risk_mean, highs = session.execute(
        select(func.count(), func.avg(CustomerValue.clv), func.sum(CustomerValue.clv),
               func.avg(CustomerValue.churn_risk), high).where(CustomerValue.customer_id.in_(members))).one()
    n = int(n or 0)
    return ValueOut(scored=n, clv_mean=None if clv_mean is None else float(clv_mean),
                    clv_sum=None if clv_sum is None else float(clv_sum),
                    churn_risk_mean=None if risk_mean is None else float(risk_mean),
                    high_risk_share=(int(highs or 0) / n) if n else None)


def _churn(session: Session, key: str, end: date) -> ChurnOut:
    start = end - timedelta(days=CHURN_DAYS)
    est = churn_in_period(session, start, end, segment=key)
    return ChurnOut(value=est.value, low=est.low, high=est.high, n=est.n, method=est.method,
                    period_start=start, period_end=end)


def _feedback_scope(members: Select[Any], window: Window) -> list[Any]:
    return [Feedback.customer_id.in_(members), Feedback.text_version.is_not(None),
            Feedback.occurred_at >= window.first, Feedback.occurred_at < window.after]


def top_themes(session: Session, members: Select[Any], window: Window, n: int = TOP_THEMES) -> list[ThemeOut]:
    """The themes the members' enriched feedback mentions most, with mean sentiment: two queries."""
    scope = _feedback_scope(members, window)
    items = session.scalar(select(func.count()).select_from(Feedback).where(*scope)) or 0
    volume = func.count().label("volume")
    stats = (select(FeedbackTheme.theme_id, volume, func.avg(FeedbackTheme.sentiment).label("sentiment"))
             .join(Feedback, Feedback.id == FeedbackTheme.feedback_id).where(*scope)
             .group_by(FeedbackTheme.theme_id).order_by(volume.desc(), FeedbackTheme.theme_id).limit(n).subquery())
    rows = session.execute(
        select(Theme.name, Theme.rule, stats.c.volume, stats.c.sentiment).join(stats, stats.c.theme_id == Theme.id)
        .order_by(stats.c.volume.desc(), Theme.name)
    ).all()
    return [ThemeOut(path=name, label=str((rule or {}).get("label", "")) or name.rsplit("/", 1)[-1], volume=int(v),
                     share=round(int(v) / items, 4) if items else 0.0,
                     sentiment=None if s is None else round(float(s), 4)) for name, rule, v, s in rows]


def typical_verbatims(session: Session, members: Select[Any], window: Window,
                      themes: list[ThemeOut]) -> dict[str, list[VerbatimOut]]:
    """:data:`VERBATIM_DEFINITION`, :data:`VERBATIMS_PER_LANGUAGE` per language: one query."""
    out: dict[str, list[VerbatimOut]] = {lang: [] for lang in LANGUAGES}
    if not themes:
        return out
    share = {t.path: t.share for t in themes}
    rows = session.execute(
        select(Feedback.id, Feedback.customer_id, Feedback.text, Feedback.language, Feedback.sentiment,
               Feedback.sentiment_label, Feedback.occurred_at, Theme.name)
        .join(FeedbackTheme, FeedbackTheme.feedback_id == Feedback.id).join(Theme, Theme.id == FeedbackTheme.theme_id)
        .where(*_feedback_scope(members, window), Theme.name.in_(list(share)),
               Feedback.sentiment_label.in_(("positive", "negative")))
        .order_by(Feedback.occurred_at.desc(), Feedback.id.desc()).limit(VERBATIM_CANDIDATES)
    ).all()
    found: dict[int, VerbatimOut] = {}
    for fid, cid, text, language, sentiment, label, at, theme in rows:
        lang = (language or "")[:2].lower()
        if lang not in out:
            continue
        item = found.setdefault(fid, VerbatimOut(feedback_id=fid, customer_id=cid, text=text, language=lang,
                                                 sentiment=sentiment, sentiment_label=label, themes=[],
                                                 occurred_at=at))
        if theme not in item.themes:
            item.themes.append(theme)
    ranked = sorted(found.values(), key=lambda v: (-sum(share[t] for t in v.themes), -abs(v.sentiment or 0.0),
                                                   -v.occurred_at.timestamp(), -v.feedback_id))
    for item in ranked:
        if len(out[item.language]) < VERBATIMS_PER_LANGUAGE:
            item.themes.sort()
            out[item.language].append(item)
    return out


def open_cases(session: Session, members: Select[Any], n: int = CASES_SHOWN) -> tuple[int, list[CaseOut]]:
    """How many open cases the members have, and the ``n`` most urgent: two queries."""
    where = [Case.customer_id.in_(members), Case.status.in_(OPEN_STATUSES), Case.merged_into_id.is_(None)]
    count = session.scalar(select(func.count()).select_from(Case).where(*where)) or 0
    rows = session.scalars(select(Case).where(*where).order_by(Case.priority_score.desc(), Case.created_at.desc(),
                                                               Case.id.desc()).limit(n))
    return int(count), [CaseOut(id=c.id, title=c.title, status=c.status, priority=c.priority,
                                customer_id=c.customer_id, created_at=c.created_at) for c in rows]


def top_ideas(session: Session, members: Select[Any], n: int = IDEAS_SHOWN) -> list[IdeaOut]:
    """The approved ideas most voted for by the members (their votes, then all votes): one query."""
    votes = func.count(IdeaVote.id)
    rows = session.execute(
        select(Idea.id, Idea.title, Idea.status, Idea.vote_count, votes).join(IdeaVote, IdeaVote.idea_id == Idea.id)
        .where(IdeaVote.customer_id.in_(members), Idea.moderation == "approved", Idea.duplicate_of_id.is_(None))
        .group_by(Idea.id, Idea.title, Idea.status, Idea.vote_count)
        .order_by(votes.desc(), Idea.vote_count.desc(), Idea.id).limit(n)
    ).all()
    return [IdeaOut(id=i, title=t, status=s, votes=int(v or 0), member_votes=int(m)) for i, t, s, v, m in rows]


def journeys(session: Session) -> list[JourneyRef]:
    return [JourneyRef(id=i, key=k, name=n) for i, k, n in
            session.execute(select(Journey.id, Journey.key, Journey.name).order_by(Journey.name, Journey.id))]


def persona_report(session: Session, key: str, *, start: date | None = None, end: date | None = None,
                   customers: bool = False, today: date | None = None) -> PersonaReport:
    """The persona page's figures over ``[start, end)`` (default: the last 365 days up to today).

    ``customers`` (the reader has ``customers:read``) adds the typical verbatims and the open cases.
    """
    segment = get_segment(session, key)
    window = Window.of(start, end, today)
    members = _members(segment.id)
    where = MetricFilter(start=window.start, end=window.end, segment=key)
    themes = top_themes(session, members, window)
    report = PersonaReport(
        key=segment.key, name=segment.name, kind=segment.kind, description=segment.description,
        rule=list(segment.rule or []), conditions=[describe(c) for c in segment.rule or []],
        members=session.scalar(select(func.count()).select_from(members.subquery())) or 0,
        start=window.start, end=window.end, trend=size_trend(session, segment.id, window.end),
        nps=metric(session, "nps", where=where).overall, csat=metric(session, "csat", where=where).overall,
        ces=metric(session, "ces", where=where).overall, value=_values(session, members),
        churn=_churn(session, key, window.end), themes=themes, ideas=top_ideas(session, members),
        journeys=journeys(session),
    )
    if customers:
        report.verbatims = typical_verbatims(session, members, window, themes)
        report.open_cases, report.cases = open_cases(session, members)
    return report


def compare_personas(session: Session, keys: Sequence[str], *, start: date | None = None, end: date | None = None,
                     customers: bool = False, today: date | None = None) -> Comparison:
    """The same figures for 2–4 personas, side by side (a constant number of queries per persona)."""
    wanted = list(dict.fromkeys(k.strip() for k in keys if k.strip()))
    if not 2 <= len(wanted) <= 4:
        raise Invalid("compare two to four personas", field="keys")
    return Comparison(personas=[persona_report(session, k, start=start, end=end, customers=customers, today=today)
                                for k in wanted])


def list_personas(session: Session, kind: Literal["persona", "segment", "all"] = "persona",
                  limit: int | None = None, offset: int = 0) -> tuple[list[PersonaSummary], int]:
    """Personas (or segments) with size, NPS (all time) and value: four queries, whatever their number
    (plus one per persona whose name another segment shares: NPS by segment groups by name)."""
    rows, _ = list_segments(session)
    chosen = [(s, n) for s, n in rows if kind == "all" or s.kind == kind]
    chosen.sort(key=lambda sn: (sn[0].kind != "persona", sn[0].name.lower(), sn[0].key))
    total = len(chosen)
    chosen = chosen[offset:None if limit is None else offset + limit]
    if not chosen:
        return [], total
    by_name = {r.group: r for r in metric(session, "nps", by="segment").rows}  # grouped by segment name
    names = [s.name for s, _ in rows]
    nps = {s.key: by_name.get(s.name) if names.count(s.name) == 1
           else metric(session, "nps", where=MetricFilter(segment=s.key)).overall for s, _ in chosen}
    ids = [s.id for s, _ in chosen]
    high = func.sum(case((CustomerValue.risk_band == "high", 1), else_=0))
    values = {sid: (int(n or 0), cm, cs, rm, hs) for sid, n, cm, cs, rm, hs in session.execute(
        select(CustomerSegment.segment_id, func.count(), func.avg(CustomerValue.clv), func.sum(CustomerValue.clv),
               func.avg(CustomerValue.churn_risk), high)
        .join(CustomerValue, CustomerValue.customer_id == CustomerSegment.customer_id)
        .where(CustomerSegment.segment_id.in_(ids)).group_by(CustomerSegment.segment_id))}
    empty = MetricRow(group="all", n=0, value=None, low=None, high=None, method="no answers")
    out = []
    for segment, members in chosen:
        n, cm, cs, rm, hs = values.get(segment.id, (0, None, None, None, 0))
        out.append(PersonaSummary(
            key=segment.key, name=segment.name, kind=segment.kind, description=segment.description, members=members,
            nps=nps.get(segment.key) or empty,
            value=ValueOut(scored=n, clv_mean=None if cm is None else float(cm),
                           clv_sum=None if cs is None else float(cs),
                           churn_risk_mean=None if rm is None else float(rm),
                           high_risk_share=(int(hs or 0) / n) if n else None)))
    return out, total


def trend_points(trend: Sequence[MonthActive], width: int = 480, height: int = 120, pad: int = 8) -> str:
    """The ``points`` of an SVG polyline for the size trend (numbers only: safe in a template)."""
    if not trend:
        return ""
    top = max(1, max(p.active for p in trend))
    step = (width - 2 * pad) / max(1, len(trend) - 1)
    return " ".join(f"{pad + i * step:.1f},{height - pad - (height - 2 * pad) * p.active / top:.1f}"
                    for i, p in enumerate(trend))

