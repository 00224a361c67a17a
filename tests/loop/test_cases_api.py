"""The cases API: role scoping, the work actions, bulk errors, and a constant number of statements per page."""

from __future__ import annotations

from sqlalchemy import select

from centric.accounts.models import Team, User
from centric.loop.cases import CaseDraft, open_cases
from tests.api.conftest import auth
from tests.api.test_statement_counts import counted


def _setup(db) -> dict[str, int]:
    """An agent in Front Office; one case of Front Office, one of Housekeeping, one unassigned."""
    with db.transaction() as s:
        teams = {t.name: t.id for t in s.scalars(select(Team))}
        agent = s.scalar(select(User).where(User.role == "agent"))
        agent.team_id = teams["Front Office"]
        ours, theirs, loose = open_cases(s, [
            CaseDraft(title="Ours", source="manual", team_id=teams["Front Office"],
                      verbatim="<script>alert(1)</script>"),
            CaseDraft(title="Theirs", source="manual", team_id=teams["Housekeeping"]),
            CaseDraft(title="Loose", source="manual")])
        return {"ours": ours.id, "theirs": theirs.id, "loose": loose.id, "agent": agent.id}


def test_roles(client, tokens, db):
    ids = _setup(db)
    agent, analyst, viewer = (auth(tokens[r]) for r in ("agent", "analyst", "viewer"))
    listed = client.get("/api/v1/cases", headers=agent).json()
    assert {c["id"] for c in listed["items"]} == {ids["ours"], ids["loose"]} and listed["total"] == 2
    assert client.get(f"/api/v1/cases/{ids['theirs']}", headers=agent).status_code == 404
    assert client.post(f"/api/v1/cases/{ids['theirs']}/notes", json={"body": "x"}, headers=agent).status_code == 404
    assert client.get("/api/v1/cases", headers=viewer).status_code == 403
    assert client.get(f"/api/v1/cases/{ids['ours']}", headers=viewer).status_code == 403
    assert client.get("/api/v1/cases", headers=analyst).json()["total"] == 3
    assert client.patch(f"/api/v1/cases/{ids['ours']}", json={"status": "open"}, headers=analyst).status_code == 403
    assert client.get("/api/v1/cases/workload", headers=agent).status_code == 403
    assert client.post("/api/v1/root-causes", json={"code": "x", "name": "X"}, headers=agent).status_code == 403


def test_working_a_case(client, tokens, db):
    ids = _setup(db)
    manager, agent = auth(tokens["manager"]), auth(tokens["agent"])
    assert client.post("/api/v1/root-causes", json={"code": "room", "name": "Room"}, headers=manager).status_code == 201
    made = client.post("/api/v1/root-causes", json={"code": "room/dirty", "name": "Dirty"}, headers=manager)
    assert made.status_code == 201 and made.json()["parent_id"] is not None
    orphan = client.post("/api/v1/root-causes", json={"code": "food/cold", "name": "Cold"}, headers=manager)
    assert orphan.status_code == 422 and "food" in orphan.json()["detail"]
    case = f"/api/v1/cases/{ids['ours']}"
    assigned = client.post(f"{case}/assign", json={"owner_id": ids["agent"]}, headers=agent)
    assert assigned.json()["owner_id"] == ids["agent"]
    contact = client.post(f"{case}/contacts", json={"channel": "phone", "outcome": "reached"}, headers=agent)
    assert contact.status_code == 201
    refused = client.post(f"{case}/close", json={}, headers=agent)
    assert refused.status_code == 422 and refused.json()["field"] == "root_cause"
    assert "root cause" in refused.json()["detail"]
    closed = client.post(f"{case}/close", json={"root_cause": "room/dirty", "recovered": "yes"}, headers=agent).json()
    assert (closed["status"], closed["root_cause"], closed["recovered"]) == ("closed", "room/dirty", "yes")
    kinds = [a["kind"] for a in closed["activity"]]
    assert kinds[0] == "created" and {"contact", "root_cause", "recovered"} <= set(kinds) and kinds[-1] == "status"
    bad = client.patch(case, json={"status": "open"}, headers=agent)
    assert bad.status_code == 409 and "closed to open" in bad.json()["detail"]
    bulk = client.post("/api/v1/cases/bulk", json={"ids": [ids["loose"], ids["ours"]], "action": "close",
                                                   "root_cause": "room"}, headers=manager)
    assert bulk.status_code == 409 and f"case {ids['ours']}" in bulk.json()["detail"]
    assert client.get(f"/api/v1/cases/{ids['loose']}", headers=manager).json()["status"] == "new"
    view = client.post("/api/v1/case-views", json={"name": "urgent", "filters": {"view": "all", "status": "closed"}},
                       headers=agent)
    assert view.status_code == 201
    saved = client.get(f"/api/v1/cases?saved_view={view.json()['id']}", headers=agent).json()
    assert [c["id"] for c in saved["items"]] == [ids["ours"]], (ids, [(c["id"], c["status"]) for c in saved["items"]])
    assert client.get(f"/api/v1/cases?saved_view={view.json()['id']}", headers=manager).status_code == 404
    load = client.get("/api/v1/cases/workload", headers=manager).json()
    assert sum(row["open"] for row in load["by_team"]) == 2


def test_bad_input_names_the_field(client, tokens, db):
    manager = auth(tokens["manager"])
    made = client.post("/api/v1/cases", json={"title": "x", "severity": 9}, headers=manager)
    assert made.status_code == 422 and "severity" in str(made.json())
    assert client.get("/api/v1/cases?sort=sideways", headers=manager).status_code == 422


def test_case_list_reads_a_page_in_constant_statements(client, tokens, db):
    manager = auth(tokens["manager"])
    with db.transaction() as s:
        teams = [t.id for t in s.scalars(select(Team))]
        open_cases(s, [CaseDraft(title="c", source="manual", team_id=teams[0]) for _ in range(3)])
    with counted(db.engine) as few:
        assert client.get("/api/v1/cases?limit=2", headers=manager).status_code == 200
    with db.transaction() as s:
        open_cases(s, [CaseDraft(title=f"c{i}", source="manual", team_id=teams[i % len(teams)]) for i in range(60)])
    with counted(db.engine) as many:
        assert len(client.get("/api/v1/cases?limit=50", headers=manager).json()["items"]) == 50
    def page(statements: list[str]) -> list[str]:  # a token's last use is noted now and then: not the page
        return [sql for sql in statements if "api_token" not in sql]

    assert len(page(many)) == len(page(few)) <= 6
