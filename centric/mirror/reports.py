"""Employee-experience aggregates that cannot single anyone out.

Every figure is computed over a group of anonymous responses (company, a team, a
location) that :func:`centric.stats.disclosure.publishable` allows: at least ``k``
respondents (``CENTRIC_MIRROR_MIN_GROUP``, default 5, at least 3), no two published
groups whose difference is 1…k−1 respondents, and complementary suppression so that a
hidden group cannot be derived as a total minus its visible siblings. What the hidden
groups hold together is shown as "other teams combined" when that is itself ≥ k.

A period may span several waves, and one person answers each wave: so the rules are
applied to every wave on its own, and a group is shown for the period only when every
wave in which it has respondents allows it; the differencing and remainder rules are then
applied once more to the period's groups and "others combined" (:func:`_settle_period`).
Within a wave a respondent is one person, so
every published group and every difference of two has at least ``k`` *people* in some
wave — never one person answering k times.

Figures: eNPS (% promoters 9–10 − % detractors 0–6, trinomial interval,
:func:`centric.stats.nps.enps_estimate`), agreement items (mean with a Student t interval
and % agreeing 4–5), mirror guesses (mean). Verbatims are listed for the company, for
published teams and for "other teams combined" only (a partition: a comment never
appears in two lists whose intersection could be small), shuffled, without names.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from centric.accounts.models import Team
from centric.db import utcnow
from centric.errors import Invalid
from centric.mirror.models import Employee, Pulse, PulseAnswer, PulseInvitation, PulseResponse, PulseWave
from centric.mirror.pulses import TEMPLATES
from centric.mirror.schemas import ExReport, GroupFigure
from centric.stats.disclosure import Group, publishable
from centric.stats.estimate import Estimate
from centric.stats.means import mean_estimate
from centric.stats.nps import enps_estimate

ROOT = "company"
COMBINED = "combined:"  # prefix of a remainder's key while the period is checked
HIDDEN = "fewer than {k} respondents, or hidden to protect others"
NUMERIC = ("enps", "agree5", "guess_nps", "guess_csat", "guess_ces")
DEFAULT_DAYS = 90


@dataclass(frozen=True)
class Respondent:
    """One anonymous response to the item: its wave, groups and value (never shown one by one)."""

    id: int
    wave_id: int
    team_id: int | None
    location: str
    value: float


def team_key(team_id: int | None) -> str:
    return f"team:{team_id if team_id is not None else 'none'}"


def location_key(location: str) -> str:
    return f"location:{location}"


def candidate_groups(rows: Iterable[tuple[int, int | None, str]]) -> list[Group]:
    """The company and its team and location breakdowns, members = response ids."""
    everyone: set[int] = set()
    teams: dict[str, set[int]] = {}
    places: dict[str, set[int]] = {}
    for rid, team_id, location in rows:
        everyone.add(rid)
        teams.setdefault(team_key(team_id), set()).add(rid)
        places.setdefault(location_key(location), set()).add(rid)
    groups = [Group(ROOT, None, frozenset(everyone))]
    groups += [Group(key, ROOT, frozenset(m), "team") for key, m in sorted(teams.items())]
    groups += [Group(key, ROOT, frozenset(m), "location") for key, m in sorted(places.items())]
    return groups


@dataclass(frozen=True)
class PeriodPublication:
    """What may be shown for a period: group key → its respondents, for the allowed groups only;
    and per dimension the "others combined" respondents (0 or ≥ k)."""

    k: int
    allowed: dict[str, frozenset[int]]
    hidden: tuple[str, ...]
    combined: dict[str, frozenset[int]]


def publish_period(rows: list[tuple[int, int, int | None, str]], k: int) -> PeriodPublication:
    """Apply the disclosure rules per wave (rows: response id, wave id, team id, location); see the module doc."""
    by_wave: dict[int, list[tuple[int, int | None, str]]] = {}
    for rid, wave_id, team_id, location in rows:
        by_wave.setdefault(wave_id, []).append((rid, team_id, location))
    everything = {g.key: g for g in candidate_groups((r, t, loc) for r, _, t, loc in rows)}
    refused: set[str] = set()
    for wave_rows in by_wave.values():
        groups = candidate_groups(wave_rows)
        publication = publishable(groups, k)
        refused |= {g.key for g in groups if not publication.allows(g.key)}
    allowed = {key: g.members for key, g in everything.items() if key not in refused and g.members}
    combined = _settle_period(everything, allowed, k)
    hidden = tuple(key for key in everything if key not in allowed)
    return PeriodPublication(k=k, allowed=allowed, hidden=hidden, combined=combined)


def _settle_period(everything: dict[str, Group], allowed: dict[str, frozenset[int]],
                   k: int) -> dict[str, frozenset[int]]:
    """Rules 2 and 3 again over the whole period, on what will be shown: the allowed groups and
    the "others combined" of each dimension. Each wave passed them, but a group allowed in one
    wave and refused in another is hidden for the period, which changes the remainders. While a
    remainder holds 1…k−1 responses, or two shown sets (a remainder included) lie one inside the
    other and differ by 1…k−1, one more group is hidden: the smaller set, or — when that is a
    remainder, which company minus its shown parts reveals anyway — the smallest shown part of
    its dimension, so that the remainder grows. ``allowed`` is narrowed in place; returns the
    remainders to show."""
    while True:
        combined: dict[str, frozenset[int]] = {}
        if ROOT in allowed:
            for dimension in ("team", "location"):
                parts = [allowed[key] for key in allowed if everything[key].dimension == dimension]
                rest = allowed[ROOT] - frozenset().union(*parts)
                if rest and rest != allowed[ROOT]:
                    combined[dimension] = rest
        culprit = next((COMBINED + d for d, rest in combined.items() if len(rest) < k), None) \
            or _differencing({**allowed, **{COMBINED + d: m for d, m in combined.items()}}, k)
        if culprit is None:
            return combined
        if culprit.startswith(COMBINED):
            dimension = culprit.removeprefix(COMBINED)
            culprit = min((key for key in allowed if everything[key].dimension == dimension),
                          key=lambda key: (len(allowed[key]), key))
        del allowed[culprit]


def _differencing(shown: dict[str, frozenset[int]], k: int) -> str | None:
    """The smaller of two shown sets, one strictly inside the other, that differ by 1…k−1; else None."""
    ordered = sorted(shown.items(), key=lambda item: (-len(item[1]), item[0]))
    for i, (_, big) in enumerate(ordered):
        for key, small in ordered[i + 1:]:
            if small < big and len(big - small) < k:
                return key
    return None


def check_k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or k < 3:
        raise Invalid("the minimum group size k must be a whole number of at least 3", field="k")
    return k


def _period(since: date | None, until: date | None, today: date) -> tuple[date, date]:
    until = until or today
    since = since or until - timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        raise Invalid("since must not be after until", field="since")
    return since, until


def _waves(session: Session, since: date, until: date, kind: str | None, pulse_id: int | None) -> list[int]:
    query = select(PulseWave.id).join(Pulse, Pulse.id == PulseWave.pulse_id).where(
        PulseWave.opens_on >= since, PulseWave.opens_on <= until)
    if kind is not None:
        query = query.where(Pulse.kind == kind)
    if pulse_id is not None:
        query = query.where(Pulse.id == pulse_id)
    return list(session.scalars(query))


def respondents(session: Session, wave_ids: list[int], item: str,
                touchpoint_id: int | None = None) -> tuple[list[Respondent], str | None]:
    """The numeric answers to ``item`` in the waves, and the item's scale (None when unanswered)."""
    if not wave_ids:
        return [], None
    query = (select(PulseResponse.id, PulseResponse.wave_id, PulseResponse.team_id, PulseResponse.location,
                    PulseAnswer.number, PulseAnswer.scale)
             .join(PulseAnswer, PulseAnswer.response_id == PulseResponse.id)
             .where(PulseResponse.wave_id.in_(wave_ids), PulseAnswer.item_key == item,
                    PulseAnswer.number.is_not(None)))
    if touchpoint_id is not None:
        query = query.where(PulseAnswer.touchpoint_id == touchpoint_id)
    out: list[Respondent] = []
    scales: set[str] = set()
    for rid, wid, team_id, location, number, scale in session.execute(query):
        if number is None:
            continue
        out.append(Respondent(rid, wid, team_id, location or "", float(number)))
        scales.add(scale)
    if len(scales) > 1:
        raise Invalid(f"the item {item!r} was asked on several scales ({', '.join(sorted(scales))}); "
                      "report one pulse at a time", field="item")
    return out, (scales.pop() if scales else None)


