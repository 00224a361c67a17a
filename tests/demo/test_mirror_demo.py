"""The demo company's mirror: staff, six months of pulse waves, anonymous answers, the delivery gap, maturity."""

from __future__ import annotations

import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from statistics import mean

import psycopg
import pytest
from sqlalchemy import func, select

from centric.accounts.models import Team, User
from centric.db import Database
from centric.demo import DemoSummary, generate_demo
from centric.demo.company import HOTELS
from centric.demo.mirror import ENGAGEMENT_ITEMS
from centric.journeys.models import Touchpoint
from centric.mirror.assessments import detail
from centric.mirror.maturity import ITEMS as QUESTIONNAIRE
from centric.mirror.models import (
    COMPETENCIES,
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
from centric.surveys.models import Answer, Response, Survey
from tests.conftest import PG_ADMIN, _pg_url

TODAY = date(2026, 3, 15)


def _generate(path: Path, customers: int, seed: int = 7) -> tuple[Database, DemoSummary]:
    db = Database(f"sqlite:///{path}")
    return db, generate_demo(db, customers=customers, months=18, seed=seed, today=TODAY)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, DemoSummary]]:
    db, summary = _generate(tmp_path_factory.mktemp("mirror") / "demo.db", 1500)
    yield db, summary
    db.dispose()


def _nps(scores: list[float]) -> float:
    return 100 * (sum(x >= 9 for x in scores) - sum(x <= 6 for x in scores)) / len(scores)


def test_every_team_has_employees_and_every_staff_user_is_one(demo):
    db, summary = demo
    with db.reader() as s:
        employees = s.scalars(select(Employee)).all()
        teams = dict(s.execute(select(Team.id, Team.name)).all())
        users = dict(s.execute(select(User.id, User.team_id).where(User.email.like("%@harbourpine.example"))).all())
        served = defaultdict(set)
        for employee_id, touchpoint_id in s.execute(select(EmployeeTouchpoint.employee_id,
                                                           EmployeeTouchpoint.touchpoint_id)):
            served[employee_id].add(touchpoint_id)
        owned = defaultdict(set)
        for touchpoint_id, team_id in s.execute(select(Touchpoint.id, Touchpoint.owner_team_id)):
            owned[team_id].add(touchpoint_id)
        hr = s.scalar(select(func.count()).select_from(User).where(User.role == "hr"))
    assert summary.employees == len(employees)
    linked = {e.user_id: e for e in employees if e.user_id is not None}
    assert set(linked) == set(users) and hr == 1  # every member of staff who logs in, the HR lead too
    assert all(linked[user_id].team_id == team_id for user_id, team_id in users.items())
    sizes = Counter(e.team_id for e in employees if e.team_id is not None)
    assert set(sizes) == set(teams)
    assert all(any(e.user_id for e in employees if e.team_id == team) for team in teams)  # a user link in each
    assert sum(6 <= n <= 20 for n in sizes.values()) >= len(teams) - 2
    assert 1 <= sum(n < 5 for n in sizes.values()) <= 2  # small teams: the anonymity rules show
    assert {e.location for e in employees} <= {h.city for h in HOTELS}
    assert len({e.location for e in employees}) >= 4
    assert len({e.email for e in employees}) == len(employees)
    for e in employees:  # they serve their team's touchpoints
        assert served[e.id] == (owned[e.team_id] if e.team_id is not None else set())


