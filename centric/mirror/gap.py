"""The delivery gap: what staff believe customers score, against what customers score, per team and touchpoint.

Staff answer mirror items ("What score do you think our customers give us for
<touchpoint>?", scales ``guess_nps``, ``guess_csat``, ``guess_ces``). For a date range
(by default the 90 days up to the close of the last completed pulse wave with such answers,
else the last 90 days) this compares, on each metric:

* per **touchpoint**: every prediction about it vs its customers' answers in the range;
* per **team**: the predictions of the team's members about the touchpoints the team owns
  (``touchpoint.owner_team_id``) vs those touchpoints' customers;
* the **company**: every prediction vs the customers of every touchpoint predicted about.

Staff answers count in the range when their wave overlaps it; customers' answers when
submitted in it. Every staff group is published through
:func:`centric.stats.disclosure.publishable` (k = ``CENTRIC_MIRROR_MIN_GROUP``): a
hidden group shows no number at all. Four queries, whatever the number of teams.
The statistics (:mod:`centric.stats.gap`) cite their method.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from centric import i18n
from centric.accounts.models import Team
from centric.db import utcnow
from centric.errors import Invalid
from centric.journeys.models import Touchpoint
from centric.mirror.models import PulseAnswer, PulseResponse, PulseWave
from centric.mirror.report_schemas import DeliveryGap, GapHeadline, GapRow
from centric.stats.disclosure import Group, Publication, publishable
from centric.stats.gap import (
    ANSWER_RANGE,
    BOOTSTRAP_METHOD,
    GAP_METRICS,
    PREDICTION_RANGE,
    Gap,
    delivery_gap_from_counts,
    overestimation,
)
from centric.surveys.models import Answer, Response

DEFAULT_DAYS = 90
GUESS_SCALES = {"guess_nps": "nps", "guess_csat": "csat", "guess_ces": "ces"}
REFERENCE = ("Bain & Company (Allen, Reichheld, Hamilton & Markey, 'Closing the delivery gap', 2005): 80% of "
             "companies believed they delivered a superior experience; 8% of their customers agreed.")
METHOD = ("gap = mean of staff predictions − the customers' score for the same scope and period (NPS −100…100, "
          "CSAT % satisfied, CES mean 1…7); 95% interval: " + BOOTSTRAP_METHOD + ".")


@dataclass(frozen=True)
class Window:
    since: date
    until: date  # inclusive
    label: str

    @property
    def start(self) -> datetime:
        return datetime(self.since.year, self.since.month, self.since.day)

    @property
    def end(self) -> datetime:
        """The first moment after the range (naive UTC, as answers are stored)."""
        after = self.until + timedelta(days=1)
        return datetime(after.year, after.month, after.day)


def checked_window(since: date | None, until: date | None, default: Window) -> Window:
    """The range asked for: both, one (the other from the default length), or the default; empty ones refused."""
    if since is None and until is None:
        return default
    days = (default.until - default.since).days
    last = until or utcnow().date()
    first = since or last - timedelta(days=days)
    if first > last:
        raise Invalid("since must not be after until", field="since")
    if first.year < 2000:
        raise Invalid("since must be in the year 2000 or later", field="since")
    return Window(first, last, f"{first.isoformat()} to {last.isoformat()}")


def last_days(days: int = DEFAULT_DAYS) -> Window:
    today = utcnow().date()
    return Window(today - timedelta(days=days - 1), today, f"the last {days} days")


def default_window(session: Session) -> Window:
    """The 90 days up to the close of the last completed wave with mirror answers, else the last 90 days.

    Staff judge how customers see a touchpoint over recent months, not during the two weeks a
    wave is open, and a fortnight of customers' answers is too few at most touchpoints.
    """
    today = utcnow().date()
    with_guesses = select(PulseResponse.wave_id).join(PulseAnswer, PulseAnswer.response_id == PulseResponse.id).where(
        PulseAnswer.scale.in_(tuple(GUESS_SCALES)))
    wave = session.execute(select(PulseWave.opens_on, PulseWave.closes_on, PulseWave.period_key).where(
        PulseWave.closes_on < today, PulseWave.id.in_(with_guesses)).order_by(
        PulseWave.closes_on.desc(), PulseWave.id.desc()).limit(1)).first()
    if wave is None:
        return last_days()
    return Window(wave.closes_on - timedelta(days=DEFAULT_DAYS - 1), wave.closes_on,
                  f"the {DEFAULT_DAYS} days up to the last completed mirror wave ({wave.period_key})")


def hidden_note(publication: Publication, key: str, k: int) -> str:
    """Why a staff group is not shown, without its size."""
    reason = publication.suppressed.get(key, "")
    if reason.startswith("complementary"):
        return (i18n._("hidden so that a group of fewer than %(k)s staff cannot be worked out from the others")
                % {"k": k})
    return i18n._("fewer than %(k)s staff answered") % {"k": k}


@dataclass
class _Prediction:
    response_id: int
    wave_id: int
    team_id: int | None
    touchpoint_id: int
    metric: str
    value: float


def delivery_gap(session: Session, *, since: date | None = None, until: date | None = None, k: int = 5,
                 seed: int = 20051) -> DeliveryGap:
    """The delivery gap per team, touchpoint and for the company (module docstring)."""
    window = checked_window(since, until, default_window(session) if since is None and until is None
                            else last_days())
    predictions = _predictions(session, window)
    customers = _customer_counts(session, window)
    touchpoints = {row.id: row for row in session.execute(
        select(Touchpoint.id, Touchpoint.key, Touchpoint.name, Touchpoint.owner_team_id, Team.name.label("team"))
        .outerjoin(Team, Team.id == Touchpoint.owner_team_id))}
    team_names = {tp.owner_team_id: str(tp.team) for tp in touchpoints.values() if tp.owner_team_id is not None}

    company: list[GapRow] = []
    teams: list[GapRow] = []
    points: list[GapRow] = []
    for metric in GAP_METRICS:
        mine = [p for p in predictions if p.metric == metric]
        if not mine:
            continue
        by_team: dict[int, list[_Prediction]] = defaultdict(list)
        by_point: dict[int, list[_Prediction]] = defaultdict(list)
        for p in mine:
            by_point[p.touchpoint_id].append(p)
            owner = touchpoints[p.touchpoint_id].owner_team_id if p.touchpoint_id in touchpoints else None
            if owner is not None and owner == p.team_id:
                by_team[owner].append(p)
        publication = _per_wave(mine, by_team, by_point, k)

        def row(scope: str, key: str, name: str, group: str, ps: list[_Prediction], points_of: Iterable[int],
                metric: str = metric, publication: Publication = publication) -> GapRow:
            if not publication.allows(group):
                return GapRow(scope=scope, key=key, name=name, metric=metric, shown=False,
                              note=hidden_note(publication, group, k))
            counts: dict[float, int] = defaultdict(int)
            for point in set(points_of):
                for score, n in customers.get((point, metric), {}).items():
                    counts[score] += n
            gap = delivery_gap_from_counts([p.value for p in ps], counts, metric, seed=seed)
            return _gap_row(scope, key, name, gap)

        company.append(row("company", "company", i18n._("Whole company"), "company", mine, by_point))
        for team_id, ps in sorted(by_team.items(), key=lambda item: team_names[item[0]]):
            teams.append(row("team", str(team_id), team_names[team_id], f"team:{team_id}", ps,
                             [p.touchpoint_id for p in ps]))
        for point_id, ps in sorted(by_point.items(), key=lambda item: touchpoints[item[0]].name):
            tp = touchpoints[point_id]
            points.append(row("touchpoint", tp.key, tp.name, f"touchpoint:{point_id}", ps, [point_id]))
    return DeliveryGap(since=window.since, until=window.until, window=window.label, k=k,
                       headline=_headline(teams), company=company, teams=teams, touchpoints=points,
                       method=METHOD, reference=REFERENCE)


def _gap_row(scope: str, key: str, name: str, gap: Gap) -> GapRow:
    note = ""
    if gap.n_customers == 0:
        note = "no customer answered there in this period"
    elif gap.low is None:
        note = "too few answers for an interval"
    return GapRow(scope=scope, key=key, name=name, metric=gap.metric, shown=True, note=note,
                  predicted=gap.predicted, actual=gap.actual, gap=gap.gap, low=gap.low, high=gap.high,
                  n_staff=gap.n_staff, n_customers=gap.n_customers, overestimates=gap.overestimates,
                  clearly_overestimates=gap.clearly_overestimates)


def _headline(teams: list[GapRow]) -> GapHeadline:
    shown = [Gap(r.metric, r.predicted, r.actual, r.gap, r.low, r.high, r.n_staff or 0, r.n_customers or 0)
             for r in teams if r.shown]
    over = overestimation(shown)
    if over.share is None:
        text = i18n._("No team has both enough staff predictions and customers' answers in this period.")
    else:
        text = i18n._("%(share)s%% of teams believe customers rate them higher than customers do (%(over)s of "
                      "%(groups)s team scores; %(clearly)s beyond the 95%% interval). Bain found 80%% of companies "
                      "believing they deliver a superior experience, and 8%% of their customers agreeing.") % {
            "share": f"{over.share:.0f}", "over": over.over, "groups": over.groups, "clearly": over.clearly_over}
    return GapHeadline(groups=over.groups, over=over.over, clearly_over=over.clearly_over, share=over.share,
                       clearly_share=over.clearly_share, text=text)


def _per_wave(mine: list[_Prediction], by_team: dict[int, list[_Prediction]],
              by_point: dict[int, list[_Prediction]], k: int) -> Publication:
    """The disclosure rules applied to each wave on its own; a group is shown only when every wave allows it.

    One person answers every wave, so over several waves a group of responses may hold fewer
    than k people; within one wave each response is a different person.
    """
    suppressed: dict[str, str] = {}
    for wave_id in sorted({p.wave_id for p in mine}):
        def members(ps: list[_Prediction], wave_id: int = wave_id) -> frozenset[int]:
            return frozenset(p.response_id for p in ps if p.wave_id == wave_id)

        groups = [Group("company", None, members(mine))]
        groups += [Group(f"team:{t}", "company", members(ps), "team") for t, ps in sorted(by_team.items())]
        groups += [Group(f"touchpoint:{t}", "company", members(ps), "touchpoint")
                   for t, ps in sorted(by_point.items())]
        present = [g for g in groups if g.members or g.parent is None]
        for key, reason in publishable(present, k).suppressed.items():
            suppressed.setdefault(key, reason)
    keys = ["company", *(f"team:{t}" for t in by_team), *(f"touchpoint:{t}" for t in by_point)]
    shown = tuple(key for key in keys if key not in suppressed)
    return Publication(k=k, published=shown, suppressed=suppressed, remainders={key: {} for key in shown})


def _predictions(session: Session, window: Window) -> list[_Prediction]:
    """Every guess about a touchpoint in a wave overlapping the window (one query), valid values only."""
    rows = session.execute(
        select(PulseAnswer.response_id, PulseResponse.wave_id, PulseResponse.team_id, PulseAnswer.touchpoint_id,
               PulseAnswer.scale, PulseAnswer.number)
        .join(PulseResponse, PulseResponse.id == PulseAnswer.response_id)
        .join(PulseWave, PulseWave.id == PulseResponse.wave_id)
        .where(PulseAnswer.scale.in_(tuple(GUESS_SCALES)), PulseAnswer.touchpoint_id.is_not(None),
               PulseAnswer.number.is_not(None), PulseWave.opens_on <= window.until,
               PulseWave.closes_on >= window.since))
    out = []
    for response_id, wave_id, team_id, touchpoint_id, scale, number in rows:
        if touchpoint_id is None or number is None:
            continue
        metric = GUESS_SCALES[scale]
        low, high = PREDICTION_RANGE[metric]
        if low <= float(number) <= high:
            out.append(_Prediction(int(response_id), int(wave_id), team_id, int(touchpoint_id), metric,
                                   float(number)))
    return out


def _customer_counts(session: Session, window: Window) -> dict[tuple[int, str], dict[float, int]]:
    """Customers' answers in the window: (touchpoint, metric) → {score: answers} (one grouped query)."""
    rows = session.execute(
        select(Response.touchpoint_id, Answer.metric, Answer.number, func.count())
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.metric.in_(GAP_METRICS), Answer.number.is_not(None), Response.touchpoint_id.is_not(None),
               Response.submitted_at >= window.start, Response.submitted_at < window.end)
        .group_by(Response.touchpoint_id, Answer.metric, Answer.number))
    out: dict[tuple[int, str], dict[float, int]] = defaultdict(dict)
    for touchpoint_id, metric, number, n in rows:
        if touchpoint_id is None or number is None:
            continue
        low, high = ANSWER_RANGE[metric]
        if low <= float(number) <= high:
            out[(int(touchpoint_id), str(metric))][float(number)] = int(n)
    return out
