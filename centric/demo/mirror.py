"""The demo company's mirror: its staff directory, employee pulses, and two maturity self-assessments.

Written after governance, as plain rows like the mirror services would write them:

* **Staff**: every member of staff who logs in (linked by ``user_id``) plus front-line staff
  per team, each in one of the group's hotel cities, serving their team's touchpoints. Most
  teams have 6–20 people; Marketing and Loyalty have fewer than five, so the anonymity rules
  (groups under k respondents are not shown) are visible in the reports.
* **Pulses** with six months of closed waves: eNPS (monthly), engagement, enablement and the
  mirror (quarterly). Everybody active is invited (the mirror asks those who serve a
  touchpoint); 60–85 % answer. Responses are anonymous: they carry the wave, team and
  location only, and are written in a shuffled order so that neither ids nor order tie
  them to the answered invitations.
* **The story in the answers**: Guest Support is clearly unhappy (eNPS far below the
  others, lower engagement and enablement); engagement follows eNPS; teams whose
  touchpoints score better with guests tend to have better EX. In the mirror most teams
  overestimate what customers think of their touchpoints by a clear margin, as in Bain's
  study (Allen, Reichheld, Hamilton & Markey, *Closing the delivery gap*, Bain & Company
  2005: 80 % of firms believed they delivered a superior experience, 8 % of their customers
  agreed); the teams who hear complaints all day (Guest Support, Billing) guess close to
  the truth. The guesses are set around the actual score the demo's customers gave each
  touchpoint in the 90 days before the wave opened (:func:`actual_scores`).
* **Maturity**: two self-assessments six months apart; the later one is better where the
  company invested (responding to customers, insight), the same elsewhere.

Item definitions (pulse items, maturity item keys) live in this module's constants, so
they can be aligned with the mirror services' templates in one place.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from centric.accounts.models import Team, User
from centric.demo.company import HOTELS, TOUCHPOINTS
from centric.demo.governance import VP_GX
from centric.journeys.models import Touchpoint
from centric.mirror.maturity import ITEMS as QUESTIONNAIRE_ITEMS
from centric.mirror.maturity import VERSION as QUESTIONNAIRE_VERSION
from centric.mirror.models import (
    Employee,
    EmployeeTouchpoint,
    MaturityAssessment,
    MaturityRating,
    Pulse,
    PulseAnswer,
    PulseInvitation,
    PulseResponse,
    PulseWave,
)
from centric.mirror.pulses import TEMPLATES
from centric.surveys.models import Answer, Response

COMPANY_NAME = "Harbour & Pine"
HR_LEAD = ("Rosa Alvarez", "hr")  # manages the staff directory and the pulses
MONTHS = 6  # of pulse history, ending at the demo's today

# ---------------------------------------------------------------- item definitions (one place)
# The services' own templates, so that the reports' item pickers find the demo's answers.
ENPS_ITEMS: tuple[dict[str, Any], ...] = tuple(TEMPLATES["enps"]["items"])
ENGAGEMENT_ITEMS: tuple[dict[str, Any], ...] = tuple(
    i for i in TEMPLATES["engagement"]["items"] if i["scale"] == "agree5")
ENABLEMENT_ITEMS: tuple[dict[str, Any], ...] = tuple(
    i for i in TEMPLATES["enablement"]["items"] if i["scale"] == "agree5")
GUESS_SCALE = {"nps": "guess_nps", "csat": "guess_csat", "ces": "guess_ces"}


def mirror_item(touchpoint_key: str, touchpoint_name: str, touchpoint_id: int, metric: str) -> dict[str, Any]:
    """The mirror item of one touchpoint, on the scale of its main customer metric."""
    return {"key": f"guess:{touchpoint_key}"[:80], "scale": GUESS_SCALE[metric],
            "text": f"What score do you think our customers give us for {touchpoint_name}?",
            "touchpoint": touchpoint_id}


@dataclass(frozen=True)
class PulseSpec:
    key: str
    name: str
    kind: str
    cadence: str
    open_days: int


PULSES = (
    PulseSpec("enps", "Employee NPS", "enps", "monthly", 10),
    PulseSpec("engagement", "Engagement", "engagement", "quarterly", 14),
    PulseSpec("enablement", "Enablement", "enablement", "quarterly", 14),
    PulseSpec("mirror", "The mirror: how do our guests see us?", "mirror", "quarterly", 14),
)
WAVE_OPENS_ON_DAY = 5  # of the month (quarterly waves: of the quarter's middle month)

# Ratings 1–5 (earlier, later) per competency, given in turn to its statements in the questionnaire.
MATURITY_VERSION = QUESTIONNAIRE_VERSION
MATURITY: dict[str, tuple[tuple[int, int], tuple[int, int], tuple[int, int]]] = {
    "lead": ((3, 3), (2, 3), (3, 3)),
    "realize": ((2, 2), (2, 3), (1, 2)),
    "activate": ((2, 2), (3, 3), (2, 2)),
    "enlighten": ((2, 3), (1, 2), (2, 3)),
    "respond": ((3, 4), (2, 3), (2, 3)),
    "disrupt": ((1, 1), (1, 1), (2, 2)),
}
MATURITY_NOTES = {
    "respond.contact": ("Detractors get a call back, but not always within two days.",
                        "Closed loop with SLAs in every team; most detractors called back within 48 hours."),
    "enlighten.digests": ("Survey results reach managers as a monthly PDF.",
                          "Dashboards and root causes per touchpoint, reviewed by the CX council."),
    "disrupt.measured": ("No initiative has a measured effect yet.",
                         "Express check-in: effect measured against its target."),
}
ASSESSMENT_DAYS_BEFORE_END = (187, 7)

# ---------------------------------------------------------------- the story
# Team size: (front-line staff besides the team's users); the city mix of the team.
CENTRAL = (("London", 0.6), ("Shanghai", 0.4))
TEAM_SIZES: dict[str, int] = {
    "Front Office": 15, "Housekeeping": 16, "Food & Beverage": 12, "Engineering": 7, "Reservations": 6,
    "Digital": 7, "Billing": 4, "Guest Support": 10, "Marketing": 2, "Loyalty": 3,
}
TEAM_CITIES: dict[str, tuple[tuple[str, float], ...]] = {
    "Reservations": CENTRAL, "Digital": CENTRAL, "Billing": CENTRAL, "Guest Support": CENTRAL,
    "Marketing": (("London", 1.0),), "Loyalty": (("Singapore", 1.0),),
}
HOTEL_STAFF = tuple((hotel.city, w) for hotel, w in zip(HOTELS, (0.26, 0.14, 0.2, 0.12, 0.14, 0.14), strict=True))
# Employee experience per team on top of what its touchpoints' guests feel (latent, ±1 strong).
TEAM_MOOD: dict[str, float] = {
    "Guest Support": -0.3,  # clearly unhappy: the Pine launch's complaints landed on them
    "Billing": 0.1, "Engineering": -0.1, "Housekeeping": 0.0, "Front Office": 0.15, "Food & Beverage": 0.1,
    "Reservations": 0.0, "Digital": 0.1, "Marketing": 0.2, "Loyalty": 0.2,
}
TEAM_ENABLEMENT: dict[str, float] = {"Guest Support": -0.6, "Billing": -0.4, "Front Office": 0.2}
# Teams who hear complaints all day guess their guests' scores close to the truth.
REALISTIC_TEAMS = ("Guest Support", "Billing")
# Over-estimation of a team that does not (uniform range) and how much one person's guess varies.
OVERESTIMATE = {"nps": (18.0, 38.0), "csat": (8.0, 16.0), "ces": (0.6, 1.1)}
GUESS_NOISE = {"nps": 10.0, "csat": 6.0, "ces": 0.35}
GUESS_RANGE = {"nps": (-100.0, 100.0), "csat": (0.0, 100.0), "ces": (1.0, 7.0)}
ACTUAL_WINDOW_DAYS = 90  # the customers' score a guess is compared with: the 90 days before the wave opens
MIN_ACTUAL_N = 20

_BASE = {spec.key: spec.base for _, spec in TOUCHPOINTS}
_FIRST = ("Anna", "Ben", "Clara", "Daniel", "Elif", "Farah", "Gabriel", "Hugo", "Ines", "Jamal", "Kate", "Leo",
          "Mia", "Noah", "Olga", "Pablo", "Rita", "Sam", "Tariq", "Uma", "Victor", "Yasmin", "Zoe", "Adam")
_LAST = ("Walker", "Silva", "Brennan", "Kowalski", "Nguyen", "Osei", "Patel", "Rossi", "Santos", "Fraser",
         "Hughes", "Ibrahim", "Jensen", "Keller", "Murray", "Novak", "O'Brien", "Quinn", "Reyes", "Stewart")
_FIRST_ASIA = ("Wei", "Jing", "Hao", "Min", "Li Na", "Jun", "Mei", "Kelvin", "Siti", "Arjun", "Ka Ming", "Hui")
_LAST_ASIA = ("Wang", "Chen", "Liu", "Zhang", "Tan", "Lim", "Wong", "Chan", "Ng", "Lee", "Huang", "Ong")
_ASIA = ("Shanghai", "Beijing", "Hong Kong", "Singapore")
_TITLES: dict[str, str] = {
    "Front Office": "Front desk agent", "Housekeeping": "Room attendant", "Food & Beverage": "Server",
    "Engineering": "Maintenance technician", "Reservations": "Reservations agent", "Digital": "Product specialist",
    "Billing": "Billing specialist", "Guest Support": "Guest support agent", "Marketing": "Marketing specialist",
    "Loyalty": "Loyalty specialist",
}
_COMMENTS = {
    0: ("Too many complaints since the new booking system and no time to fix them properly.",
        "We are short-staffed every weekend.", "Nobody listens when we say what guests need.",
        "The tools keep failing and we take the blame from guests."),
    1: ("Good colleagues, but the workload is high.", "It's fine; more training would help.",
        "Better than last year, still a lot of overtime."),
    2: ("Great team and a manager who backs us.", "I like that guests' feedback reaches us now.",
        "Proud of how we handle the hotel's busy weeks."),
}


@dataclass
class _Staffer:
    id: int
    team: str | None
    team_id: int | None
    location: str
    mood: float  # this person's latent EX
    touchpoints: tuple[int, ...]


def build_mirror(session: Session, end: datetime, *, seed: int = 13) -> dict[str, int]:
    """Staff, pulses with six months of waves and anonymous answers, and two maturity assessments.

    ``end`` is the demo's today (midnight). Returns counts. Needs the closed loop's staff and
    the customers' answers (the mirror's guesses are set around the actual scores).
    """
    rng = np.random.default_rng(seed)
    users = _add_hr_lead(session)
    touchpoints = {tp.id: tp for tp in session.scalars(select(Touchpoint).order_by(Touchpoint.id))}
    staff = _add_employees(session, rng, touchpoints)
    metrics = main_metrics(session, end.date())
    pulses = _add_pulses(session, touchpoints, metrics, users.get(HR_LEAD[0]))
    counts = {"employees": len(staff), "pulses": len(pulses), "waves": 0, "invitations": 0, "pulse_responses": 0,
              "pulse_answers": 0}
    first_response = (session.scalar(select(func.max(PulseResponse.id))) or 0) + 1
    rows = _Rows(first_response)
    team_bias = _team_bias(rng, staff)
    for spec, pulse, generated in pulses:
        for period, opens in wave_dates(spec.cadence, end.date()):
            wave = PulseWave(pulse_id=pulse.id, period_key=period, opens_on=opens,
                             closes_on=opens + timedelta(days=spec.open_days),
                             created_at=datetime.combine(opens, time(7)))
            session.add(wave)
            session.flush()
            actual = actual_scores(session, opens, metrics) if spec.kind == "mirror" else {}
            _wave(rng, rows, spec, wave, generated, staff, actual, team_bias)
            counts["waves"] += 1
    for table, written in ((PulseInvitation.__table__, rows.invitations), (PulseResponse.__table__, rows.responses),
                           (PulseAnswer.__table__, rows.answers)):
        for offset in range(0, len(written), 10_000):
            session.execute(table.insert(), written[offset:offset + 10_000])
    counts.update(invitations=len(rows.invitations), pulse_responses=len(rows.responses),
                  pulse_answers=len(rows.answers))
    counts["assessments"] = _add_maturity(session, end.date(), users.get(VP_GX))
    return counts


# ---------------------------------------------------------------- staff
def _add_hr_lead(session: Session) -> dict[str, int]:
    name, role = HR_LEAD
    email = name.lower().replace(" ", ".") + "@harbourpine.example"
    if session.scalar(select(User.id).where(User.email == email)) is None:
        template = session.scalar(select(User.password_hash).where(User.email.like("%@harbourpine.example")).limit(1))
        session.add(User(email=email, name=name, password_hash=template or "!", role=role))
        session.flush()
    return {n: i for n, i in session.execute(select(User.name, User.id))}


def _city(rng: np.random.Generator, mix: Sequence[tuple[str, float]]) -> str:
    weights = np.array([w for _, w in mix])
    return mix[int(rng.choice(len(mix), p=weights / weights.sum()))][0]


def _add_employees(session: Session, rng: np.random.Generator, touchpoints: dict[int, Touchpoint]) -> list[_Staffer]:
    """The users (linked), then front-line staff per team; each serves their team's touchpoints."""
    teams = {t.id: t.name for t in session.scalars(select(Team).order_by(Team.id))}
    served: dict[int | None, tuple[int, ...]] = {}
    for tp in touchpoints.values():
        served[tp.owner_team_id] = (*served.get(tp.owner_team_id, ()), tp.id)
    people: list[tuple[Employee, float]] = []
    number = 0

    def add(name: str, email: str, team_id: int | None, location: str, title: str, user_id: int | None) -> None:
        nonlocal number
        number += 1
        team = teams.get(team_id or 0)
        mood = TEAM_MOOD.get(team or "", 0.3) + _team_cx(team_id, touchpoints) + rng.normal(0.0, 0.4)
        people.append((Employee(external_id=f"HP-{number:04d}", email=email, name=name, team_id=team_id,
                                location=location, job_title=title, user_id=user_id, active=True), mood))

    for user in session.scalars(select(User).where(User.email.like("%@harbourpine.example")).order_by(User.id)):
        team = teams.get(user.team_id or 0)
        if team is None:
            title = {"hr": "Head of people"}.get(user.role, "Executive")
            location = "London"
        else:
            title = f"{team} lead" if user.role == "manager" else _TITLES.get(team, "Specialist")
            location = _city(rng, TEAM_CITIES.get(team, HOTEL_STAFF))
        add(user.name, user.email, user.team_id, location, title, user.id)
    for team_id, team in teams.items():
        for _ in range(TEAM_SIZES.get(team, 0)):
            location = _city(rng, TEAM_CITIES.get(team, HOTEL_STAFF))
            first, last = (_FIRST_ASIA, _LAST_ASIA) if location in _ASIA else (_FIRST, _LAST)
            name = f"{first[int(rng.integers(len(first)))]} {last[int(rng.integers(len(last)))]}"
            local = "".join(c for c in name.lower().replace(" ", ".") if c.isalnum() or c == ".")
            add(name, f"{local}.{number + 1}@staff.harbourpine.example", team_id, location,
                _TITLES.get(team, "Specialist"), None)
    session.add_all(e for e, _ in people)
    session.flush()
    links = [{"employee_id": e.id, "touchpoint_id": tp}
             for e, _ in people if e.team_id is not None for tp in served.get(e.team_id, ())]
    if links:
        session.execute(EmployeeTouchpoint.__table__.insert(), links)
    return [_Staffer(e.id, teams.get(e.team_id or 0), e.team_id, e.location, mood,
                     served.get(e.team_id, ()) if e.team_id is not None else ())
            for e, mood in people]


