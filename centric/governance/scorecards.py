"""Scorecards: every target of an owner (or the company) in one period, with noise-aware verdicts.

Whose targets: a user's scorecard lists the targets that user owns personally (owner
user); a team's lists the targets owned by the team; with neither, the company scorecard
lists every company-scope target. A team member's scorecard does not inherit the team's
targets: a person is judged only on what is assigned to them by name.

Which period: ``period`` (2026-11, 2026-Q4, 2026) keeps the targets of that cadence and
evaluates them in that period; without it each target is evaluated in the current period
of its own cadence. A target counts only in periods that overlap its validity.

Each row: the actual value with its 95% interval and n, a verdict (met / missed / not
distinguishable, :func:`centric.stats.target_verdict`), the trend over the last four
periods, and a rank among the targets on the same metric and scope kind in the same
period (e.g. team NPS across teams) that separates only significant differences
(:func:`centric.stats.significance_ranks`, Holm-corrected pairwise z-tests).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict

from sqlalchemy.orm import Session

from centric.accounts.models import Team, User
from centric.errors import Invalid, NotFound
from centric.governance.measure import METRICS, Measurer, Period, current_period, parse_period
from centric.governance.schemas import OwnerOut, Scorecard, ScorecardRow, TargetOut, TrendPoint
from centric.governance.targets import list_targets
from centric.stats import Estimate, significance_ranks, target_verdict
from centric.stats.targets import RANK_RULE, VERDICT_RULE

TREND_PERIODS = 4
METHOD = (
    "Values: NPS with a trinomial Wald 95% interval (adjusted Wald below n 30; Rocks 2016, Sauro & Lewis 2021); "
    "CSAT, loop KPIs and churn as shares with a Wilson score interval (Wilson 1927); CES as a mean with a "
    "Student t interval. Verdict: " + VERDICT_RULE + ". Rank among the targets on the same metric and scope "
    "kind in the same period, counting only those with n at or above their minimum: " + RANK_RULE + "."
)
CSV_COLUMNS = ("owner", "target", "metric", "scope", "period", "threshold", "direction", "value", "low", "high",
               "n", "verdict", "reason", "rank", "rank_group_size", "method")


def _overlaps(target: TargetOut, period: Period) -> bool:
    return target.valid_from < period.end and (target.valid_until is None or target.valid_until >= period.start)


def _owner(session: Session, user_id: int | None, team_id: int | None) -> OwnerOut | None:
    if user_id is not None and team_id is not None:
        raise Invalid("give user_id or team_id, not both", field="team_id")
    if user_id is not None:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"no user with id {user_id}")
        return OwnerOut(user_id=user.id, user_name=user.name or user.email)
    if team_id is not None:
        team = session.get(Team, team_id)
        if team is None:
            raise NotFound(f"no team with id {team_id}")
        return OwnerOut(team_id=team.id, team_name=team.name)
    return None


def _verdict_of(target: TargetOut, estimate: Estimate) -> tuple[str, str]:
    verdict = target_verdict(estimate, target.threshold, "at_most" if target.direction == "at_most" else "at_least",
                             target.min_n)
    reason = verdict.reason
    if estimate.value is None and estimate.method not in ("", "no responses", "no cases in the period"):
        reason = f"{reason}: {estimate.method}"
    return verdict.verdict, reason


def scorecard(session: Session, *, user_id: int | None = None, team_id: int | None = None,
              period: str | None = None) -> Scorecard:
    """The scorecard of a user, a team, or (neither given) the company-scope targets, for ``period``.

    ``period`` is ``2026-Q4``, ``2026-11`` or ``2026``; by default the current period of each target's cadence.
    """
    owner = _owner(session, user_id, team_id)
    chosen = parse_period(period) if period else None
    if user_id is not None:
        targets = list_targets(session, owner_user_id=user_id)
    elif team_id is not None:
        targets = list_targets(session, owner_team_id=team_id)
    else:
        targets = list_targets(session, scope_kind="company")
    measurer = Measurer(session)
    rows: list[ScorecardRow] = []
    for target in targets:
        if chosen is not None and target.cadence != chosen.cadence:
            continue
        when = chosen or current_period(target.cadence)
        if not _overlaps(target, when):
            continue
        trend = []
        for point in when.last(TREND_PERIODS):
            estimate = measurer.measure(target.metric, target.scope_kind, target.scope_ref, point)
            trend.append(TrendPoint(period=point.label, value=estimate.value, low=estimate.low, high=estimate.high,
                                    n=estimate.n, verdict=_verdict_of(target, estimate)[0]))
        estimate = measurer.measure(target.metric, target.scope_kind, target.scope_ref, when)
        verdict, reason = _verdict_of(target, estimate)
        rows.append(ScorecardRow(target=target, period=when.label, value=estimate.value, low=estimate.low,
                                 high=estimate.high, n=estimate.n, verdict=verdict, reason=reason, trend=trend,
                                 method=estimate.method))
    _rank(session, measurer, rows)
    return Scorecard(owner=owner, period=chosen.label if chosen else "current", rows=rows, method=METHOD)


def _rank(session: Session, measurer: Measurer, rows: list[ScorecardRow]) -> None:
    """Rank each row among every active target on the same metric and scope kind in the same period."""
    if not rows:
        return
    peers_of: dict[tuple[str, str], list[TargetOut]] = defaultdict(list)
    for peer in list_targets(session, ids=None):
        peers_of[(peer.metric, peer.scope_kind)].append(peer)
    groups: dict[tuple[str, str, str], list[ScorecardRow]] = defaultdict(list)
    for row in rows:
        groups[(row.target.metric, row.target.scope_kind, row.period)].append(row)
    for (metric, kind, label), members in groups.items():
        when = parse_period(label)
        peers = [p for p in peers_of[(metric, kind)] if p.cadence == when.cadence and _overlaps(p, when)]
        estimates = [measurer.measure(p.metric, p.scope_kind, p.scope_ref, when) for p in peers]
        usable = [(p, e) for p, e in zip(peers, estimates, strict=True) if e.value is not None and e.n >= p.min_n]
        if len(usable) < 2:
            continue
        spec = METRICS[metric]
        ranks = significance_ranks([e for _, e in usable], higher_is_better=spec.direction == "at_least")
        by_id = {p.id: r for (p, _), r in zip(usable, ranks, strict=True)}
        ranked = sum(1 for r in ranks if r is not None)
        for row in members:
            if by_id.get(row.target.id) is not None:
                row.rank, row.rank_group_size = by_id[row.target.id], ranked


def _owner_words(target: TargetOut) -> str:
    parts = [x for x in (target.owner.user_name, target.owner.team_name) if x]
    return " / ".join(parts)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def scorecard_csv(card: Scorecard) -> str:
    """One CSV row per target (for performance reviews), with the method on every row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in card.rows:
        t = row.target
        writer.writerow([_safe(_owner_words(t)), _safe(t.name), t.metric, _safe(t.scope_label), row.period,
                         f"{t.threshold:g}", t.direction, _number(row.value), _number(row.low), _number(row.high),
                         row.n, row.verdict, _safe(row.reason), "" if row.rank is None else row.rank,
                         "" if row.rank_group_size is None else row.rank_group_size, card.method])
    return out.getvalue()


def _safe(text: str) -> str:
    """Cells that a spreadsheet would run as a formula start with an apostrophe (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