def test_each_pulse_has_six_months_of_closed_waves(demo):
    db, _ = demo
    with db.reader() as s:
        pulses = {p.key: p for p in s.scalars(select(Pulse))}
        waves = defaultdict(list)
        for wave in s.scalars(select(PulseWave).order_by(PulseWave.opens_on)):
            waves[wave.pulse_id].append(wave)
        touchpoints = dict(s.execute(select(Touchpoint.id, Touchpoint.key)).all())
        guesses = s.execute(select(PulseAnswer.item_key, PulseAnswer.scale, PulseAnswer.touchpoint_id).distinct()
                            .where(PulseAnswer.scale.like("guess_%"))).all()
    assert {p.kind for p in pulses.values()} == {"enps", "engagement", "enablement", "mirror"}
    for pulse in pulses.values():
        dates = [w.opens_on for w in waves[pulse.id]]
        assert all(w.closes_on < TODAY and w.opens_on < w.closes_on for w in waves[pulse.id])
        assert (TODAY - dates[0]).days <= 200
        if pulse.cadence == "monthly":
            assert len(dates) == 6 and len({(d.year, d.month) for d in dates}) == 6
            assert all(25 <= (b - a).days <= 35 for a, b in zip(dates, dates[1:], strict=False))
        else:
            assert pulse.cadence == "quarterly" and len(dates) == 2 and 85 <= (dates[1] - dates[0]).days <= 95
        assert all(re.fullmatch(r"\d{4}-(\d{2}|Q[1-4])", w.period_key) for w in waves[pulse.id])
    assert [i["scale"] for i in pulses["enps"].items] == ["enps", "text"]
    assert len([i for i in pulses["engagement"].items if i["scale"] == "agree5"]) == 4
    assert pulses["enablement"].items[0]["text"] == "I have what I need to solve a customer's problem."
    # the mirror pulse stores its template; the guesses are asked per touchpoint an employee serves
    assert [i["scale"] for i in pulses["mirror"].items] == ["text"]
    assert len({t for _, _, t in guesses}) >= 8 and {scale for _, scale, _ in guesses} <= {"guess_nps", "guess_csat",
                                                                                         "guess_ces"}
    assert len({scale for _, scale, _ in guesses}) >= 2
    for key, _, touchpoint in guesses:
        assert key == f"guess:{touchpoints[touchpoint]}"


def test_responses_are_anonymous_and_match_the_answered_invitations(demo):
    db, summary = demo
    for table in (PulseResponse.__table__, PulseAnswer.__table__):
        assert not [c.name for c in table.columns if "employee" in c.name or "invitation" in c.name]
        assert {fk.column.table.name for fk in table.foreign_keys} <= {"pulse_wave", "pulse_response", "team",
                                                                       "touchpoint"}
    with db.reader() as s:
        waves = s.execute(select(PulseWave.id, Pulse.kind).join(Pulse)).all()
        invited = Counter(s.scalars(select(PulseInvitation.wave_id)))
        answered = Counter(s.scalars(select(PulseInvitation.wave_id).where(PulseInvitation.answered)))
        responses = Counter(s.scalars(select(PulseResponse.wave_id)))
        employees = s.execute(select(Employee.id, Employee.team_id, Employee.location, Employee.active)).all()
        asked = set(s.scalars(select(PulseAnswer.touchpoint_id).where(PulseAnswer.scale.like("guess_%")).distinct()))
        with_touchpoints = set(s.scalars(select(EmployeeTouchpoint.employee_id)
                                         .where(EmployeeTouchpoint.touchpoint_id.in_(asked)).distinct()))
        groups = Counter(s.execute(select(PulseResponse.team_id, PulseResponse.location)).all())
        hashes = s.scalars(select(PulseInvitation.token_hash)).all()
        empty = s.scalar(select(func.count()).select_from(PulseResponse).where(
            ~PulseResponse.id.in_(select(PulseAnswer.response_id))))
    assert summary.pulse_responses == sum(responses.values())
    active = {e.id for e in employees if e.active}
    for wave_id, kind in waves:
        assert invited[wave_id] == len(active & with_touchpoints if kind == "mirror" else active)
        assert responses[wave_id] == answered[wave_id] > 0
        assert 0.5 <= answered[wave_id] / invited[wave_id] <= 0.9
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes) and len(set(hashes)) == len(hashes)
    assert set(groups) <= {(e.team_id, e.location) for e in employees}  # groups copied from the respondents
    assert empty == 0


def _team_scores(s, team_names: dict[int, str], where) -> dict[str, list[float]]:  # type: ignore[no-untyped-def]
    out: dict[str, list[float]] = defaultdict(list)
    for team_id, number in s.execute(select(PulseResponse.team_id, PulseAnswer.number)
                                     .join(PulseAnswer, PulseAnswer.response_id == PulseResponse.id).where(where)):
        if team_id is not None:
            out[team_names[team_id]].append(number)
    return out