def _team_cx(team_id: int | None, touchpoints: dict[int, Touchpoint]) -> float:
    """Better-served guests, happier staff (loosely): the team's touchpoints' base level (company.py)."""
    own = [_BASE.get(tp.key, 0.0) for tp in touchpoints.values() if tp.owner_team_id == team_id]
    return 0.5 * float(np.mean(own)) if own and team_id is not None else 0.0


# ---------------------------------------------------------------- pulses and waves
def main_metrics(session: Session, today: date) -> dict[int, str]:
    """Each touchpoint's main customer metric (the one most answers of the last 180 days use).

    Touchpoints with fewer than :data:`MIN_ACTUAL_N` such answers get no mirror item.
    """
    since = datetime.combine(today - timedelta(days=180), time())
    rows = session.execute(
        select(Response.touchpoint_id, Answer.metric, func.count())
        .join(Answer, Answer.response_id == Response.id)
        .where(Answer.metric.in_(GUESS_SCALE), Answer.number.is_not(None), Response.touchpoint_id.is_not(None),
               Response.submitted_at >= since)
        .group_by(Response.touchpoint_id, Answer.metric)).all()
    best: dict[int, tuple[int, str]] = {}
    for touchpoint_id, metric, n in rows:
        if touchpoint_id is None or n < MIN_ACTUAL_N:
            continue
        if touchpoint_id not in best or (n, metric) > best[touchpoint_id]:
            best[touchpoint_id] = (n, metric)
    return {tp: metric for tp, (_, metric) in sorted(best.items())}


