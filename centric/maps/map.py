"""The live journey map: the designed journey (stages, touchpoints, owners, designed emotions) with its measures.

For each touchpoint the map shows its **main metric** in the period — the kind (NPS, CSAT or
CES) of the surveys linked to it, else whichever kind has the most answers there — with a 95%
interval and n (:func:`centric.insights.service.metric`, once per kind for the whole journey),
and the **measured emotion**: that score mapped linearly onto the designed −2…+2 scale
(:data:`EMOTION_MAPPING`), its interval mapped alike. The **verdict** compares the measured
interval with the designed emotion (:data:`VERDICT_RULE`).

Also per touchpoint: volume (events there in the period, placed by touchpoint or by event kind
as the funnel places them), the top themes of its feedback with their mean sentiment, open and
SLA-breached cases, and the impact figures of :mod:`centric.maps.impact`.

Filters: ``segment`` (customers of that segment or persona: scores, volume, themes, cases),
``start``/``end`` (answer, event and feedback time, end exclusive; open cases are as of now),
``channel`` (only the touchpoints of that channel are shown). The whole map runs a constant
number of queries whatever the number of stages and touchpoints.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from centric import i18n
from centric.accounts.models import Team, User
from centric.customers.models import CustomerSegment, Segment
from centric.errors import Invalid
from centric.feedback.models import Feedback, FeedbackTheme, Theme
from centric.insights.schemas import MetricKind, MetricRow
from centric.insights.service import SCALES, MetricFilter, metric
from centric.journeys.funnels import get_journey
from centric.journeys.models import Event, Stage, Touchpoint
from centric.loop.models import OPEN_STATUSES, Case
from centric.maps.cache import TimedCache
from centric.maps.impact import TouchpointImpact, touchpoint_impact
from centric.maps.schemas import (
    Emotion,
    Impact,
    ImpactNote,
    JourneyMap,
    Score,
    StageColumn,
    ThemeCount,
    TouchpointCard,
    Verdict,
)
from centric.surveys.models import Survey

KINDS: tuple[MetricKind, ...] = ("nps", "csat", "ces")
TOP_THEMES = 3
SCAN_TTL_S = 60.0
SCAN_CACHE_SIZE = 256

EMOTION_MAPPING = i18n.N_("Measured emotion on the designed −2…+2 scale, mapped linearly from the score: "
                           "NPS −100…+100 → NPS ÷ 50; CSAT top-2-box share 0…100% → (share − 50) ÷ 25 "
                           "(50% satisfied is neutral); CES mean 1…7 → (mean − 4) ÷ 1.5 (4, the scale's midpoint, "
                           "is neutral). The 95% interval is mapped the same way.")
VERDICT_RULE = i18n.N_("bad: the whole measured interval lies below the designed emotion; good: the whole interval "
                        "lies above it; neutral: the interval contains it (as designed, within the noise); unknown: "
                        "no designed emotion or no answers.")


def to_emotion(kind: MetricKind, value: float | None) -> float | None:
    """A score of ``kind`` on the −2…+2 scale (:data:`EMOTION_MAPPING`), clipped to the scale."""
    if value is None:
        return None
    if kind == "nps":
        mapped = value / 50.0
    elif kind == "csat":
        mapped = (value - 50.0) / 25.0
    else:
        mapped = (value - 4.0) / 1.5
    return max(-2.0, min(2.0, mapped))


def verdict(designed: int | None, low: float | None, high: float | None) -> Verdict:
    """good/bad/neutral/unknown by :data:`VERDICT_RULE`."""
    if designed is None or low is None or high is None:
        return "unknown"
    if high < designed:
        return "bad"
    if low > designed:
        return "good"
    return "neutral"


@dataclass(frozen=True)
class _Point:
    touchpoint: Touchpoint
    team: str | None
    user: str | None


def journey_map(session: Session, journey_id: int, *, segment: str | None = None, channel: str | None = None,
                start: date | None = None, end: date | None = None, impact: bool = True) -> JourneyMap:
    """The journey's map with its measures (module docstring); ``impact=False`` skips the driver figures."""
    journey = get_journey(session, journey_id)
    if start and end and start >= end:
        raise Invalid("start must be before end", field="end")
    if segment and session.scalar(select(Segment.id).where(Segment.key == segment)) is None:
        raise Invalid(f"unknown segment {segment!r}", field="segment")
    stages = list(session.scalars(select(Stage).where(Stage.journey_id == journey.id)
                                  .order_by(Stage.position, Stage.id)))
    query = (select(Touchpoint, Team.name, func.coalesce(func.nullif(User.name, ""), User.email))
             .join(Stage, Touchpoint.stage_id == Stage.id)
             .outerjoin(Team, Touchpoint.owner_team_id == Team.id)
             .outerjoin(User, Touchpoint.owner_user_id == User.id)
             .where(Stage.journey_id == journey.id)
             .order_by(Stage.position, Stage.id, Touchpoint.position, Touchpoint.id))
    every = [_Point(t, team, user) for t, team, user in session.execute(query)]
    points = [p for p in every if not channel or p.touchpoint.channel == channel]
    ids = frozenset(p.touchpoint.id for p in points)

    surveys: dict[int, list[tuple[str, str]]] = {}
    if ids:
        for tp, key, kind in session.execute(select(Survey.touchpoint_id, Survey.key, Survey.kind)
                                             .where(Survey.touchpoint_id.in_(sorted(ids))).order_by(Survey.key)):
            if tp is not None:
                surveys.setdefault(tp, []).append((key, kind))
    where = MetricFilter(start=start, end=end, segment=segment or None, touchpoint_ids=ids)
    scores: dict[MetricKind, dict[str, MetricRow]] = {}
    for kind in KINDS:
        result = metric(session, kind, by="touchpoint_key", where=where) if ids else None
        scores[kind] = {row.group: row for row in result.rows} if result else {}
    kinds = tuple((p.touchpoint.id, tuple(p.touchpoint.event_kinds or ())) for p in every)
    volume = _scans.get(session, ("volume", ids, kinds, segment, start, end),
                        lambda: _volume(session, every, ids, segment, start, end), SCAN_TTL_S)
    themes = _scans.get(session, ("themes", ids, segment, start, end),
                        lambda: _themes(session, ids, segment, start, end), SCAN_TTL_S)
    cases = _cases(session, ids, segment)
    figures = touchpoint_impact(session) if impact and ids else TouchpointImpact(
        nps_note="not computed", churn_note="not computed")

    by_stage: dict[int, list[TouchpointCard]] = {s.id: [] for s in stages}
    for point in points:
        t = point.touchpoint
        kind, row = _main_score(t.key, [k for _, k in surveys.get(t.id, [])], scores)
        low = to_emotion(kind, row.low) if row else None
        high = to_emotion(kind, row.high) if row else None
        measured = Emotion(value=to_emotion(kind, row.value) if row else None, low=low, high=high)
        opened, breached = cases.get(t.id, (0, 0))
        by_stage[t.stage_id].append(TouchpointCard(
            id=t.id, key=t.key, name=t.name, position=t.position, channel=t.channel, description=t.description,
            owner_team=point.team, owner_user=point.user, owner_team_id=t.owner_team_id,
            owner_user_id=t.owner_user_id, designed_emotion=t.designed_emotion,
            event_kinds=[str(k) for k in (t.event_kinds or [])], surveys=[key for key, _ in surveys.get(t.id, [])],
            score=Score(metric=kind, value=row.value, low=row.low, high=row.high, n=row.n, scale=SCALES[kind])
            if row else None,
            measured=measured,
            gap=None if t.designed_emotion is None or measured.value is None
            else round(t.designed_emotion - measured.value, 4),
            verdict=verdict(t.designed_emotion, low, high), volume=volume.get(t.id, 0),
            themes=themes.get(t.id, []), open_cases=opened, breached_cases=breached,
            impact=_impact(figures, t.id),
        ))
    return JourneyMap(
        id=journey.id, key=journey.key, name=journey.name, description=journey.description, segment=segment or None,
        channel=channel or None, start=start, end=end,
        stages=[StageColumn(id=s.id, key=s.key, name=s.name, position=s.position, description=s.description,
                            touchpoints=by_stage[s.id]) for s in stages],
        impact=ImpactNote(nps_survey=figures.nps_survey, nps_note=figures.nps_note, churn_note=figures.churn_note),
        emotion_mapping=EMOTION_MAPPING, verdict_rule=VERDICT_RULE,
    )