def test_guest_support_is_unhappy_and_engagement_follows_enps(demo):
    db, _ = demo
    with db.reader() as s:
        names = dict(s.execute(select(Team.id, Team.name)).all())
        enps = _team_scores(s, names, PulseAnswer.item_key == "enps")
        engagement = _team_scores(s, names, PulseAnswer.item_key.in_([i["key"] for i in ENGAGEMENT_ITEMS]))
        enablement = _team_scores(s, names, PulseAnswer.item_key == "equipped")
        scales = dict(s.execute(select(PulseAnswer.scale, func.min(PulseAnswer.number))
                                .where(PulseAnswer.number.is_not(None)).group_by(PulseAnswer.scale)).all())
        maxima = dict(s.execute(select(PulseAnswer.scale, func.max(PulseAnswer.number)).group_by(PulseAnswer.scale)
                                ).all())
    assert scales["enps"] >= 0 and maxima["enps"] <= 10 and scales["agree5"] >= 1 and maxima["agree5"] <= 5
    by_team = {team: _nps(v) for team, v in enps.items() if len(v) >= 20}
    others = [v for team, v in by_team.items() if team != "Guest Support"]
    assert by_team["Guest Support"] < min(others) and by_team["Guest Support"] < mean(others) - 30
    assert mean(enablement["Guest Support"]) < mean(x for t, v in enablement.items() if t != "Guest Support"
                                                    for x in v) - 0.3
    teams = sorted(by_team)
    x, y = [by_team[t] for t in teams], [mean(engagement[t]) for t in teams]
    mx, my = mean(x), mean(y)
    r = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True)) / (
        sum((a - mx) ** 2 for a in x) * sum((b - my) ** 2 for b in y)) ** 0.5
    assert r > 0.6


def _actual(rows: list[tuple[float, datetime]], metric: str, opens: date) -> float | None:
    """The customers' score of a touchpoint before a wave: 90 days, or 180 when fewer than 20 answered."""
    for days in (90, 180):
        since = datetime.combine(opens - timedelta(days=days), datetime.min.time())
        numbers = [n for n, at in rows if since <= at < datetime.combine(opens, datetime.min.time())]
        if len(numbers) >= 20:
            if metric == "nps":
                return _nps(numbers)
            return 100 * sum(n >= 4 for n in numbers) / len(numbers) if metric == "csat" else mean(numbers)
    return None


def test_most_teams_overestimate_what_customers_think(demo):
    db, _ = demo
    margin = {"nps": 10.0, "csat": 5.0, "ces": 0.3}
    with db.reader() as s:
        names = dict(s.execute(select(Team.id, Team.name)).all())
        mirror = s.scalar(select(Pulse).where(Pulse.kind == "mirror"))
        assert mirror is not None
        metric_of = {t: scale.removeprefix("guess_") for t, scale in s.execute(
            select(PulseAnswer.touchpoint_id, PulseAnswer.scale).where(PulseAnswer.scale.like("guess_%")).distinct())}
        customers = defaultdict(list)
        for touchpoint_id, metric, number, at in s.execute(
                select(Response.touchpoint_id, Answer.metric, Answer.number, Response.submitted_at)
                .join(Answer, Answer.response_id == Response.id).where(Answer.number.is_not(None))):
            if metric_of.get(touchpoint_id) == metric:
                customers[touchpoint_id].append((number, at))
        gaps: dict[str, list[bool]] = defaultdict(list)
        for wave in s.scalars(select(PulseWave).where(PulseWave.pulse_id == mirror.id)):
            guesses = defaultdict(list)
            for team_id, touchpoint_id, number in s.execute(
                    select(PulseResponse.team_id, PulseAnswer.touchpoint_id, PulseAnswer.number)
                    .join(PulseAnswer, PulseAnswer.response_id == PulseResponse.id)
                    .where(PulseResponse.wave_id == wave.id)):
                guesses[(names[team_id], touchpoint_id)].append(number)
            for (team, touchpoint_id), numbers in guesses.items():
                actual = _actual(customers[touchpoint_id], metric_of[touchpoint_id], wave.opens_on)
                if actual is None:  # too few customer answers before this wave to compare with
                    continue
                gaps[team].append(mean(numbers) - actual > margin[metric_of[touchpoint_id]])
    overestimating = [team for team, over in gaps.items() if sum(over) > len(over) / 2]
    assert len(gaps) >= 6
    assert len(overestimating) >= 0.6 * len(gaps)
    assert set(gaps) - set(overestimating)  # a few teams are realistic
    assert "Guest Support" not in overestimating