def _add_pulses(session: Session, touchpoints: dict[int, Touchpoint], metrics: dict[int, str],
                created_by: int | None) -> list[tuple[PulseSpec, Pulse, list[dict[str, Any]]]]:
    items = {"enps": list(ENPS_ITEMS), "engagement": list(ENGAGEMENT_ITEMS), "enablement": list(ENABLEMENT_ITEMS),
             "mirror": [mirror_item(touchpoints[tp].key, touchpoints[tp].name, tp, metric)
                        for tp, metric in metrics.items()]}
    out = []
    for spec in PULSES:
        # stored as the service stores them: mirror items are made per employee when they answer (items_for)
        pulse = Pulse(key=spec.key, name=spec.name, kind=spec.kind, items=list(TEMPLATES[spec.kind]["items"]),
                      cadence=spec.cadence, open_days=spec.open_days, active=True, created_by=created_by)
        session.add(pulse)
        out.append((spec, pulse, items[spec.kind]))
    session.flush()
    return out


def wave_dates(cadence: str, today: date, months: int = MONTHS) -> list[tuple[str, date]]:
    """(period key, opening day) of the waves of the last ``months`` months closed by ``today``, oldest first.

    Monthly waves open on the 5th ("2026-02"), the last ``months`` closed ones; quarterly
    ones on the 5th of the quarter's middle month ("2026-Q1"), those in the same span.
    A wave counts as closed 14 days after it opens (the longest a demo wave is open).
    """
    index = today.year * 12 + today.month - 1
    closed = []
    for back in range(months + 1, -1, -1):
        year, month = divmod(index - back, 12)
        opens = date(year, month + 1, WAVE_OPENS_ON_DAY)
        if opens + timedelta(days=14) < today:
            closed.append((year, month, opens))
    closed = closed[-months:]
    if cadence == "monthly":
        return [(f"{year}-{month + 1:02d}", opens) for year, month, opens in closed]
    return [(f"{year}-Q{month // 3 + 1}", opens) for year, month, opens in closed if month % 3 == 1]