def _main_score(key: str, linked: list[str], scores: dict[MetricKind, dict[str, MetricRow]],
                ) -> tuple[MetricKind, MetricRow | None]:
    """The linked surveys' kind with the most answers here; without linked surveys, the kind with most answers."""
    candidates = [k for k in KINDS if k in linked] or list(KINDS)
    answered = [(scores[k][key].n, -KINDS.index(k), k) for k in candidates if key in scores[k] and scores[k][key].n]
    if not answered:
        return candidates[0], None
    kind = max(answered)[2]
    return kind, scores[kind][key]


def _impact(figures: TouchpointImpact, touchpoint_id: int) -> Impact:
    nps = figures.nps.get(touchpoint_id)
    churn = figures.churn.get(touchpoint_id)
    return Impact(
        nps_importance=nps[0] if nps else None, nps_low=nps[1] if nps else None, nps_high=nps[2] if nps else None,
        churn_coefficient=churn[0] if churn else None, churn_low=churn[1] if churn else None,
        churn_high=churn[2] if churn else None, churn_p_value=churn[3] if churn else None,
    )


def _members(segment: str) -> Select[int]:
    """Customer ids of the segment (a subquery)."""
    return select(CustomerSegment.customer_id).join(Segment).where(Segment.key == segment)


def _moment(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time())


