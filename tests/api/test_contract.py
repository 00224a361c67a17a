"""The API keeps its OpenAPI promises: UTC timestamps with ``Z``, ISO-8601 inputs only, one
problem-details body for every error, and deactivated objects that stay as they were."""

from __future__ import annotations

from sqlalchemy import select

from centric.accounts.models import ApiToken, AuditLog
from centric.webhooks.models import WebhookDelivery
from tests.api.conftest import auth

PROBLEM_KEYS = {"type", "title", "status", "detail", "field"}


def test_timestamps_are_returned_in_utc_with_z_and_offsets_are_converted(client, tokens):
    headers = auth(tokens["admin"])
    made = client.post("/api/v1/feedback", headers=headers,
                       json={"text": "Late parcel", "occurred_at": "2026-01-10T12:30:00+02:00"})
    assert made.status_code == 201, made.text
    assert made.json()["occurred_at"] == "2026-01-10T10:30:00Z"
    naive = client.post("/api/v1/feedback", headers=headers,
                        json={"text": "Kind staff", "occurred_at": "2026-01-10T12:30:00"})
    assert naive.json()["occurred_at"] == "2026-01-10T12:30:00Z"  # no offset: taken as UTC
    listed = client.get("/api/v1/tokens", headers=headers).json()["items"]
    assert listed and all(token["created_at"].endswith("Z") for token in listed)


def test_a_number_is_not_a_timestamp(client, tokens):
    headers = auth(tokens["admin"])
    for moment in (0, 1_700_000_000, "1700000000", True):
        answer = client.post("/api/v1/feedback", headers=headers, json={"text": "Odd time", "occurred_at": moment})
        assert answer.status_code == 422, (moment, answer.text)
        assert answer.json()["field"] == "occurred_at"
    event = {"customer": {"external_id": "c-1"}, "kind": "purchase", "occurred_at": 0}
    assert client.post("/api/v1/events", headers=headers, json=event).status_code == 422


def test_every_error_is_one_problem_shape(client, tokens):
    unauthenticated = client.get("/api/v1/tokens")
    wrong_method = client.get("/api/v1/webhooks/deliveries/999999/retry", headers=auth(tokens["admin"]))
    unknown = client.post("/api/v1/webhooks/999999/ping", headers=auth(tokens["admin"]))
    invalid = client.post("/api/v1/feedback", headers=auth(tokens["admin"]), json={"text": ""})
    forbidden = client.post("/api/v1/webhooks", headers=auth(tokens["viewer"]),
                            json={"url": "https://hooks.example.com/x", "events": ["case.*"]})
    expected = ((unauthenticated, 401), (wrong_method, 405), (unknown, 404), (invalid, 422), (forbidden, 403))
    for answer, status in expected:
        body = answer.json()
        assert answer.status_code == status and body["status"] == status, answer.text
        assert PROBLEM_KEYS <= body.keys() and body["type"] == "about:blank" and body["title"] and body["detail"]
        assert answer.headers["content-type"] == "application/json"
    assert invalid.json()["field"] == "text" and invalid.json()["errors"][0]["field"] == "text"


def test_the_openapi_document_declares_the_problems_and_timestamp_formats(client):
    document = client.get("/api/openapi.json").json()
    problem = {"$ref": "#/components/schemas/Problem"}
    operations = [op for path, item in document["paths"].items() if path.startswith("/api/v1/") for op in item.values()]
    assert len(operations) > 50
    for operation in operations:
        for status in ("401", "403", "404", "409", "413", "422", "500"):
            assert operation["responses"][status]["content"]["application/json"]["schema"] == problem
    schemas = document["components"]["schemas"]
    assert set(schemas["Problem"]["required"]) == {"title", "status", "detail"}
    assert schemas["FeedbackOut"]["properties"]["occurred_at"] == {"type": "string", "format": "date-time",
                                                                   "title": "Occurred At"}


def test_a_deactivated_connector_cannot_be_changed(client, tokens):
    headers = auth(tokens["admin"])
    made = client.post("/api/v1/connectors", headers=headers,
                       json={"key": "desk", "name": "Desk", "mapping": {"text": "body"}})
    assert made.status_code == 201, made.text
    assert client.delete("/api/v1/connectors/desk", headers=headers).status_code == 204
    mapping = client.put("/api/v1/connectors/desk/mapping", headers=headers, json={"mapping": {"text": "other"}})
    secret = client.post("/api/v1/connectors/desk/secret", headers=headers)
    for answer in (mapping, secret):
        assert answer.status_code == 409 and "deactivated" in answer.json()["detail"], answer.text
    assert client.get("/api/v1/connectors/desk", headers=headers).json()["mapping"] == {"text": "body"}
    assert client.delete("/api/v1/connectors/desk", headers=headers).status_code == 204  # idempotent


def test_a_deactivated_webhook_sends_nothing_again(client, tokens, db):
    headers = auth(tokens["admin"])
    made = client.post("/api/v1/webhooks", headers=headers,
                       json={"url": "http://127.0.0.1:9/x", "events": ["*"]})
    subscription = made.json()["id"]
    delivery = client.post(f"/api/v1/webhooks/{subscription}/ping", headers=headers).json()["id"]
    with db.transaction() as s:
        s.get(WebhookDelivery, delivery).status = "failed"
    assert client.delete(f"/api/v1/webhooks/{subscription}", headers=headers).status_code == 204
    retry = client.post(f"/api/v1/webhooks/deliveries/{delivery}/retry", headers=headers)
    ping = client.post(f"/api/v1/webhooks/{subscription}/ping", headers=headers)
    for answer in (retry, ping):
        assert answer.status_code == 409 and "deactivated" in answer.json()["detail"], answer.text
    with db.transaction() as s:
        assert s.get(WebhookDelivery, delivery).status == "failed"


def test_a_revoked_token_keeps_its_revocation(client, tokens, db):
    headers = auth(tokens["admin"])
    spare = client.post("/api/v1/tokens", headers=headers, json={"name": "spare"}).json()["id"]
    assert client.delete(f"/api/v1/tokens/{spare}", headers=headers).status_code == 204
    with db.transaction() as s:
        first = s.scalar(select(ApiToken.revoked_at).where(ApiToken.id == spare))
    assert client.delete(f"/api/v1/tokens/{spare}", headers=headers).status_code == 204
    with db.transaction() as s:
        assert s.scalar(select(ApiToken.revoked_at).where(ApiToken.id == spare)) == first


def test_a_blank_theme_name_is_refused_and_the_taxonomy_still_exports(client, tokens):
    headers = auth(tokens["admin"])
    assert client.post("/api/v1/themes", headers=headers, json={"name": "  "}).status_code == 422
    exported = client.get("/api/v1/themes/export", headers=headers)
    assert exported.status_code == 200 and exported.headers["content-type"] == "application/json"


def test_a_deactivated_contact_rule_stays_as_it_was(client, tokens, db):
    headers = auth(tokens["admin"])
    rule = client.post("/api/v1/outreach/contact-rules", headers=headers,
                       json={"name": "VIP calm", "max_contacts": 1, "window_days": 60}).json()["id"]
    for _ in range(2):
        assert client.delete(f"/api/v1/outreach/contact-rules/{rule}", headers=headers).status_code == 204
    with db.transaction() as s:
        logged = s.scalars(select(AuditLog.action).where(AuditLog.entity == "contact_rule")).all()
    assert sorted(logged) == ["contact_rule.create", "contact_rule.deactivate"]