def actual_scores(session: Session, opens_on: date, metrics: dict[int, str]) -> dict[int, float]:
    """What guests scored each touchpoint in the :data:`ACTUAL_WINDOW_DAYS` before a wave opened.

    NPS (% 9–10 minus % 0–6), CSAT (% of 4–5) and CES (mean 1–7), on the touchpoint's main
    metric; touchpoints with fewer than :data:`MIN_ACTUAL_N` answers there widen to 180 days.
    """
    out: dict[int, float] = {}
    for days in (ACTUAL_WINDOW_DAYS, 180):
        since, until = (datetime.combine(d, time()) for d in (opens_on - timedelta(days=days), opens_on))
        number = Answer.number
        rows = session.execute(
            select(Response.touchpoint_id, Answer.metric, func.count(),
                   func.sum(case((number >= 9, 1), else_=0)), func.sum(case((number <= 6, 1), else_=0)),
                   func.sum(case((number >= 4, 1), else_=0)), func.avg(number))
            .join(Answer, Answer.response_id == Response.id)
            .where(Answer.metric.in_(GUESS_SCALE), number.is_not(None), Response.submitted_at >= since,
                   Response.submitted_at < until, Response.touchpoint_id.in_(list(metrics)))
            .group_by(Response.touchpoint_id, Answer.metric)).all()
        for touchpoint_id, metric, n, promoters, detractors, satisfied, mean in rows:
            if touchpoint_id in out or metric != metrics[touchpoint_id] or n < MIN_ACTUAL_N:
                continue
            out[touchpoint_id] = float(100 * (promoters - detractors) / n if metric == "nps"
                                       else 100 * satisfied / n if metric == "csat" else mean)
    return out