def figure(scale: str, values: list[float]) -> tuple[Estimate, float | None]:
    """The estimate of a group's values, and the % agreeing for agree5 items."""
    n = len(values)
    if scale == "enps":
        promoters = sum(1 for v in values if v >= 9)
        detractors = sum(1 for v in values if v <= 6)
        return enps_estimate(n, promoters, detractors), None
    estimate = mean_estimate(n, sum(values), sum(v * v for v in values))
    agree = 100.0 * sum(1 for v in values if v >= 4) / n if scale == "agree5" and n else None
    return estimate, agree


def ex_report(session: Session, k: int, *, item: str | None = None, kind: str | None = None,
              pulse_id: int | None = None, since: date | None = None, until: date | None = None,
              verbatim_item: str | None = "comment", today: date | None = None) -> ExReport:
    """The published aggregates of ``item`` (default: the eNPS of ``kind`` enps) over waves opened in the period."""
    k = check_k(k)
    first, last = _period(since, until, today or utcnow().date())
    if item is None:
        first_item = next((i["key"] for i in TEMPLATES.get(kind or "enps", {}).get("items", [])
                           if i["scale"] != "text"), None)
        if first_item is None:
            raise Invalid("name the item to report (e.g. item=equipped)", field="item")
        item = first_item
    wave_ids = _waves(session, first, last, kind, pulse_id)
    answers, scale = respondents(session, wave_ids, item)
    scale = scale or ("enps" if item == "enps" else "agree5")
    publication = publish_period([(r.id, r.wave_id, r.team_id, r.location) for r in answers], k)
    values = {r.id: r.value for r in answers}
    teams = dict(session.execute(select(Team.id, Team.name)).all())
    rates = _response_rates(session, wave_ids, k)
    texts = _texts(session, wave_ids, verbatim_item) if verbatim_item else {}
    groups: list[GroupFigure] = []
    keys = [ROOT, *sorted(k_ for k_ in {*publication.allowed, *publication.hidden} if k_ != ROOT)]
    for key in keys:
        dimension, label = _label(key, teams)
        if key not in publication.allowed:
            groups.append(GroupFigure(dimension=dimension, key=key, label=label, status="hidden",
                                      reason=HIDDEN.format(k=k)))
            continue
        members = publication.allowed[key]
        estimate, agree = figure(scale, [values[m] for m in members])
        groups.append(GroupFigure(
            dimension=dimension, key=key, label=label, status="published", n=estimate.n, value=estimate.value,
            low=estimate.low, high=estimate.high, agree=agree, method=estimate.method, response_rate=rates.get(key),
            verbatims=_verbatims(texts, members) if dimension in ("company", "team") else []))
    for part, members in publication.combined.items():
        estimate, agree = figure(scale, [values[m] for m in members])
        groups.append(GroupFigure(
            dimension="team" if part == "team" else "location", key=f"{part}:others", status="combined",
            n=estimate.n,
            label=f"other {'teams' if part == 'team' else 'locations'} combined", value=estimate.value,
            low=estimate.low, high=estimate.high, agree=agree, method=estimate.method,
            verbatims=_verbatims(texts, members) if part == "team" else []))
    notes = [f"Groups are shown from {k} respondents; smaller groups, and groups whose figures would let "
             "someone work out a hidden group's, are hidden. Nobody's individual answers are ever shown."]
    if not answers:
        notes.append("No answers to this item in the period.")
    return ExReport(k=k, kind=kind, item=item, scale=scale, since=first, until=last, waves=len(wave_ids),
                    groups=groups, notes=notes)


