"""EX ↔ CX linkage: per team, employee experience beside what that team's customers experience.

For a date range (default: the last 90 days) and each team:

* **EX**: eNPS (``enps`` items) and engagement (per response the mean of its ``agree5``
  items in pulses of kind ``engagement``, then the team's mean), from waves overlapping the
  range, each published through :func:`centric.stats.disclosure.publishable` (company root,
  team dimension; k = ``CENTRIC_MIRROR_MIN_GROUP``);
* **CX**: customer NPS and CSAT at the touchpoints the team owns
  (:func:`centric.insights.service.metric` grouped by owner team), this range and the
  previous one of equal length (the trend);
* **case outcomes** of the team's cases opened in the range, with the closed loop's
  definitions (:mod:`centric.loop.kpis`): recovery rate, SLA hit rate, detractors contacted
  within 48 h — one grouped query for every team rather than one call per team.

Churn of a team's customers is left out: customers are not owned by a team (a customer
meets several teams' touchpoints), and attributing churn would need a model of its own.

Across teams, Pearson and Spearman correlations (:func:`centric.stats.gap.correlation`)
of eNPS with NPS and CSAT, and of engagement with NPS, over teams whose EX is shown and
whose customers number at least k; none with fewer than 3 such teams. Quadrants: EX above
or below the company's eNPS × CX rising or falling; low EX with falling CX first.
A constant number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from centric import i18n
from centric.accounts.models import Team
from centric.insights.schemas import MetricKind, MetricResult, MetricRow
from centric.insights.service import MetricFilter, metric
from centric.loop.kpis import CONTACT_WITHIN_MIN, is_finished, minutes_between, not_merged
from centric.loop.models import Case
from centric.mirror.gap import Window, checked_window, hidden_note, last_days
from centric.mirror.models import Pulse, PulseAnswer, PulseResponse, PulseWave
from centric.mirror.report_schemas import CorrelationOut, Figure, Linkage, Quadrant, TeamLinkage
from centric.stats.disclosure import Group, Publication, publishable
from centric.stats.estimate import Estimate
from centric.stats.gap import correlation
from centric.stats.means import mean_estimate
from centric.stats.nps import enps_from_scores
from centric.stats.proportions import proportion_estimate
from centric.stats.scales import DETRACTOR_MAX

CAVEAT = i18n.N_("Observational and ecological: a correlation across teams says how teams differ, not that raising one "
          "team's eNPS raises its customers' scores, nor anything about individuals. With few teams the "
          "interval is wide; teams differ in many other ways (customers, workload, touchpoints).")
CHURN = i18n.N_("Churn is not shown per team: customers are not owned by one team (they meet several teams' "
         "touchpoints), so a team's churn would need an attribution model of its own.")
QUADRANTS = (
    ("low-ex-falling-cx", i18n.N_("Low EX, falling CX")),
    ("high-ex-falling-cx", i18n.N_("High EX, falling CX")),
    ("low-ex-rising-cx", i18n.N_("Low EX, steady or rising CX")),
    ("high-ex-rising-cx", i18n.N_("High EX, steady or rising CX")),
)
PAIRS = (("eNPS", "NPS"), ("eNPS", "CSAT"), ("engagement", "NPS"))


def _figure(est: Estimate | MetricRow) -> Figure:
    return Figure(value=est.value, low=est.low, high=est.high, n=est.n, method=est.method)


def linkage(session: Session, *, since: date | None = None, until: date | None = None, k: int = 5) -> Linkage:
    """Per team EX beside CX and case outcomes, correlations and quadrants (module docstring)."""
    window = checked_window(since, until, last_days())
    length = (window.until - window.since).days + 1
    previous = Window(window.since - timedelta(days=length), window.since - timedelta(days=1), "previous")
    teams = {int(row[0]): str(row[1]) for row in session.execute(select(Team.id, Team.name))}
    by_name = {name: team_id for team_id, name in teams.items()}

    enps_rows = _ex_answers(session, window, "enps")
    engagement_rows = _ex_answers(session, window, "agree5", kind="engagement")
    enps_pub, enps_scores = _publish(enps_rows, k, per_response="all")
    eng_pub, eng_scores = _publish(engagement_rows, k, per_response="mean")

    def cx(kind: MetricKind, w: Window) -> MetricResult:
        return metric(session, kind, by="team",
                      where=MetricFilter(start=w.since, end=w.until + timedelta(days=1)))

    nps_now, csat_now, nps_before, csat_before = (cx("nps", window), cx("csat", window), cx("nps", previous),
                                                  cx("csat", previous))
    outcomes = _case_outcomes(session, window)

    def by_team(result: MetricResult) -> dict[int, MetricRow]:
        return {by_name[r.group]: r for r in result.rows if r.group in by_name}

    nps, csat, nps_prev, csat_prev = by_team(nps_now), by_team(csat_now), by_team(nps_before), by_team(csat_before)
    empty = MetricRow(group="", n=0, value=None, low=None, high=None, method="")
    company = _figure(enps_from_scores(enps_scores["company"])) if enps_pub.allows("company") else None

    out: list[TeamLinkage] = []
    for team_id, name in teams.items():
        key = f"team:{team_id}"
        has_ex = key in enps_scores or key in eng_scores
        if not (has_ex or team_id in nps or team_id in csat or team_id in outcomes):
            continue
        enps = _figure(enps_from_scores(enps_scores[key])) if enps_pub.allows(key) else None
        engagement = None
        if eng_pub.allows(key):
            values = eng_scores[key]
            engagement = _figure(mean_estimate(len(values), sum(values), sum(v * v for v in values)))
        notes = []
        if key in enps_scores and enps is None:
            notes.append(f"eNPS: {hidden_note(enps_pub, key, k)}")
        if key in eng_scores and engagement is None:
            notes.append(f"engagement: {hidden_note(eng_pub, key, k)}")
        now_row, before_row = nps.get(team_id, empty), nps_prev.get(team_id, empty)
        if not (now_row.n and before_row.n):
            now_row, before_row = csat.get(team_id, empty), csat_prev.get(team_id, empty)
        change = (now_row.value - before_row.value
                  if now_row.value is not None and before_row.value is not None else None)
        trend = None if change is None else "rising" if change > 0 else "falling" if change < 0 else "flat"
        quadrant = None
        if enps is not None and enps.value is not None and company is not None and company.value is not None \
                and trend is not None:
            ex = "low" if enps.value < company.value else "high"
            quadrant = f"{ex}-ex-{'falling' if trend == 'falling' else 'rising'}-cx"
        case_figures = outcomes.get(team_id) or _outcome_figures((0, 0, 0, 0, 0, 0))
        out.append(TeamLinkage(
            team_id=team_id, team=name, ex_shown=enps is not None or engagement is not None,
            ex_note="; ".join(notes) if notes else ("" if has_ex else "no staff answers in this period"),
            enps=enps, engagement=engagement,
            nps=_figure(nps.get(team_id, empty)), csat=_figure(csat.get(team_id, empty)),
            nps_previous=_figure(nps_prev.get(team_id, empty)), cx_change=change, cx_trend=trend,
            recovery_rate=case_figures[0], sla_hit_rate=case_figures[1], contacted_48h=case_figures[2],
            quadrant=quadrant, flagged=quadrant == "low-ex-falling-cx"))
    order = {key: i for i, (key, _) in enumerate(QUADRANTS)}
    out.sort(key=lambda t: (order.get(t.quadrant or "", len(order)), t.team))
    quadrants = [Quadrant(key=key, label=label, teams=[t.team for t in out if t.quadrant == key])
                 for key, label in QUADRANTS]
    return Linkage(since=window.since, until=window.until, previous_since=previous.since, k=k,
                   company_enps=company, teams=out, correlations=_correlations(out, k), quadrants=quadrants,
                   churn=CHURN, caveat=CAVEAT)


ExAnswer = tuple[int, int, int | None, float]  # response id, wave id, team id, number


def _ex_answers(session: Session, window: Window, scale: str, kind: str | None = None) -> list[ExAnswer]:
    """(response, wave, team, number) of every answer on ``scale`` in a wave overlapping the window (one query)."""
    query = (select(PulseAnswer.response_id, PulseResponse.wave_id, PulseResponse.team_id, PulseAnswer.number)
             .join(PulseResponse, PulseResponse.id == PulseAnswer.response_id)
             .join(PulseWave, PulseWave.id == PulseResponse.wave_id)
             .where(PulseAnswer.scale == scale, PulseAnswer.number.is_not(None),
                    PulseWave.opens_on <= window.until, PulseWave.closes_on >= window.since))
    if kind is not None:
        query = query.join(Pulse, Pulse.id == PulseWave.pulse_id).where(Pulse.kind == kind)
    low, high = (0.0, 10.0) if scale == "enps" else (1.0, 5.0)
    return [(int(r), int(w), t, float(n)) for r, w, t, n in session.execute(query)
            if n is not None and low <= n <= high]


def _publish(rows: list[ExAnswer], k: int, per_response: str) -> tuple[Publication, dict[str, list[float]]]:
    """The groups (company, team:<id>) of these answers, published; their values (all, or one mean per response).

    The rules are applied to each wave on its own (one person answers every wave, so several
    waves' responses of a group may come from fewer than k people); a group is shown only when
    every wave in which it answered allows it.
    """
    answers: dict[int, list[float]] = defaultdict(list)
    team_of: dict[int, int | None] = {}
    wave_of: dict[int, int] = {}
    for response_id, wave_id, team_id, number in rows:
        answers[response_id].append(number)
        team_of[response_id] = team_id
        wave_of[response_id] = wave_id
    members: dict[str, set[int]] = defaultdict(set)
    for response_id, team_id in team_of.items():
        members["company"].add(response_id)
        if team_id is not None:
            members[f"team:{team_id}"].add(response_id)
    suppressed: dict[str, str] = {} if members else {"company": f"fewer than {k} respondents"}
    for wave_id in sorted(set(wave_of.values())):
        groups = [Group(key, None if key == "company" else "company",
                        frozenset(r for r in ids if wave_of[r] == wave_id), "" if key == "company" else "team")
                  for key, ids in sorted(members.items())]
        present = [g for g in groups if g.members or g.parent is None]
        for key, reason in publishable(present, k).suppressed.items():
            suppressed.setdefault(key, reason)
    shown = tuple(key for key in sorted(members) if key not in suppressed)
    publication = Publication(k=k, published=shown, suppressed=suppressed, remainders={key: {} for key in shown})
    values: dict[str, list[float]] = {}
    for key, ids in members.items():
        if per_response == "mean":
            values[key] = [sum(answers[r]) / len(answers[r]) for r in sorted(ids)]
        else:
            values[key] = [v for r in sorted(ids) for v in answers[r]]
    return publication, values


def _outcome_figures(counts: tuple[int, ...]) -> tuple[Figure, Figure, Figure]:
    known, recovered, timed, met, detractors, contacted = counts

    def share(n: int, successes: int) -> Figure:
        est = proportion_estimate(n, successes)
        return Figure(value=est.value, low=est.low, high=est.high, n=n, method="Wilson score interval, %")

    return share(known, recovered), share(timed, met), share(detractors, contacted)


def _case_outcomes(session: Session, window: Window) -> dict[int, tuple[Figure, Figure, Figure]]:
    """Recovery, SLA and 48 h contact per team, as :func:`centric.loop.kpis.loop_kpis` defines them (one query)."""
    closed = is_finished()
    finished_at = func.coalesce(Case.resolved_at, Case.closed_at)
    detractor = and_(Case.metric == "nps", Case.score <= DETRACTOR_MAX)
    to_contact = minutes_between(session, Case.first_contact_at, Case.created_at)
    timed = (closed, Case.resolution_due_at.is_not(None), finished_at.is_not(None))

    def count_if(*conditions: Any) -> Any:
        return func.coalesce(func.sum(case((and_(*conditions), 1), else_=0)), 0)

    rows = session.execute(select(
        Case.team_id,
        count_if(closed, Case.recovered.in_(("yes", "no"))), count_if(closed, Case.recovered == "yes"),
        count_if(*timed), count_if(*timed, finished_at <= Case.resolution_due_at),
        count_if(detractor), count_if(detractor, Case.first_contact_at.is_not(None), to_contact <= CONTACT_WITHIN_MIN),
    ).where(Case.created_at >= window.start, Case.created_at < window.end, not_merged(), Case.team_id.is_not(None))
        .group_by(Case.team_id))
    return {int(row[0]): _outcome_figures(tuple(int(v) for v in row[1:])) for row in rows}


def _correlations(teams: list[TeamLinkage], k: int) -> list[CorrelationOut]:
    out = []
    for x_name, y_name in PAIRS:
        xs, ys = [], []
        for t in teams:
            x = t.enps if x_name == "eNPS" else t.engagement
            y = t.nps if y_name == "NPS" else t.csat
            if x is not None and x.value is not None and y.value is not None and y.n >= k:
                xs.append(x.value)
                ys.append(y.value)
        result = correlation(xs, ys)
        if result is None:
            out.append(CorrelationOut(x=x_name, y=y_name, n=len(xs),
                                      note=f"needs at least 3 teams with {k}+ staff and {k}+ customers answering"))
            continue
        out.append(CorrelationOut(x=x_name, y=y_name, n=result.n, pearson=result.pearson,
                                  pearson_low=result.pearson_low, pearson_high=result.pearson_high,
                                  spearman=result.spearman, spearman_low=result.spearman_low,
                                  spearman_high=result.spearman_high, method=result.method,
                                  note="" if result.pearson_low is not None else "too few teams for an interval"))
    return out