class _Rows:
    """The rows of every wave, written at the end in bulk."""

    def __init__(self, next_response: int) -> None:
        self.next_response = next_response
        self.invitations: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []
        self.answers: list[dict[str, Any]] = []


def _team_bias(rng: np.random.Generator, staff: list[_Staffer]) -> dict[str | None, float]:
    """How far above the truth each team guesses, as a share of the over-estimation range (0 = realistic)."""
    teams = sorted({s.team for s in staff if s.team is not None})
    return {team: 0.0 if team in REALISTIC_TEAMS else float(rng.uniform(0.0, 1.0)) for team in teams}


def _wave(rng: np.random.Generator, rows: _Rows, spec: PulseSpec, wave: PulseWave, items: list[dict[str, Any]],
          staff: list[_Staffer], actual: dict[int, float], team_bias: dict[str | None, float]) -> None:
    """Invitations of one wave and, in a shuffled order, the anonymous responses of those who answered."""
    sent = datetime.combine(wave.opens_on, time(8))
    by_touchpoint = {item["touchpoint"]: item for item in items if item.get("touchpoint") is not None}
    asked = [s for s in staff if spec.kind != "mirror" or set(s.touchpoints) & set(by_touchpoint)]
    # 60–85 % answer; the unhappy answer a little less often.
    chance = np.clip(0.74 + 0.06 * np.array([s.mood for s in asked]), 0.55, 0.88)
    answered = rng.random(len(asked)) < chance
    for person, did in zip(asked, answered, strict=True):
        token = secrets.token_urlsafe(24)
        rows.invitations.append({"wave_id": wave.id, "employee_id": person.id, "sent_at": sent, "answered": bool(did),
                                 "token_hash": hashlib.sha256(token.encode()).hexdigest()})
    respondents = [asked[i] for i in rng.permutation(np.nonzero(answered)[0])]
    for person in respondents:
        response_id = rows.next_response
        rows.next_response += 1
        rows.responses.append({"id": response_id, "wave_id": wave.id, "team_id": person.team_id,
                               "location": person.location})
        mood = person.mood + rng.normal(0.0, 0.35)
        for key, scale, touchpoint, number, text in _answers(rng, spec.kind, items, person, mood, actual,
                                                            by_touchpoint, team_bias.get(person.team, 0.5)):
            rows.answers.append({"response_id": response_id, "item_key": key, "scale": scale,
                                 "touchpoint_id": touchpoint, "number": number, "text": text})