# The map's two scans of raw rows (event volume, feedback themes), kept per process for a minute.
# Scores come from the daily rollups and cases are counted live; only these two GROUP BYs read
# every event and feedback item of the period (about 0.3 s each on the 100,000-guest demo), so a
# map shown again within SCAN_TTL_S reuses them: volume and themes may lag new data by up to a
# minute. Keyed by database, touchpoints, event-kind placement and filters.
_scans = TimedCache(SCAN_CACHE_SIZE)


def clear_scan_cache() -> None:
    """Forget the cached volume and theme scans (tests, or after a bulk change)."""
    _scans.clear()


def _volume(session: Session, every: Iterable[_Point], ids: frozenset[int], segment: str | None,
            start: date | None, end: date | None) -> dict[int, int]:
    """Events per touchpoint in the period: by ``Event.touchpoint_id``, or by kind when it names none (one query)."""
    if not ids:
        return {}
    by_kind: dict[str, int] = {}
    for point in every:  # journey order: the first touchpoint listing a kind places it
        for kind in point.touchpoint.event_kinds or []:
            by_kind.setdefault(str(kind), point.touchpoint.id)
    by_kind = {k: tp for k, tp in by_kind.items() if tp in ids}
    placed: ColumnElement[bool] = Event.touchpoint_id.in_(sorted(ids))
    if by_kind:
        placed = or_(placed, and_(Event.touchpoint_id.is_(None), Event.kind.in_(sorted(by_kind))))
    query = select(Event.touchpoint_id, Event.kind, func.count()).where(placed)
    if segment:
        query = query.where(Event.customer_id.in_(_members(segment)))
    if start:
        query = query.where(Event.occurred_at >= _moment(start))
    if end:
        query = query.where(Event.occurred_at < _moment(end))
    counts: dict[int, int] = {}
    for tp, kind, count in session.execute(query.group_by(Event.touchpoint_id, Event.kind)):
        target = tp if tp is not None else by_kind.get(kind)
        if target is not None:
            counts[target] = counts.get(target, 0) + int(count)
    return counts


def _themes(session: Session, ids: frozenset[int], segment: str | None, start: date | None,
            end: date | None) -> dict[int, list[ThemeCount]]:
    """The most mentioned themes of each touchpoint's feedback in the period, with mean sentiment (one query)."""
    if not ids:
        return {}
    mentions = func.count(Feedback.id)
    query = (select(Feedback.touchpoint_id, Theme.name, mentions,
                    func.avg(func.coalesce(FeedbackTheme.sentiment, Feedback.sentiment)))
             .join(FeedbackTheme, FeedbackTheme.feedback_id == Feedback.id)
             .join(Theme, FeedbackTheme.theme_id == Theme.id)
             .where(Feedback.touchpoint_id.in_(sorted(ids))))
    if segment:
        query = query.where(Feedback.customer_id.in_(_members(segment)))
    if start:
        query = query.where(Feedback.occurred_at >= _moment(start))
    if end:
        query = query.where(Feedback.occurred_at < _moment(end))
    found: dict[int, list[ThemeCount]] = {}
    for tp, name, count, sentiment in session.execute(query.group_by(Feedback.touchpoint_id, Theme.name)):
        if tp is not None:
            found.setdefault(tp, []).append(ThemeCount(
                name=name, mentions=int(count), sentiment=None if sentiment is None else round(float(sentiment), 3)))
    return {tp: sorted(rows, key=lambda r: (-r.mentions, r.name))[:TOP_THEMES] for tp, rows in found.items()}


def _cases(session: Session, ids: frozenset[int], segment: str | None) -> dict[int, tuple[int, int]]:
    """Open cases per touchpoint now, and how many of them breached their SLA (one query)."""
    if not ids:
        return {}
    breached = func.sum(case((Case.sla_state == "breached", 1), else_=0))
    query = (select(Case.touchpoint_id, func.count(Case.id), breached)
             .where(Case.touchpoint_id.in_(sorted(ids)), Case.status.in_(OPEN_STATUSES),
                    Case.merged_into_id.is_(None)))
    if segment:
        query = query.where(Case.customer_id.in_(_members(segment)))
    return {tp: (int(n), int(b or 0)) for tp, n, b in session.execute(query.group_by(Case.touchpoint_id))
            if tp is not None}
