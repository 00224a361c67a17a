"""The maturity API and pages: roles, validation naming the item, results, trend; the CX index API and page."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from centric.accounts.service import create_token
from centric.db import utcnow
from centric.governance.models import ScorecardView
from centric.mirror.maturity import ITEMS, VERSION
from centric.surveys.schemas import ResponseIn, SurveyIn
from centric.surveys.service import create_survey, submit_response
from tests.api.conftest import auth
from tests.factories import make_user
from tests.surveys.helpers import csrf_of, login


@pytest.fixture
def hr_token(db):
    with db.transaction() as s:
        return create_token(s, make_user(s, "hr"), "tests")[1]


def ratings(value: int = 3, **changes: int) -> list[dict]:
    return [{"item_key": i.key, "rating": changes.get(i.key.replace(".", "_"), value)} for i in ITEMS]


def test_roles(client, tokens, hr_token):
    body = {"title": "Q1", "ratings": ratings()}
    for role in ("viewer", "agent", "analyst"):
        assert client.get("/api/v1/mirror/maturity", headers=auth(tokens[role])).status_code == 403, role
        assert client.post("/api/v1/mirror/maturity", json=body, headers=auth(tokens[role])).status_code == 403
    assert client.post("/api/v1/mirror/maturity", json=body, headers=auth(hr_token)).status_code == 403
    created = client.post("/api/v1/mirror/maturity", json=body, headers=auth(tokens["manager"]))
    assert created.status_code == 201, created.text
    for token in (hr_token, tokens["admin"], tokens["manager"]):
        listed = client.get("/api/v1/mirror/maturity", headers=auth(token))
        assert listed.status_code == 200 and listed.json()["total"] == 1
        assert client.get(f"/api/v1/mirror/maturity/{created.json()['id']}", headers=auth(token)).status_code == 200
    assert client.get("/api/v1/mirror/maturity/999", headers=auth(hr_token)).status_code == 404


@pytest.mark.parametrize(("change", "named"), [
    (lambda r: r[0].update(rating=6), "lead.sponsor"),
    (lambda r: r[3].update(rating=0), ITEMS[3].key),
    (lambda r: r.append({"item_key": "lead.nonsense", "rating": 3}), "lead.nonsense"),
    (lambda r: r.append(dict(r[1])), ITEMS[1].key),
    (lambda r: r.pop(), ITEMS[-1].key),
])
def test_bad_ratings_are_refused_naming_the_item(client, tokens, change, named):
    body = ratings()
    change(body)
    answer = client.post("/api/v1/mirror/maturity", json={"ratings": body}, headers=auth(tokens["admin"]))
    assert answer.status_code == 422 and named in answer.text


def test_future_day_is_refused(client, tokens):
    tomorrow = (utcnow().date() + timedelta(days=2)).isoformat()
    answer = client.post("/api/v1/mirror/maturity", json={"taken_on": tomorrow, "ratings": ratings()},
                         headers=auth(tokens["admin"]))
    assert answer.status_code == 422 and "taken_on" in answer.text


def test_results_flags_next_steps_and_trend(client, tokens):
    # make_journey's three touchpoints all have an owner, none has a target: evidence 100% owned (stage 5)
    first = client.post("/api/v1/mirror/maturity", headers=auth(tokens["admin"]), json={
        "title": "Baseline", "taken_on": "2026-01-15", "ratings": ratings(2, activate_owners=1)}).json()
    second = client.post("/api/v1/mirror/maturity", headers=auth(tokens["admin"]), json={
        "title": "Later", "taken_on": (utcnow().date()).isoformat(),
        "ratings": ratings(2, respond_contact=4, respond_root_causes=4, respond_fix=5, activate_owners=4)}).json()
    assert first["version"] == VERSION and first["overall_stage"] == 2 and first["previous_id"] is None
    owners = next(i for i in first["ratings"] if i["key"] == "activate.owners")
    assert owners["evidence"]["stage"] == 5 and owners["disagrees"] is True  # rated 1, evidence 5
    assert next(i for i in second["ratings"] if i["key"] == "activate.owners")["disagrees"] is False  # 4 vs 5
    no_data = next(i for i in first["ratings"] if i["key"] == "lead.vision")
    assert no_data["evidence"] is None and no_data["disagrees"] is False
    assert first["disagreements"] >= 1
    respond = {c["key"]: c for c in second["competencies"]}["respond"]
    assert (respond["stage"], respond["previous_stage"], respond["change"]) == (4, 2, 2)
    assert respond["next_steps"] and second["previous_id"] == first["id"]
    activate = {c["key"]: c for c in second["competencies"]}["activate"]
    assert activate["change"] == 0  # lower median of (4, 2, 2) and of (1, 2, 2) is 2
    listed = client.get("/api/v1/mirror/maturity", headers=auth(tokens["admin"])).json()["items"]
    assert [a["id"] for a in listed] == [second["id"], first["id"]]
    assert listed[0]["stages"]["respond"] == 4 and listed[1]["stages"]["respond"] == 2


def test_pages_form_and_post(client, tokens):
    login(client, "manager@example.com")
    assert "No assessment yet" in client.get("/mirror/maturity").text
    form = client.get("/mirror/maturity/new")
    assert form.status_code == 200 and 'name="rating:lead.sponsor"' in form.text and "Evidence:" in form.text
    data = {"csrf": csrf_of(form.text), "title": "<b>Q1</b>", "taken_on": date.today().isoformat()}
    data |= {f"rating:{i.key}": "3" for i in ITEMS}
    data["rating:respond.fix"] = "9"
    refused = client.post("/mirror/maturity", data=data, follow_redirects=False)
    assert refused.status_code == 422 and "respond.fix" in refused.text and 'value="3" required checked' in refused.text
    data["rating:respond.fix"] = "4"
    saved = client.post("/mirror/maturity", data=data, follow_redirects=False)
    assert saved.status_code == 303
    page = client.get(saved.headers["location"])
    assert page.status_code == 200 and "&lt;b&gt;Q1&lt;/b&gt;" in page.text and "<b>Q1</b>" not in page.text
    assert 'data-competency="respond"' in page.text and "Mobilize" in page.text
    assert 'href="/mirror/maturity"' in page.text  # the nav link


def test_page_roles(client, tokens, db):
    with db.transaction() as s:
        make_user(s, "hr")
    login(client, "viewer@example.com")
    assert client.get("/mirror/maturity").status_code == 403
    assert 'href="/mirror/maturity"' not in client.get("/mirror/cx-index").text  # no nav link either
    client.cookies.clear()
    login(client, "hr@example.com")
    page = client.get("/mirror/maturity")
    assert page.status_code == 200 and 'href="/mirror/maturity"' in page.text  # reads, with the nav link
    assert "Take an assessment" not in page.text and client.get("/mirror/maturity/new").status_code == 403


def test_scorecard_views_are_logged_once_per_day(client, tokens, db):
    for _ in range(3):
        assert client.get("/api/v1/scorecards/me", headers=auth(tokens["manager"])).status_code == 200
    assert client.get("/api/v1/scorecards", headers=auth(tokens["viewer"])).status_code == 200
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(ScorecardView)) == 2


def cx_responses(db, n: int) -> None:
    with db.transaction() as s:
        create_survey(s, SurveyIn(key="cx", name="CX index", kind="nps", template="cx-index"))
        draw = random.Random(7)
        for i in range(n):
            needs, ease, enjoy = (draw.randint(1, 5) for _ in range(3))
            submit_response(s, ResponseIn(survey="cx", answers={"nps": min(10, 2 * ease), "cx_needs": needs,
                                                                "cx_ease": ease, "cx_enjoy": enjoy},
                                          customer={"email": f"c{i}@example.com"}))


def test_cx_index_api_and_page(client, tokens, db):
    cx_responses(db, 10)
    answer = client.get("/api/v1/mirror/cx-index", headers=auth(tokens["viewer"]))
    assert answer.status_code == 200, answer.text
    r = answer.json()
    assert r["estimated"] is False and [w["weight"] for w in r["weights"]] == pytest.approx([1 / 3] * 3)
    assert r["overall"]["n"] == 10 and r["n_weights"] == 10 and "equal weights" in r["method"]
    draw = random.Random(7)
    rows = [[draw.randint(1, 5) for _ in range(3)] for _ in range(10)]
    expected = sum(100 * sum(row[j] >= 4 for row in rows) / 10 for j in range(3)) / 3
    assert r["overall"]["index"] == pytest.approx(expected)
    assert sum(g["n"] for g in r["by_month"]) == 10
    assert client.get("/api/v1/mirror/cx-index?since=2026-02-01&until=2026-01-01",
                      headers=auth(tokens["viewer"])).status_code == 422
    login(client, "viewer@example.com")
    page = client.get("/mirror/cx-index")
    assert page.status_code == 200 and "Equal weights" in page.text and f"{expected:.1f}" in page.text


def test_cx_index_estimates_weights_with_enough_responses(client, tokens, db):
    cx_responses(db, 120)
    r = client.get("/api/v1/mirror/cx-index", headers=auth(tokens["admin"])).json()
    weights = {w["item"]: w["weight"] for w in r["weights"]}
    assert r["estimated"] is True and r["n_weights"] == 120, r["method"]
    assert max(weights, key=weights.get) == "cx_ease"  # the 0–10 answer was made from ease alone