def _answers(rng: np.random.Generator, kind: str, items: list[dict[str, Any]], person: _Staffer, mood: float,
             actual: dict[int, float], by_touchpoint: dict[int, dict[str, Any]],
             bias: float) -> list[tuple[str, str, int | None, float | None, str | None]]:
    out: list[tuple[str, str, int | None, float | None, str | None]] = []
    if kind == "enps":
        score = int(np.clip(np.rint(7.5 + 1.6 * mood + rng.normal(0.0, 0.9)), 0, 10))
        out.append(("enps", "enps", None, float(score), None))
        if rng.random() < 0.3:
            tone = 0 if score <= 6 else 2 if score >= 9 else 1
            options = _COMMENTS[tone]
            out.append(("comment", "text", None, None, options[int(rng.integers(len(options)))]))
    elif kind in ("engagement", "enablement"):
        lift = TEAM_ENABLEMENT.get(person.team or "", 0.0) if kind == "enablement" else 0.0
        for agree in items:
            value = 3.6 + 0.9 * (mood + lift) + rng.normal(0.0, 0.6)
            out.append((agree["key"], agree["scale"], None, float(np.clip(np.rint(value), 1, 5)), None))
    elif kind == "mirror":
        for touchpoint in person.touchpoints:
            item = by_touchpoint.get(touchpoint)
            if item is None:
                continue
            metric = next(m for m, s in GUESS_SCALE.items() if s == item["scale"])
            # too few customer answers before this wave: the average touchpoint on that metric
            similar = [actual[tp] for tp, other in by_touchpoint.items() if other["scale"] == item["scale"]
                       and tp in actual]
            truth = actual.get(touchpoint, float(np.mean(similar)) if similar else None)
            if truth is None:
                continue
            low, high = OVERESTIMATE[metric]
            shift = low + bias * (high - low) if bias > 0 else rng.normal(0.0, 0.15 * low)
            guess = truth + shift + rng.normal(0.0, GUESS_NOISE[metric])
            lowest, highest = GUESS_RANGE[metric]
            step = 0.5 if metric == "ces" else 5.0  # people guess round numbers
            out.append((item["key"], item["scale"], touchpoint,
                        float(np.clip(np.rint(guess / step) * step, lowest, highest)), None))
    return out


