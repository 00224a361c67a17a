"""Evidence from Centric's own data for the statements of the CX maturity questionnaire.

Each function measures one share (in percent) as of a day and turns it into a stage with
:func:`stage_of_share` (fixed bands: below 20 % → 1, 20–40 → 2, 40–60 → 3, 60–80 → 4,
80 % and more → 5). With nothing to count the value and stage are ``None`` and the
sentence says why. Dated data (cases, feedback, responses, scorecard views, digests,
target validity) are read as of the assessment's day; ownership of touchpoints and the
status of initiatives are as they are now (Centric keeps no history of them).

A constant number of queries per evidence; the loop KPIs are computed once for both
"respond" figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from centric.feedback.models import Feedback, FeedbackTheme
from centric.governance.models import DigestRun, Initiative, InitiativeImpact, Target
from centric.governance.scorecard_views import teams_reading
from centric.journeys.models import Touchpoint
from centric.loop.kpi_schemas import LoopKpis
from centric.loop.kpis import loop_kpis
from centric.surveys.models import Response

WINDOW_DAYS = 90
BANDS = (20.0, 40.0, 60.0, 80.0)
APPROVED = ("approved", "in_progress", "done")


@dataclass(frozen=True)
class Evidence:
    """One measured share next to a self-rating: value in percent, its stage, how many counted, and a sentence."""

    key: str
    label: str
    value: float | None
    stage: int | None
    n: int
    sentence: str


def stage_of_share(percent: float) -> int:
    """The stage a share in percent stands for (module docstring: 20-point bands)."""
    return 1 + sum(percent >= band for band in BANDS)


def _share(key: str, label: str, hits: int, n: int, what: str, empty: str) -> Evidence:
    if n == 0:
        return Evidence(key, label, None, None, 0, empty)
    value = 100.0 * hits / n
    return Evidence(key, label, value, stage_of_share(value), n, f"{hits} of {n} {what} ({value:.0f}%).")


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


class _Context:
    """The day evidence is read as of, and figures shared between evidence functions."""

    def __init__(self, session: Session, as_of: date) -> None:
        self.session = session
        self.as_of = as_of
        self.end = _day_start(as_of + timedelta(days=1))  # naive UTC, exclusive
        self.start = self.end - timedelta(days=WINDOW_DAYS)
        self._kpis: LoopKpis | None = None

    def kpis(self) -> LoopKpis:
        if self._kpis is None:
            self._kpis = loop_kpis(self.session, since=self.start.replace(tzinfo=UTC),
                                   until=self.end.replace(tzinfo=UTC))
        return self._kpis

    def valid_targets(self) -> list[Any]:
        return [Target.active.is_(True), Target.valid_from <= self.as_of,
                or_(Target.valid_until.is_(None), Target.valid_until >= self.as_of)]


def _count(session: Session, statement: Any) -> int:
    return int(session.scalar(statement) or 0)


def initiatives_sponsored(ctx: _Context) -> Evidence:
    s = ctx.session
    approved = [Initiative.status.in_(APPROVED), Initiative.created_at < ctx.end]
    n = _count(s, select(func.count()).select_from(Initiative).where(*approved))
    hits = _count(s, select(func.count()).select_from(Initiative).where(
        *approved, Initiative.sponsor_user_id.is_not(None)))
    return _share("initiatives_sponsored", "approved initiatives with an executive sponsor", hits, n,
                  "approved initiatives have an executive sponsor", "No approved initiative yet.")


def targets_owned(ctx: _Context) -> Evidence:
    s = ctx.session
    n = _count(s, select(func.count()).select_from(Target).where(*ctx.valid_targets()))
    hits = _count(s, select(func.count()).select_from(Target).where(
        *ctx.valid_targets(), or_(Target.owner_user_id.is_not(None), Target.owner_team_id.is_not(None))))
    return _share("targets_owned", "active targets with an owner", hits, n, "active targets have an owner",
                  "No active target on that day.")


def touchpoints_heard(ctx: _Context) -> Evidence:
    s = ctx.session
    n = _count(s, select(func.count()).select_from(Touchpoint))
    heard = exists().where(Response.touchpoint_id == Touchpoint.id, Response.submitted_at >= ctx.start,
                           Response.submitted_at < ctx.end)
    hits = _count(s, select(func.count()).select_from(Touchpoint).where(heard))
    return _share("touchpoints_heard", f"touchpoints with survey responses in the last {WINDOW_DAYS} days", hits, n,
                  f"touchpoints had survey responses in the last {WINDOW_DAYS} days", "No touchpoint is mapped yet.")


def feedback_themed(ctx: _Context) -> Evidence:
    s = ctx.session
    window = [Feedback.occurred_at >= ctx.start, Feedback.occurred_at < ctx.end]
    n = _count(s, select(func.count()).select_from(Feedback).where(*window))
    themed = exists().where(FeedbackTheme.feedback_id == Feedback.id)
    hits = _count(s, select(func.count()).select_from(Feedback).where(*window, themed))
    return _share("feedback_themed", f"feedback of the last {WINDOW_DAYS} days with a theme", hits, n,
                  f"pieces of feedback of the last {WINDOW_DAYS} days carry a theme",
                  f"No feedback in the last {WINDOW_DAYS} days.")


def _owned() -> Any:
    return or_(Touchpoint.owner_team_id.is_not(None), Touchpoint.owner_user_id.is_not(None))


def touchpoints_owned(ctx: _Context) -> Evidence:
    s = ctx.session
    n = _count(s, select(func.count()).select_from(Touchpoint))
    hits = _count(s, select(func.count()).select_from(Touchpoint).where(_owned()))
    return _share("touchpoints_owned", "touchpoints with an owner", hits, n,
                  "touchpoints have an owner (team or person)", "No touchpoint is mapped yet.")


def touchpoints_owned_and_targeted(ctx: _Context) -> Evidence:
    s = ctx.session
    n = _count(s, select(func.count()).select_from(Touchpoint))
    targeted = exists().where(Target.scope_kind == "touchpoint", Target.scope_ref == Touchpoint.key,
                              *ctx.valid_targets())
    hits = _count(s, select(func.count()).select_from(Touchpoint).where(_owned(), targeted))
    return _share("touchpoints_owned_and_targeted", "touchpoints with an owner and an active target", hits, n,
                  "touchpoints have an owner and an active target", "No touchpoint is mapped yet.")


def teams_reading_scorecards(ctx: _Context) -> Evidence:
    first = ctx.as_of.replace(day=1)
    hits, n = teams_reading(ctx.session, first, ctx.as_of)
    return _share("teams_reading_scorecards", "teams that opened a scorecard this month", hits, n,
                  f"teams had a member open a scorecard from {first.isoformat()} to {ctx.as_of.isoformat()}",
                  "No team is set up yet.")


def owners_digested(ctx: _Context) -> Evidence:
    s = ctx.session
    owners = select(Target.owner_user_id).where(*ctx.valid_targets(), Target.owner_user_id.is_not(None)).distinct()
    n = _count(s, select(func.count()).select_from(owners.subquery()))
    first = _day_start(ctx.as_of.replace(day=1))
    sent = exists().where(DigestRun.user_id == Target.owner_user_id, DigestRun.status == "sent",
                          DigestRun.sent_at >= first, DigestRun.sent_at < ctx.end)
    hits = _count(s, select(func.count()).select_from(owners.where(sent).subquery()))
    return _share("owners_digested", "target owners sent a digest this month", hits, n,
                  "people who own a target were sent a digest this month", "No target is owned by a person.")


def detractors_contacted_48h(ctx: _Context) -> Evidence:
    figure = ctx.kpis().detractors_contacted_48h
    hits = round((figure.value or 0.0) * figure.n / 100.0)
    return _share("detractors_contacted_48h", "detractors contacted within 48 h", hits, figure.n,
                  f"detractor cases of the last {WINDOW_DAYS} days were contacted within 48 hours",
                  f"No detractor case in the last {WINDOW_DAYS} days.")


def cases_with_root_cause(ctx: _Context) -> Evidence:
    figure = ctx.kpis().closed_with_root_cause
    hits = round((figure.value or 0.0) * figure.n / 100.0)
    return _share("cases_with_root_cause", "closed cases with a root cause", hits, figure.n,
                  f"cases opened in the last {WINDOW_DAYS} days and closed carry a root cause",
                  f"No case opened in the last {WINDOW_DAYS} days is closed yet.")


def initiatives_measured(ctx: _Context) -> Evidence:
    s = ctx.session
    done = [Initiative.status == "done", or_(Initiative.done_on.is_(None), Initiative.done_on <= ctx.as_of)]
    n = _count(s, select(func.count()).select_from(Initiative).where(*done))
    measured = exists().where(and_(InitiativeImpact.initiative_id == Initiative.id,
                                   InitiativeImpact.effect.is_not(None)))
    hits = _count(s, select(func.count()).select_from(Initiative).where(*done, measured))
    return _share("initiatives_measured", "done initiatives with a measured impact", hits, n,
                  "finished initiatives have a measured effect", "No initiative is done yet.")


EVIDENCE: dict[str, Callable[[_Context], Evidence]] = {f.__name__: f for f in (
    initiatives_sponsored, targets_owned, touchpoints_heard, feedback_themed, touchpoints_owned,
    touchpoints_owned_and_targeted, teams_reading_scorecards, owners_digested, detractors_contacted_48h,
    cases_with_root_cause, initiatives_measured)}


def collect(session: Session, as_of: date, keys: set[str] | None = None) -> dict[str, Evidence]:
    """The evidence named by ``keys`` (all by default), as of ``as_of``."""
    ctx = _Context(session, as_of)
    return {key: fn(ctx) for key, fn in EVIDENCE.items() if keys is None or key in keys}
