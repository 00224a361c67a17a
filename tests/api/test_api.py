"""The JSON API through HTTP: authentication, roles, validation, idempotency, limits."""

from __future__ import annotations

import re

import pytest

from tests.api.conftest import auth

RESPONSE = {"survey": "rnps", "answers": {"nps": 4, "comment": "Slow check-in"},
            "customer": {"email": "ann@example.com"}, "touchpoint": "check-in"}


def test_every_api_route_needs_authentication(client, app):
    checked = 0
    for path, operations in app.openapi()["paths"].items():
        if not path.startswith("/api/v1") or "/inbound" in path or path == "/api/v1/chat/conversations":
            continue  # inbound webhooks sign their calls; anyone may start a chat (then its token guards it)
        url = (re.sub(r"\{[^}]+\}", "1", path)
               .replace("/metrics/1", "/metrics/nps").replace("/import/1", "/import/responses"))
        for method in operations:
            answer = client.request(method.upper(), url)
            # a chat's own routes check its X-Chat-Token after the body (tests/chat/test_api.py: tokens)
            allowed = (401, 422) if path.startswith("/api/v1/chat/conversations/") else (401,)
            assert answer.status_code in allowed, (method, url, answer.status_code)
            checked += 1
    assert checked >= 20


def test_bad_token_is_401(client, tokens):
    assert client.get("/api/v1/me", headers=auth("ctc_wrong")).status_code == 401


def test_roles_are_enforced(client, tokens):
    assert client.post("/api/v1/responses", json=RESPONSE, headers=auth(tokens["viewer"])).status_code == 403
    assert client.get("/api/v1/customers", headers=auth(tokens["viewer"])).status_code == 403
    assert client.get("/api/v1/metrics/nps", headers=auth(tokens["viewer"])).status_code == 200
    assert client.get("/api/v1/users", headers=auth(tokens["manager"])).status_code == 403
    assert client.get("/api/v1/users", headers=auth(tokens["admin"])).status_code == 200
    segment = {"key": "vip", "name": "VIP", "rule": [{"attribute": "tier", "op": "eq", "value": "gold"}]}
    assert client.post("/api/v1/segments", json=segment, headers=auth(tokens["agent"])).status_code == 403
    assert client.post("/api/v1/segments", json=segment, headers=auth(tokens["manager"])).status_code == 201


def test_submit_then_measure(client, tokens):
    answer = client.post("/api/v1/responses", json=RESPONSE, headers=auth(tokens["agent"]))
    assert answer.status_code == 201, answer.text
    nps = client.get("/api/v1/metrics/nps?by=touchpoint", headers=auth(tokens["viewer"])).json()
    assert nps["rows"][0]["group"] == "Check-in" and nps["rows"][0]["value"] == -100.0
    customer_id = answer.json()["customer_id"]
    items = client.get(f"/api/v1/customers/{customer_id}/timeline", headers=auth(tokens["analyst"])).json()["items"]
    assert items[0]["kind"] == "response" and items[0]["text"] == "Slow check-in"


@pytest.mark.parametrize(("body", "field"), [
    ({**RESPONSE, "answers": {"nps": 11}}, "nps"),
    ({**RESPONSE, "answers": {"nps": "ten"}}, "nps"),
    ({**RESPONSE, "survey": "unknown"}, "survey"),
    ({**RESPONSE, "touchpoint": "spa"}, "touchpoint"),
    ({**RESPONSE, "answers": {"nps": 5, "comment": "x" * 6000}}, "comment"),
    ({**RESPONSE, "answers": {"nps": 5, "colour": "red"}}, "colour"),
    ({**RESPONSE, "customer": {"email": "nope"}}, "email"),
    ({**RESPONSE, "extra": 1}, "extra"),
])
def test_bad_input_gets_a_clear_4xx(client, tokens, body, field):
    answer = client.post("/api/v1/responses", json=body, headers=auth(tokens["agent"]))
    assert 400 <= answer.status_code < 500, answer.text
    assert field in (answer.json().get("field") or "") or field in answer.json()["detail"]


def test_malformed_json_and_wrong_types(client, tokens):
    headers = {**auth(tokens["agent"]), "Content-Type": "application/json"}
    answer = client.post("/api/v1/responses", content=b'{"survey": "rnps", "answers": ', headers=headers)
    assert answer.status_code == 422 and "JSON" in answer.json()["detail"]
    answer = client.post("/api/v1/events", json={"customer": {"email": "a@b.co"}, "kind": "purchase",
                                                 "occurred_at": "yesterday"}, headers=auth(tokens["agent"]))
    assert answer.status_code == 422 and answer.json()["field"] == "occurred_at"


def test_idempotency_key_replays_the_first_answer(client, tokens):
    headers = {**auth(tokens["agent"]), "Idempotency-Key": "abc-123"}
    first = client.post("/api/v1/feedback", json={"text": "App keeps crashing", "channel": "review"}, headers=headers)
    again = client.post("/api/v1/feedback", json={"text": "App keeps crashing", "channel": "review"}, headers=headers)
    assert first.status_code == 201 and again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again.headers["Idempotent-Replayed"] == "true"
    other = client.post("/api/v1/feedback", json={"text": "Different", "channel": "review"}, headers=headers)
    assert other.status_code == 409
    listed = client.get("/api/v1/feedback", headers=auth(tokens["analyst"])).json()
    assert listed["total"] == 1 and len(listed["items"]) == 1
    assert (listed["limit"], listed["offset"]) == (50, 0)


def test_oversized_body_is_413(client, tokens):
    big = {"text": "x" * 300_000, "channel": "review"}
    assert client.post("/api/v1/feedback", json=big, headers=auth(tokens["agent"])).status_code == 413


def test_import_endpoint_reports_rows(client, tokens):
    csv = "external_id,survey,email,nps\nq1,rnps,a@b.co,9\nq2,rnps,c@d.co,99\n"
    answer = client.post("/api/v1/import/responses", files={"file": ("r.csv", csv, "text/csv")},
                         headers=auth(tokens["analyst"]))
    assert answer.status_code == 200
    body = answer.json()
    assert body["created"] == 1 and body["errors"][0]["line"] == 3 and body["errors"][0]["field"] == "nps"


def test_openapi_document(client):
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/responses" in spec["paths"] and "/api/v1/metrics/{kind}" in spec["paths"]
