"""The initiatives API and pages: roles, 4xx on bad input, the walk root cause → proposed → done → impact."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from centric.accounts.models import AuditLog
from centric.governance.impact_jobs import IMPACT_TASK
from centric.jobs.models import Job
from centric.loop.case_schemas import RootCauseIn
from centric.loop.rootcauses import create_root_cause
from tests.api.conftest import auth
from tests.factories import respond


def _propose(client, tokens, **extra):
    response = client.post("/api/v1/initiatives", headers=auth(tokens["agent"]),
                           json={"title": "Mobile keys", "touchpoints": ["check-in"], **extra})
    assert response.status_code == 201, response.text
    return response.json()


def test_roles_and_lifecycle(client, tokens, db) -> None:
    assert client.post("/api/v1/initiatives", headers=auth(tokens["viewer"]), json={"title": "x"}).status_code == 403
    item = _propose(client, tokens, expected_effect=5)
    url = f"/api/v1/initiatives/{item['id']}"
    assert client.get(url, headers=auth(tokens["viewer"])).json()["status"] == "proposed"
    assert client.post(f"{url}/approve", headers=auth(tokens["agent"]), json={}).status_code == 403
    assert client.patch(url, headers=auth(tokens["agent"]), json={"cost": 900}).json()["cost"] == 900
    assert client.patch(url, headers=auth(tokens["analyst"]), json={"cost": 1}).status_code == 403
    assert client.patch(url, headers=auth(tokens["agent"]), json={"status": "done"}).status_code == 422
    wrong = client.post(f"{url}/status", headers=auth(tokens["agent"]), json={"status": "done"})
    assert wrong.status_code == 409 and "allowed: approved, dropped" in wrong.json()["detail"]
    approved = client.post(f"{url}/approve", headers=auth(tokens["manager"]), json={"note": "go"}).json()
    assert approved["status"] == "approved" and approved["approvals"][0]["user_name"] == "Manager"
    assert approved["approvals"][0]["note"] == "go"
    client.post(f"{url}/status", headers=auth(tokens["agent"]), json={"status": "in_progress"})
    early = client.post(f"{url}/status", headers=auth(tokens["agent"]), json={"status": "done",
                                                                             "done_on": "2000-05-01"})
    assert early.status_code == 422 and "done_on" in early.text  # before the start
    today = date.today().isoformat()
    done = client.post(f"{url}/status", headers=auth(tokens["agent"]), json={"status": "done", "done_on": today})
    assert done.json()["done_on"] == today
    with db.reader() as s:
        job = s.scalar(select(Job).where(Job.name == IMPACT_TASK))
        assert job is not None and job.payload["initiative_id"] == item["id"]
        actions = list(s.scalars(select(AuditLog.action).where(AuditLog.entity == "initiative")))
    assert actions.count("initiative.status") == 3 and "initiative.approve" in actions
    done_page = client.get("/api/v1/initiatives?status=done", headers=auth(tokens["viewer"])).json()
    assert done_page["total"] == 1 and done_page["items"][0]["id"] == item["id"]


def test_bad_input_is_4xx_naming_the_field(client, tokens) -> None:
    headers = auth(tokens["manager"])
    cases = [
        ({"title": ""}, "title"),
        ({"title": "x", "touchpoints": ["nowhere"]}, "touchpoints"),
        ({"title": "x", "cost": -1}, "cost"),
        ({"title": "x", "metric": "happiness"}, "metric"),
        ({"origin": "root_cause", "origin_ref": "unknown"}, "origin_ref"),
        ({"title": "x", "status": "done"}, "status"),
    ]
    for body, field in cases:
        response = client.post("/api/v1/initiatives", headers=headers, json=body)
        assert response.status_code == 422, body
        assert field in response.text
    item = _propose(client, tokens)
    url = f"/api/v1/initiatives/{item['id']}"
    assert client.post(f"{url}/dice", headers=headers, json={"duration": 5, "integrity": 1, "senior_commitment": 1,
                                                             "local_commitment": 1, "effort": 1}).status_code == 422
    assert client.post(f"{url}/status", headers=headers, json={"status": "later"}).status_code == 422
    client.post(f"{url}/approve", headers=headers, json={})
    for when in ("0577-10-04", "2999-01-01"):  # a typing mistake, a date that has not happened
        wrong = client.post(f"{url}/status", headers=headers, json={"status": "in_progress", "started_on": when})
        assert wrong.status_code == 422 and "started_on" in wrong.text
    assert client.get(url, headers=headers).json()["status"] == "approved"
    assert client.post(f"{url}/impact", headers=headers).status_code == 422  # not done
    assert client.get("/api/v1/initiatives/999999", headers=headers).status_code == 404
    assert client.get("/api/v1/initiatives?status=nope", headers=headers).status_code == 422


def test_dice_history_and_board(client, tokens) -> None:
    item = _propose(client, tokens)
    url = f"/api/v1/initiatives/{item['id']}"
    factors = {"duration": 2, "integrity": 2, "senior_commitment": 2, "local_commitment": 2, "effort": 2}
    first = client.post(f"{url}/dice", headers=auth(tokens["agent"]), json=factors)
    assert first.status_code == 201 and first.json()["score"] == 14 and first.json()["zone"] == "win"
    client.post(f"{url}/dice", headers=auth(tokens["agent"]), json={**factors, "duration": 4})
    history = client.get(f"{url}/dice", headers=auth(tokens["viewer"])).json()["items"]
    assert [(d["score"], d["zone"]) for d in history] == [(16, "worry"), (14, "win")]
    board = client.get("/api/v1/initiatives/board", headers=auth(tokens["viewer"])).json()["items"]
    assert board[0]["id"] == item["id"] and board[0]["rank"] == 1 and board[0]["dice"]["zone"] == "worry"


def test_pages_walk_root_cause_to_impact(client, tokens, db) -> None:
    with db.transaction() as s:
        create_root_cause(s, RootCauseIn(code="keys", name="Key cards fail"))
        base = datetime.combine(date.today() - timedelta(days=40), datetime.min.time())
        for n in range(12):
            for key, before, after in (("check-in", 3, 10), ("room", 8, 8)):
                respond(s, "rnps", before, touchpoint=key, when=base + timedelta(hours=n), email=f"b{key}{n}@x.org")
                respond(s, "rnps", after, touchpoint=key, when=base + timedelta(days=30, hours=n),
                        email=f"a{key}{n}@x.org")
    agent, manager = auth(tokens["agent"]), auth(tokens["manager"])
    form = client.get("/initiatives/new?root_cause=keys", headers=agent)
    assert form.status_code == 200 and 'id="initiative-form"' in form.text and 'value="keys"' in form.text
    made = client.post("/initiatives", headers=agent, follow_redirects=False,
                       data={"origin": "root_cause", "origin_ref": "keys", "touchpoints": ["check-in"],
                             "expected_effect": "10"})
    assert made.status_code == 303, made.text
    page_url = made.headers["location"]
    page = client.get(page_url, headers=manager)
    assert "Remove the root cause: Key cards fail" in page.text and 'id="approve-button"' in page.text
    assert 'id="approve-button"' not in client.get(page_url, headers=agent).text
    assert client.post(f"{page_url}/approve", headers=manager, data={"note": "ok"},
                       follow_redirects=False).status_code == 303
    started = (date.today() - timedelta(days=20)).isoformat()
    assert client.post(f"{page_url}/status", headers=agent, data={"status": "in_progress", "started_on": started},
                       follow_redirects=False).status_code == 303
    done_on = (date.today() - timedelta(days=15)).isoformat()
    assert client.post(f"{page_url}/status", headers=agent, data={"status": "done", "done_on": done_on},
                       follow_redirects=False).status_code == 303
    refused = client.post(f"{page_url}/status", headers=agent, data={"status": "dropped"})
    assert refused.status_code == 409 and 'id="action-error"' in refused.text
    assert client.post(f"{page_url}/impact", headers=manager, follow_redirects=False).status_code == 303
    page = client.get(page_url, headers=manager).text
    assert 'id="impact-effect"' in page and "+200.0" in page and "Parallel trends" in page
    assert "observational" in page
    board = client.get("/initiatives", headers=auth(tokens["viewer"]))
    assert board.status_code == 200 and "Remove the root cause: Key cards fail" in board.text
    assert client.get("/initiatives/new", headers=auth(tokens["viewer"])).status_code == 403
    bad_dice = client.post(f"{page_url}/dice", headers=agent, data={"duration": "9"})
    assert bad_dice.status_code in (403, 409, 422)


def test_null_clears_links_and_text_instead_of_failing(client, tokens) -> None:
    item = _propose(client, tokens)
    assert item["links"]
    url = f"/api/v1/initiatives/{item['id']}"
    body = {"touchpoints": None, "themes": None, "root_causes": None, "problem": None, "cost": None}
    changed = client.patch(url, headers=auth(tokens["manager"]), json=body)
    assert changed.status_code == 200, changed.text
    assert changed.json()["links"] == [] and changed.json()["problem"] == ""
    assert client.patch(url, headers=auth(tokens["manager"]), json={"title": None}).status_code == 422