def _label(key: str, teams: dict[int, str]) -> tuple[Literal["company", "team", "location"], str]:
    if key == ROOT:
        return "company", "Whole company"
    dimension, _, rest = key.partition(":")
    if dimension == "team":
        return "team", "No team" if rest == "none" else teams.get(int(rest), f"team {rest}")
    return "location", rest or "No location"


def _response_rates(session: Session, wave_ids: list[int], k: int) -> dict[str, float]:
    """Answered ÷ invited per group, for groups whose answered count itself passes the rules.

    Invitations are grouped by the employee's current team and location; the answered
    ones are the members handed to the disclosure rules (they count people).
    """
    if not wave_ids:
        return {}
    rows = session.execute(select(PulseInvitation.id, PulseInvitation.wave_id, Employee.team_id, Employee.location,
                                  PulseInvitation.answered)
                           .join(Employee, Employee.id == PulseInvitation.employee_id)
                           .where(PulseInvitation.wave_id.in_(wave_ids))).all()
    answered = [(iid, wid, tid, loc or "") for iid, wid, tid, loc, done in rows if done]
    publication = publish_period(answered, k)
    sent = {g.key: len(g.members) for g in candidate_groups((iid, tid, loc or "") for iid, _, tid, loc, _ in rows)}
    return {key: 100.0 * len(members) / sent[key] for key, members in publication.allowed.items() if sent.get(key)}