# ---------------------------------------------------------------- maturity
def maturity_ratings() -> dict[str, tuple[int, int]]:
    """(earlier, later) rating of every statement of the questionnaire, by competency in turn."""
    seen: dict[str, int] = {}
    out: dict[str, tuple[int, int]] = {}
    for item in QUESTIONNAIRE_ITEMS:
        position = seen.get(item.competency, 0)
        seen[item.competency] = position + 1
        out[item.key] = MATURITY[item.competency][position % 3]
    return out


def _add_maturity(session: Session, today: date, created_by: int | None) -> int:
    """Two self-assessments six months apart; the later one better in respond, enlighten and realize."""
    for index, days in enumerate(ASSESSMENT_DAYS_BEFORE_END):
        taken = today - timedelta(days=days)
        assessment = MaturityAssessment(
            version=MATURITY_VERSION, title=f"CX maturity self-assessment, {taken:%B %Y}", taken_on=taken,
            notes=("The CX council's first self-assessment, before the closed loop went live." if index == 0 else
                   "Six months on: the closed loop and the scorecards are in place; innovation still ad hoc."),
            created_by=created_by, created_at=datetime.combine(taken, time(15)))
        session.add(assessment)
        session.flush()
        session.execute(MaturityRating.__table__.insert(), [
            {"assessment_id": assessment.id, "item_key": key, "rating": rating[index],
             "note": MATURITY_NOTES.get(key, ("", ""))[index]} for key, rating in maturity_ratings().items()])
    return len(ASSESSMENT_DAYS_BEFORE_END)
