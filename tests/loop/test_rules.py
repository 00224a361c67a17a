"""The alert rules' condition language, and the rules API (validation messages, roles, retroactive runs)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from centric.accounts.models import AuditLog
from centric.config import Settings
from centric.db import utcnow
from centric.errors import Invalid
from centric.jobs.runner import LocalWorker
from centric.loop.rules import fields_used, groups_used, matches, validate
from tests.api.conftest import auth
from tests.factories import respond

RESPONSE = {"nps": 3.0, "nps_category": "detractor", "comment": "The Room was COLD", "survey": "rnps",
            "channel": "link", "answer.reason": "price", "segment": ["vip", "b2b"], "clv": 1200.0,
            "clv_band": "high", "risk_band": "medium", "attributes.plan": "Gold", "touchpoint": "check-in",
            "journey": "stay", "stage": "arrive"}
FEEDBACK = {"sentiment": -0.7, "sentiment_label": "negative", "theme": ["staff/rude", "rude"], "effort": 0.8,
            "emotion": ["anger"], "actionable": True, "language": "en", "channel": "email", "source": "zendesk",
            "rating": 1.0}


def leaf(field: str, op: str, value: Any) -> dict[str, Any]:
    return {"field": field, "op": op, "value": value}


@pytest.mark.parametrize(("condition", "expected"), [
    (leaf("nps", "lte", 6), True),
    (leaf("nps", "gt", 6), False),
    (leaf("nps", "eq", 3), True),
    (leaf("nps_category", "eq", "Detractor"), True),
    (leaf("nps_category", "in", ["promoter", "passive"]), False),
    (leaf("comment", "contains", "cold"), True),
    (leaf("comment", "contains", "warm"), False),
    (leaf("answer.reason", "in", ["price", "speed"]), True),
    (leaf("answer.missing", "exists", False), True),
    (leaf("csat", "lte", 2), False),  # absent: fails every operator but exists=false
    (leaf("csat", "ne", 2), False),
    (leaf("segment", "eq", "vip"), True),
    (leaf("segment", "not_in", ["vip"]), False),
    (leaf("clv", "gte", 1000), True),
    (leaf("churn_risk", "exists", True), False),
    (leaf("attributes.plan", "eq", "gold"), True),
    (leaf("stage", "ne", "arrive"), False),
    ({"all": [leaf("nps", "lte", 6), leaf("journey", "eq", "stay")]}, True),
    ({"all": [leaf("nps", "lte", 6), leaf("journey", "eq", "other")]}, False),
    ({"any": [leaf("nps", "gte", 9), {"all": [leaf("clv_band", "eq", "high"), leaf("survey", "eq", "rnps")]}]}, True),
    ({"any": [leaf("nps", "gte", 9), leaf("channel", "eq", "email")]}, False),
])
def test_response_conditions(condition: dict[str, Any], expected: bool) -> None:
    assert validate(condition, "response") is condition
    assert matches(condition, RESPONSE) is expected


@pytest.mark.parametrize(("condition", "expected"), [
    (leaf("sentiment", "lt", -0.5), True),
    (leaf("sentiment_label", "eq", "positive"), False),
    (leaf("theme", "eq", "staff/rude"), True),
    (leaf("theme", "contains", "staff"), True),
    (leaf("theme", "in", ["billing", "rude"]), True),
    (leaf("theme", "eq", "billing"), False),
    (leaf("effort", "gte", 0.5), True),
    (leaf("emotion", "eq", "anger"), True),
    (leaf("actionable", "eq", True), True),
    (leaf("actionable", "eq", False), False),
    (leaf("language", "in", ["de", "fr"]), False),
    (leaf("source", "eq", "zendesk"), True),
    (leaf("rating", "lte", 2), True),
])
def test_feedback_conditions(condition: dict[str, Any], expected: bool) -> None:
    validate(condition, "feedback")
    assert matches(condition, FEEDBACK) is expected


@pytest.mark.parametrize(("condition", "applies_to", "path", "words"), [
    ([], "response", "condition", "must be an object"),
    ({"all": []}, "response", "condition.all", "non-empty list"),
    ({"all": [leaf("nps", "lte", 6)], "any": []}, "response", "condition", "only the key"),
    ({"all": [leaf("nps", "lte", 6), {"any": [leaf("bogus", "eq", 1)]}]}, "response", "condition.all[1].any[0].field",
     "unknown field 'bogus'"),
    (leaf("theme", "eq", "x"), "response", "condition.field", "unknown field 'theme'"),
    (leaf("answer.q1", "eq", 1), "feedback", "condition.field", "unknown field"),
    (leaf("nps", "like", 6), "response", "condition.op", "unknown operator"),
    (leaf("nps", "contains", "6"), "response", "condition.op", "cannot be compared"),
    (leaf("actionable", "gt", 1), "feedback", "condition.op", "cannot be compared"),
    (leaf("nps", "lte", 11), "response", "condition.value", "between 0 and 10"),
    (leaf("nps", "lte", "six"), "response", "condition.value", "must be a number"),
    (leaf("nps_category", "eq", "angry"), "response", "condition.value", "promoter"),
    (leaf("nps", "in", [1, "x"]), "response", "condition.value[1]", "holds numbers"),
    (leaf("nps", "in", []), "response", "condition.value", "list of 1 to 500"),
    (leaf("segment", "exists", "yes"), "response", "condition.value", "true or false"),
    ({"field": "nps", "op": "lte"}, "response", "condition.value", "missing"),
    ({"field": "nps", "op": "lte", "value": 1, "note": 2}, "response", "condition", "unknown key 'note'"),
])
def test_validation_names_the_path(condition: Any, applies_to: str, path: str, words: str) -> None:
    with pytest.raises(Invalid) as raised:
        validate(condition, applies_to)
    assert raised.value.field == path
    assert words in raised.value.message


def test_depth_is_bounded() -> None:
    condition: dict[str, Any] = leaf("nps", "lte", 6)
    for _ in range(9):
        condition = {"all": [condition]}
    with pytest.raises(Invalid, match="nests deeper"):
        validate(condition, "response")


def test_fields_and_groups_used() -> None:
    condition = {"all": [leaf("nps", "lte", 6), {"any": [leaf("segment", "eq", "vip"), leaf("survey", "eq", "x")]}]}
    assert fields_used(condition) == {"nps", "segment", "survey"}
    assert groups_used("response", condition) == {"answers", "segments", "source"}


@given(st.floats(min_value=0, max_value=10), st.floats(min_value=0, max_value=10))
def test_not_in_is_the_negation_of_in_and_lte_of_gt(score: float, bound: float) -> None:
    facts = {"nps": score}
    assert matches(leaf("nps", "lte", bound), facts) is not matches(leaf("nps", "gt", bound), facts)
    assert matches(leaf("nps", "in", [bound]), facts) is not matches(leaf("nps", "not_in", [bound]), facts)
    both = {"any": [leaf("nps", "lt", bound), leaf("nps", "gte", bound)]}
    assert matches(both, facts)


# --- the API ---------------------------------------------------------------------------------

RULE = {"name": "Detractors", "condition": {"all": [leaf("nps", "lte", 6)]}, "severity": 3}


def test_create_read_edit_deactivate(client, tokens, db) -> None:  # type: ignore[no-untyped-def]
    created = client.post("/api/v1/alert-rules", json=RULE, headers=auth(tokens["manager"]))
    assert created.status_code == 201, created.text
    rule = created.json()
    assert (rule["version"], rule["active"], rule["matches"], rule["actions"]["open_case"]) == (1, True, 0, True)
    patched = client.patch(f"/api/v1/alert-rules/{rule['id']}", json={"severity": 4},
                           headers=auth(tokens["manager"])).json()
    assert (patched["severity"], patched["version"]) == (4, 2)
    with db.transaction() as s:
        respond(s, "rnps", 2)
    listed = client.get("/api/v1/alert-rules", headers=auth(tokens["agent"])).json()
    assert listed["total"] == 1 and (listed["items"][0]["matches"], listed["items"][0]["cases"]) == (1, 1)
    matches_page = client.get(f"/api/v1/alert-rules/{rule['id']}/matches", headers=auth(tokens["analyst"])).json()
    assert matches_page["total"] == 1 and matches_page["items"][0]["outcome"] == "case"
    gone = client.delete(f"/api/v1/alert-rules/{rule['id']}", headers=auth(tokens["manager"])).json()
    assert (gone["active"], gone["version"]) == (False, 3)
    with db.transaction() as s:
        respond(s, "rnps", 1, email="other@example.com")
    assert client.get(f"/api/v1/alert-rules/{rule['id']}", headers=auth(tokens["manager"])).json()["matches"] == 1
    with db.reader() as s:
        actions = s.scalars(select(AuditLog.action).where(AuditLog.entity == "alert_rule").order_by(AuditLog.id)).all()
    assert actions == ["alert_rule.create", "alert_rule.update", "alert_rule.deactivate"]


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"condition": {"all": [leaf("nps", "lte", 6), leaf("mood", "eq", "bad")]}}, "condition.all[1].field",
     "unknown field 'mood'"),
    ({"condition": {"any": [leaf("nps", "between", 6)]}}, "condition.any[0].op", "unknown operator"),
    ({"actions": {"open_case": False}}, "actions", "needs an action"),
    ({"actions": {"open_case": False, "notify": {"emails": ["not an address"]}}}, "actions.notify.emails[0]",
     "not an e-mail"),
    ({"actions": {"notify": {"user_ids": [999]}}}, "actions.notify.user_ids", "no user 999"),
    ({"followup": {"recovery_survey": "nope"}}, "followup.recovery_survey", "no survey"),
    ({"team_id": 999}, "team_id", "no team"),
    ({"severity": 7}, "severity", "less than or equal to 4"),
])
def test_bad_rules_are_422_naming_the_field(client, tokens, change, field, words) -> None:  # type: ignore[no-untyped-def]
    answer = client.post("/api/v1/alert-rules", json={**RULE, **change}, headers=auth(tokens["manager"]))
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field and words in answer.json()["detail"]


def test_roles(client, tokens) -> None:  # type: ignore[no-untyped-def]
    for role in ("viewer", "agent", "analyst"):
        assert client.post("/api/v1/alert-rules", json=RULE, headers=auth(tokens[role])).status_code == 403
    assert client.get("/api/v1/alert-rules", headers=auth(tokens["viewer"])).status_code == 403
    rule = client.post("/api/v1/alert-rules", json=RULE, headers=auth(tokens["admin"])).json()
    for path in ("preview", "apply"):
        answer = client.post(f"/api/v1/alert-rules/{rule['id']}/{path}", json={"since": "2020-01-01T00:00:00Z"},
                             headers=auth(tokens["agent"]))
        assert answer.status_code == 403
    assert client.patch(f"/api/v1/alert-rules/{rule['id']}", json={"severity": 1},
                        headers=auth(tokens["agent"])).status_code == 403
    assert client.get("/api/v1/alert-rules/999", headers=auth(tokens["agent"])).status_code == 404


def test_retroactive_preview_then_apply_twice(client, tokens, db, app) -> None:  # type: ignore[no-untyped-def]
    start = utcnow() - timedelta(days=10)
    with db.transaction() as s:
        for day, (email, score) in enumerate([("a@x.org", 2), ("a@x.org", 4), ("b@x.org", 9), ("c@x.org", 6)]):
            respond(s, "rnps", score, email=email, when=start + timedelta(days=day))
    rule = client.post("/api/v1/alert-rules", json=RULE, headers=auth(tokens["manager"])).json()
    period = {"since": (start - timedelta(hours=1)).isoformat() + "Z"}
    preview = client.post(f"/api/v1/alert-rules/{rule['id']}/preview", json=period, headers=auth(tokens["manager"]))
    assert preview.status_code == 200, preview.text
    assert {k: preview.json()[k] for k in ("scanned", "matching", "new_cases", "deduplicated")} == {
        "scanned": 4, "matching": 3, "new_cases": 2, "deduplicated": 1}
    worker = LocalWorker(db, Settings(database_url=db.url, job_workers=0))
    for _ in range(2):
        applied = client.post(f"/api/v1/alert-rules/{rule['id']}/apply", json=period, headers=auth(tokens["manager"]))
        assert applied.status_code == 202, applied.text
        worker.run_due(100)
        job = client.get(f"/api/v1/jobs/{applied.json()['job_id']}", headers=auth(tokens["admin"])).json()
        assert job["status"] == "done", job
        counts = client.get(f"/api/v1/alert-rules/{rule['id']}", headers=auth(tokens["manager"])).json()
        assert (counts["matches"], counts["cases"]) == (3, 2)
    backwards = client.post(f"/api/v1/alert-rules/{rule['id']}/preview",
                            json={"since": "2030-01-01T00:00:00Z", "until": "2020-01-01T00:00:00Z"},
                            headers=auth(tokens["manager"]))
    assert backwards.status_code == 422 and backwards.json()["field"] == "since"


# --- the rules page --------------------------------------------------------------------------


def test_rules_page_creates_previews_and_applies(client, tokens, db) -> None:  # type: ignore[no-untyped-def]
    manager = auth(tokens["manager"])
    with db.transaction() as s:
        respond(s, "rnps", 2, email="old@example.com", when=utcnow() - timedelta(days=3))
    page = client.get("/alert-rules?preset=ces", headers=manager)
    assert page.status_code == 200 and "High effort (CES ≥ 5)" in page.text and "&#34;ces&#34;" in page.text
    form = {"name": "<b>Detractors</b>", "applies_to": "response", "severity": "3", "dedupe_hours": "72",
            "open_case": "true", "condition": '{"all": [{"field": "nps", "op": "lte", "value": 6}]}'}
    bad = client.post("/alert-rules", data={**form, "condition": '{"all": [{"field": "mood"'}, headers=manager)
    assert bad.status_code == 422 and "condition: is not JSON" in bad.text
    too_high = '{"any": [{"field": "nps", "op": "lte", "value": 60}]}'
    bad = client.post("/alert-rules", data={**form, "condition": too_high}, headers=manager)
    assert bad.status_code == 422 and "condition.any[0].value" in bad.text
    created = client.post("/alert-rules", data=form, headers=manager, follow_redirects=False)
    assert created.status_code == 303, created.text
    page = client.get("/alert-rules", headers=manager).text
    assert "&lt;b&gt;Detractors&lt;/b&gt;" in page and "<b>Detractors</b>" not in page
    [rule_id] = [r["id"] for r in client.get("/api/v1/alert-rules", headers=manager).json()["items"]]
    preview = client.get(f"/alert-rules/{rule_id}/preview?days=7", headers=manager)
    assert preview.status_code == 200 and "<strong>1</strong> of 1 would match" in preview.text
    applied = client.post(f"/alert-rules/{rule_id}/apply", data={"days": "7"}, headers=manager, follow_redirects=False)
    assert applied.status_code == 303 and "/alert-rules?applied=" in applied.headers["location"]
    assert client.get("/alert-rules", headers=auth(tokens["viewer"])).status_code == 403
    agent_page = client.get("/alert-rules", headers=auth(tokens["agent"]))
    assert agent_page.status_code == 200 and "Create rule" not in agent_page.text
    assert client.post("/alert-rules", data=form, headers=auth(tokens["agent"])).status_code == 403