def _texts(session: Session, wave_ids: list[int], item: str) -> dict[int, list[str]]:
    if not wave_ids:
        return {}
    out: dict[int, list[str]] = {}
    for rid, text in session.execute(select(PulseAnswer.response_id, PulseAnswer.text)
                                     .join(PulseResponse, and_(PulseResponse.id == PulseAnswer.response_id,
                                                               PulseResponse.wave_id.in_(wave_ids)))
                                     .where(PulseAnswer.item_key == item, PulseAnswer.text.is_not(None))):
        if text is not None:
            out.setdefault(rid, []).append(text)
    return out


def _verbatims(texts: dict[int, list[str]], members: frozenset[int]) -> list[str]:
    found = [t for m in members for t in texts.get(m, [])]
    random.SystemRandom().shuffle(found)
    return found


# --- for other reports ---------------------------------------------------------------------

def published_team_scores(session: Session, k: int, since: date, until: date, *, item: str = "enps",
                          kind: str | None = None, touchpoint_id: int | None = None) -> dict[int, Estimate]:
    """Per team, the published figure of ``item`` over the waves that opened from ``since`` to ``until``.

    For reuse by other mirror reports (EX↔CX, the delivery gap). Only teams that the
    disclosure rules publish are in the result (the company total and "No team" never
    are); an eNPS item gives the eNPS with its interval, any other numeric item the mean.
    ``touchpoint_id`` keeps only answers about that touchpoint (mirror guesses).
    """
    k = check_k(k)
    wave_ids = _waves(session, since, until, kind, None)
    answers, scale = respondents(session, wave_ids, item, touchpoint_id)
    if scale is None:
        return {}
    publication = publish_period([(r.id, r.wave_id, r.team_id, r.location) for r in answers], k)
    values = {r.id: r.value for r in answers}
    out: dict[int, Estimate] = {}
    for key, members in publication.allowed.items():
        if key.startswith("team:") and key != "team:none":
            out[int(key.removeprefix("team:"))] = figure(scale, [values[m] for m in members])[0]
    return out


# --- export --------------------------------------------------------------------------------

EXPORT_COLUMNS = ("dimension", "group", "status", "n", "value", "low", "high", "pct_agree", "response_rate_pct",
                  "method")


def export_csv(report: ExReport) -> str:
    """The report as CSV: the same published groups, hidden ones without any figure, no verbatims."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for g in report.groups:
        label = "'" + g.label if g.label.startswith(("=", "+", "-", "@", "\t", "\r")) else g.label
        writer.writerow([g.dimension, label, g.status, *("" if v is None else _num(v) for v in
                         (g.n, g.value, g.low, g.high, g.agree, g.response_rate)), g.method])
    return out.getvalue()


def _num(value: float | int) -> str:
    return str(value) if isinstance(value, int) else f"{value:.2f}"
