"""Targets and scorecards: validation, audit, measurement, verdicts, ranks, CSV export, API roles."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from sqlalchemy import select

from centric.accounts.models import AuditLog, Team, User
from centric.errors import Forbidden, Invalid
from centric.governance import targets
from centric.governance.measure import parse_period, period_of
from centric.governance.scorecards import CSV_COLUMNS, scorecard, scorecard_csv
from centric.governance.target_schemas import TargetIn, TargetPatch
from tests.api.conftest import auth
from tests.api.test_statement_counts import counted
from tests.factories import make_journey, make_user, respond

MARCH = datetime(2026, 3, 10, 12, 0)


def _team(session, name: str) -> int:
    return session.scalar(select(Team.id).where(Team.name == name))


def _user(session, role: str) -> User:
    return session.scalar(select(User).where(User.email == f"{role}@example.com"))


def _answers(session, touchpoint: str, scores: list[int], when: datetime = MARCH) -> None:
    for i, score in enumerate(scores):
        respond(session, "rnps", score, email=f"{touchpoint}-{when:%Y%m}-{i}@example.com", touchpoint=touchpoint,
                when=when)


def _target(**fields) -> TargetIn:
    base = {"name": "NPS", "metric": "nps", "cadence": "month", "threshold": 0.0,
            "valid_from": date(2025, 1, 1)}
    return TargetIn(**(base | fields))


@pytest.fixture
def world(db):
    with db.transaction() as s:
        make_journey(s)
        manager = make_user(s, "manager")
        agent = make_user(s, "agent")
        front, house = _team(s, "Front Office"), _team(s, "Housekeeping")
        _answers(s, "check-in", [10] * 20 + [0] * 20)  # NPS 0, n 40
        _answers(s, "room", [10] * 40)  # NPS 100, n 40
    return {"manager": manager.id, "agent": agent.id, "front": front, "house": house}


def test_periods_parse_and_step_back():
    assert parse_period("2026-11").label == "2026-11"
    q = parse_period("2026-q4")
    assert (q.start, q.end, q.label) == (date(2026, 10, 1), date(2027, 1, 1), "2026-Q4")
    assert [p.label for p in parse_period("2026-02").last(4)] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert period_of("year", date(2026, 5, 1)).label == "2026"
    for bad in ("2026-13", "26-Q4", "2026-Q5", "next", ""):
        with pytest.raises(Invalid) as caught:
            parse_period(bad)
        assert caught.value.field == "period"


def test_creating_validates_metric_scope_threshold_and_owner(db, world):
    with db.transaction() as s:
        cases = [
            (_target(metric="enps", owner_user_id=world["agent"]), "metric", "eNPS is not available yet"),
            (_target(metric="speed", owner_user_id=world["agent"]), "metric", "unknown metric"),
            (_target(metric="contacted_48h", scope_kind="touchpoint", scope_ref="room", threshold=80,
                     owner_user_id=world["agent"]), "scope_kind", "only for scope company or team"),
            (_target(threshold=120, owner_user_id=world["agent"]), "threshold", "between -100 and 100"),
            (_target(scope_kind="touchpoint", scope_ref="lobby", owner_user_id=world["agent"]), "scope_ref",
             "no touchpoint"),
            (_target(scope_kind="attribute", scope_ref="city", owner_user_id=world["agent"]), "scope_ref",
             "name=value"),
            (_target(), "owner_user_id", "needs an owner"),
            (_target(owner_user_id=999_999), "owner_user_id", "no user"),
            (_target(cadence="week", owner_team_id=world["front"]), "cadence", "month, quarter or year"),
        ]
        for data, field, words in cases:
            with pytest.raises(Invalid) as caught:
                targets.create_target(s, data, world["manager"])
            assert caught.value.field == field, data
            assert words in caught.value.message
        churn = targets.create_target(s, _target(name="Churn", metric="churn", threshold=10,
                                                 owner_user_id=world["agent"]), world["manager"])
        assert churn.direction == "at_most"


def test_every_change_is_audited_with_before_and_after(db, world):
    with db.transaction() as s:
        target = targets.create_target(s, _target(scope_kind="team", scope_ref=str(world["front"]),
                                                  owner_team_id=world["front"]), world["manager"])
        manager = s.get(User, world["manager"])
        targets.update_target(s, target.id, TargetPatch(threshold=20.0, notes="stretch"), manager)
        targets.archive_target(s, target.id, manager.id)
        rows = s.scalars(select(AuditLog).where(AuditLog.entity == "target").order_by(AuditLog.id)).all()
    assert [r.action for r in rows] == ["target.create", "target.update", "target.archive"]
    assert rows[0].detail["after"]["scope_ref"] == str(world["front"])
    assert rows[1].detail["changed"] == {"threshold": {"before": 0.0, "after": 20.0},
                                         "notes": {"before": "", "after": "stretch"}}
    assert rows[2].detail["changed"]["active"] == {"before": True, "after": False}
    assert all(r.user_id == world["manager"] for r in rows)


def test_an_owner_changes_only_the_notes(db, world):
    with db.transaction() as s:
        target = targets.create_target(s, _target(owner_user_id=world["agent"]), world["manager"])
        agent = s.get(User, world["agent"])
        targets.update_target(s, target.id, TargetPatch(notes="we retrain the front desk"), agent)
        with pytest.raises(Forbidden) as caught:
            targets.update_target(s, target.id, TargetPatch(threshold=-50.0), agent)
        assert caught.value.field == "threshold"
        other = make_user(s, "agent", email="other@example.com")
        with pytest.raises(Forbidden):
            targets.update_target(s, target.id, TargetPatch(notes="mine now"), other)
        assert s.get(type(target), target.id).threshold == 0.0


def test_the_list_names_owners_in_constant_queries(db, world):
    def listed(count: int) -> int:
        with db.transaction() as s:
            for i in range(count):
                targets.create_target(s, _target(name=f"T{i}", scope_kind="touchpoint", scope_ref="room",
                                                 owner_user_id=world["agent"], owner_team_id=world["house"]),
                                      world["manager"])
        with db.reader() as s, counted(db.engine) as statements:
            out = targets.list_targets(s)
        assert all(t.owner.user_name == "Agent" and t.owner.team_name == "Housekeeping" for t in out)
        assert all(t.scope_label == "Touchpoint: Room" for t in out)
        return len(statements)

    assert listed(1) == listed(6)


def test_touchpoint_owners_are_named(db, world):
    with db.reader() as s:
        owners = targets.touchpoint_owners(s)
    assert sorted(o.team_name for o in owners.values()) == ["Front Office", "Front Office", "Housekeeping"]


def test_scorecard_verdicts_ranks_trend_and_csv(db, world):
    with db.transaction() as s:
        _answers(s, "check-in", [10] * 10 + [0] * 30, when=datetime(2026, 2, 10))  # February: NPS −50
        team = {"scope_kind": "team", "owner_team_id": world["front"], "scope_ref": str(world["front"])}
        for name, threshold in (("beat", -50.0), ("miss", 50.0), ("close", 10.0)):
            targets.create_target(s, _target(name=name, threshold=threshold, **team), world["manager"])
        targets.create_target(s, _target(name="house", scope_kind="team", scope_ref=str(world["house"]),
                                         owner_team_id=world["house"]), world["manager"])
        targets.create_target(s, _target(name="few", scope_kind="touchpoint", scope_ref="check-in", min_n=100,
                                         owner_user_id=world["agent"]), world["manager"])
        targets.create_target(s, _target(name="yearly", cadence="year", owner_team_id=world["front"]),
                              world["manager"])
    with db.reader() as s:
        card = scorecard(s, team_id=world["front"], period="2026-03")
        mine = scorecard(s, user_id=world["agent"], period="2026-03")
        company = scorecard(s, period="2026")
    rows = {r.target.name: r for r in card.rows}
    assert set(rows) == {"beat", "miss", "close"}  # the yearly target is not a monthly one
    assert (rows["beat"].verdict, rows["miss"].verdict, rows["close"].verdict) == (
        "met", "missed", "not_distinguishable")
    assert rows["close"].reason.endswith("contains the target 10.0")
    assert rows["beat"].n == 40 and rows["beat"].value == 0.0 and rows["beat"].low < 0 < rows["beat"].high
    # Front Office (NPS 0) is significantly below Housekeeping (NPS 100): rank 2 of the four team targets
    assert {r.rank for r in card.rows} == {2} and {r.rank_group_size for r in card.rows} == {4}
    trend = rows["beat"].trend
    assert [p.period for p in trend] == ["2025-12", "2026-01", "2026-02", "2026-03"]
    assert [p.n for p in trend] == [0, 0, 40, 40] and trend[2].value == -50.0
    assert "Holm" in card.method and "Wilson" in card.method
    few = mine.rows[0]
    assert (few.verdict, few.reason) == ("not_distinguishable", "n 40 below the minimum 100")
    assert company.rows[0].target.name == "yearly" and company.rows[0].period == "2026"

    table = list(csv.reader(io.StringIO(scorecard_csv(card))))
    assert tuple(table[0]) == CSV_COLUMNS
    by_name = {line[1]: dict(zip(CSV_COLUMNS, line, strict=True)) for line in table[1:]}
    assert by_name["miss"]["verdict"] == "missed" and by_name["miss"]["owner"] == "Front Office"
    assert by_name["miss"]["threshold"] == "50" and by_name["miss"]["n"] == "40"
    assert by_name["miss"]["rank"] == "2" and "Holm" in by_name["miss"]["method"]


def test_other_scopes_are_measured(db, world):
    with db.transaction() as s:
        respond(s, "rnps", 10, email="lisbon@example.com", touchpoint="room", when=MARCH, attributes={"city": "Lisbon"})
        for kind, ref in (("attribute", "city=Lisbon"), ("journey", "stay"), ("stage", "stay/depart")):
            targets.create_target(s, _target(name=kind, scope_kind=kind, scope_ref=ref, min_n=1,
                                             owner_user_id=world["agent"]), world["manager"])
        targets.create_target(s, _target(name="churn", metric="churn", threshold=20, owner_user_id=world["agent"]),
                              world["manager"])
        targets.create_target(s, _target(name="loop", metric="contacted_48h", threshold=80,
                                         owner_user_id=world["agent"]), world["manager"])
    with db.reader() as s:
        rows = {r.target.name: r for r in scorecard(s, user_id=world["agent"], period="2026-03").rows}
    assert rows["journey"].n == 81 and rows["stage"].n == 0
    assert rows["attribute"].n == 1 and rows["attribute"].value == 100.0
    assert rows["churn"].verdict == "not_distinguishable" and "no purchases" in rows["churn"].reason
    assert rows["loop"].n == 0 and rows["loop"].reason == "no data in the period"


# --- the JSON API ---------------------------------------------------------------------------------------


def _body(**fields):
    return {"name": "Front desk NPS", "metric": "nps", "cadence": "month", "threshold": 0, "valid_from": "2025-01-01",
            **fields}


def test_api_roles_audit_and_errors(client, tokens, db):
    with db.reader() as s:
        agent_id = _user(s, "agent").id
        front = _team(s, "Front Office")
    body = _body(scope_kind="team", scope_ref=str(front), owner_user_id=agent_id)
    for role in ("viewer", "agent", "analyst"):
        assert client.post("/api/v1/targets", headers=auth(tokens[role]), json=body).status_code == 403
    made = client.post("/api/v1/targets", headers=auth(tokens["manager"]), json=body)
    assert made.status_code == 201, made.text
    target = made.json()
    assert target["owner"]["user_name"] == "Agent" and target["scope_label"] == "Team: Front Office"
    listed = client.get("/api/v1/targets", headers=auth(tokens["viewer"])).json()
    assert [t["id"] for t in listed["items"]] == [target["id"]]
    url = f"/api/v1/targets/{target['id']}"
    assert client.get(url, headers=auth(tokens["viewer"])).json()["threshold"] == 0

    # the owner (an agent) may write notes, never the threshold; other roles may not touch it
    assert client.patch(url, headers=auth(tokens["agent"]), json={"notes": "on it"}).json()["notes"] == "on it"
    refused = client.patch(url, headers=auth(tokens["agent"]), json={"threshold": -90})
    assert refused.status_code == 403 and "only the notes" in refused.text
    assert client.patch(url, headers=auth(tokens["viewer"]), json={"notes": "x"}).status_code == 403
    assert client.patch(url, headers=auth(tokens["manager"]), json={"threshold": 25}).json()["threshold"] == 25
    assert client.delete(url, headers=auth(tokens["agent"])).status_code == 403
    assert client.delete(url, headers=auth(tokens["manager"])).json()["active"] is False
    with db.reader() as s:
        actions = s.scalars(select(AuditLog.action).where(AuditLog.entity == "target").order_by(AuditLog.id)).all()
    assert actions == ["target.create", "target.update", "target.update", "target.archive"]

    bad = [
        ({**body, "metric": "enps"}, "metric"), ({**body, "threshold": 101}, "threshold"),
        ({**body, "scope_ref": "999"}, "scope_ref"), ({**body, "surprise": 1}, None),
        ({**body, "metric": "sla_hit", "scope_kind": "segment", "scope_ref": "vip"}, "scope_kind"),
    ]
    for sent, field in bad:
        answer = client.post("/api/v1/targets", headers=auth(tokens["manager"]), json=sent)
        assert answer.status_code == 422, (sent, answer.text)
        if field:
            assert field in answer.text
    assert client.get("/api/v1/targets/999999", headers=auth(tokens["viewer"])).status_code == 404
    assert client.patch("/api/v1/targets/999999", headers=auth(tokens["manager"]),
                        json={"notes": "x"}).status_code == 404


def test_api_scorecards_and_csv_export(client, tokens, db):
    with db.transaction() as s:
        _answers(s, "check-in", [10] * 30 + [0] * 10)
        agent_id = _user(s, "agent").id
    client.post("/api/v1/targets", headers=auth(tokens["manager"]),
                json=_body(scope_kind="touchpoint", scope_ref="check-in", threshold=-20, owner_user_id=agent_id))
    card = client.get(f"/api/v1/scorecards?user_id={agent_id}&period=2026-03", headers=auth(tokens["viewer"]))
    assert card.status_code == 200, card.text
    (row,) = card.json()["rows"]
    assert (row["verdict"], row["n"], row["value"]) == ("met", 40, 50.0)
    me = client.get("/api/v1/scorecards/me?period=2026-03", headers=auth(tokens["agent"])).json()
    assert [r["target"]["id"] for r in me["rows"]] == [row["target"]["id"]]
    export = client.get(f"/api/v1/scorecards/export.csv?user_id={agent_id}&period=2026-03",
                        headers=auth(tokens["viewer"]))
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert f"scorecard-user-{agent_id}-2026-03.csv" in export.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(export.text)))
    assert lines[1][CSV_COLUMNS.index("verdict")] == "met" and "Holm" in lines[1][-1]
    for query, status in (("period=2026-13", 422), ("period=soon", 422), ("user_id=1&team_id=1", 422),
                          ("user_id=999999", 404), ("team_id=abc", 422)):
        answer = client.get(f"/api/v1/scorecards?{query}", headers=auth(tokens["viewer"]))
        assert answer.status_code == status, (query, answer.text)