def test_two_maturity_assessments_six_months_apart(demo):
    db, _ = demo
    with db.reader() as s:
        assessments = s.scalars(select(MaturityAssessment).order_by(MaturityAssessment.taken_on)).all()
        ratings = {a.id: dict(s.execute(select(MaturityRating.item_key, MaturityRating.rating)
                                        .where(MaturityRating.assessment_id == a.id)).all()) for a in assessments}
    assert len(assessments) == 2
    earlier, later = assessments
    assert 175 <= (later.taken_on - earlier.taken_on).days <= 185 and later.taken_on < TODAY
    keys = {item.key for item in QUESTIONNAIRE}
    assert set(ratings[earlier.id]) == set(ratings[later.id]) == keys  # every statement of the questionnaire
    assert all(1 <= r <= 5 for rs in ratings.values() for r in rs.values())
    assert all(ratings[later.id][k] >= ratings[earlier.id][k] for k in keys)
    improved = {k.split(".")[0] for k in keys if ratings[later.id][k] > ratings[earlier.id][k]}
    assert 2 <= len(improved) < len(COMPETENCIES)
    with db.reader() as s:  # the service reads them: stages, the change since the first, next steps
        result = detail(s, later.id)
    assert result.previous_id == earlier.id and result.overall_stage is not None
    assert result.previous_overall_stage is not None and result.overall_stage >= result.previous_overall_stage


def test_the_same_seed_gives_the_same_answers(tmp_path: Path):
    def answers(db: Database) -> list:
        with db.reader() as s:
            return s.execute(select(PulseResponse.team_id, PulseResponse.location, PulseAnswer.item_key,
                                    PulseAnswer.number, PulseAnswer.text)
                             .join(PulseAnswer, PulseAnswer.response_id == PulseResponse.id)
                             .order_by(PulseAnswer.id)).all()

    dbs = [_generate(tmp_path / f"{name}.db", 150)[0] for name in ("a", "b")]
    a, b = (answers(db) for db in dbs)
    for db in dbs:
        db.dispose()
    assert a == b and len(a) > 500


@pytest.mark.postgres
def test_postgresql_keeps_taking_pulse_responses_after_the_demo():
    name = f"centric_mirror_demo_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db = Database(_pg_url(name))
    try:
        summary = generate_demo(db, customers=200, seed=3, today=TODAY)
        with db.transaction() as s:
            wave_id = s.scalar(select(PulseWave.id).limit(1))
            response = PulseResponse(wave_id=wave_id, team_id=None, location="London")
            s.add(response)
            s.flush()
            assert response.id > summary.pulse_responses
    finally:
        db.dispose()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_relationship_nps_carries_the_cx_items_and_they_follow_the_score(demo):
    db, _ = demo
    with db.reader() as s:
        rows = s.execute(select(Answer.response_id, Answer.question_key, Answer.metric, Answer.number)
                         .join(Response).join(Survey).where(Survey.key == "relationship-nps")).all()
    by_response: dict[int, dict[str, float]] = defaultdict(dict)
    for response_id, key, metric, number in rows:
        if number is not None:
            assert metric == ("nps" if key == "nps" else "rating")
            by_response[response_id][key] = number
    complete = [a for a in by_response.values() if {"nps", "cx_needs", "cx_ease", "cx_enjoy"} <= set(a)]
    assert len(complete) >= 0.9 * len(by_response) > 100
    assert all(1 <= a[k] <= 5 for a in complete for k in ("cx_needs", "cx_ease", "cx_enjoy"))
    promoters = [mean((a["cx_needs"], a["cx_ease"], a["cx_enjoy"])) for a in complete if a["nps"] >= 9]
    detractors = [mean((a["cx_needs"], a["cx_ease"], a["cx_enjoy"])) for a in complete if a["nps"] <= 6]
    assert mean(promoters) > mean(detractors) + 1.0
