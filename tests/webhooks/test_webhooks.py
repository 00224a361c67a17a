"""Outbound webhooks against a real local HTTP server: signatures, retries, the delivery log."""

from __future__ import annotations

import json
import threading

import pytest

from centric.jobs import LocalWorker
from centric.webhooks import service
from centric.webhooks.models import WebhookDelivery
from centric.webhooks.schemas import SubscriptionIn
from centric.webhooks.signature import verify_header
from tests.webhooks.conftest import FAST


def test_events_are_signed_delivered_and_logged(db, receiver):
    with db.transaction() as s:
        subscription, secret = service.create_subscription(s, SubscriptionIn(
            url=receiver.url, events=["response.created", "case.*"]), FAST)
        service.emit(s, "response.created", {"id": 7, "survey": "rnps", "answers": {"nps": 9}})
        service.emit(s, "case.closed", {"id": 3})
        assert service.emit(s, "feedback.created", {"id": 1}) == []  # not subscribed
    with pytest.raises(RuntimeError), db.transaction() as s:
        service.emit(s, "case.created", {"id": 4})
        raise RuntimeError("rolled back: nothing may be sent")
    assert LocalWorker(db, FAST).run_due() == 2
    assert len(receiver.requests) == 2
    events = []
    for headers, body in receiver.requests:
        assert verify_header(secret, body, headers["x-centric-signature"])
        assert not verify_header("whsec_wrong", body, headers["x-centric-signature"])
        envelope = json.loads(body)
        assert envelope["id"] == headers["x-centric-delivery"] and envelope["event"] == headers["x-centric-event"]
        events.append((envelope["event"], envelope["data"]["id"]))
    assert sorted(events) == [("case.closed", 3), ("response.created", 7)]
    with db.reader() as s:
        log = service.list_deliveries(s, subscription_id=subscription.id)
    assert [(d.status, d.attempts, d.response_code) for d in log] == [("delivered", 1, 204)] * 2


def test_a_target_that_is_down_is_retried_then_failed_then_redelivered(sqlite_db, receiver):
    db = sqlite_db
    receiver.status = 503
    with db.transaction() as s:
        service.create_subscription(s, SubscriptionIn(url=receiver.url, events=["feedback.*"]), FAST)
        delivery_id = service.emit(s, "feedback.created", {"id": 1})[0].id
    done = threading.Event()
    worker = LocalWorker(db, FAST, on_outcome=lambda _, outcome: outcome == "failed" and done.set()).start()
    try:
        assert done.wait(15)
    finally:
        worker.stop()
    with db.reader() as s:
        delivery = s.get(WebhookDelivery, delivery_id)
        assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 3, 503)
        assert delivery.last_error == "HTTP 503 Service Unavailable"  # never the body
    bodies = {body for _, body in receiver.requests}
    assert len(receiver.requests) == 3 and len(bodies) == 1  # the same body every time
    receiver.status = 200
    with db.transaction() as s:
        service.redeliver(s, delivery_id)
    LocalWorker(db, FAST).run_due()
    with db.reader() as s:
        assert s.get(WebhookDelivery, delivery_id).status == "delivered"


def test_an_unreachable_target_is_logged(sqlite_db):
    with sqlite_db.transaction() as s:
        service.create_subscription(s, SubscriptionIn(url="http://127.0.0.1:9/nothing", events=["case.*"]), FAST)
        delivery_id = service.emit(s, "case.created", {"id": 1})[0].id
    LocalWorker(sqlite_db, FAST.model_copy(update={"job_max_attempts": 1})).run_due()
    with sqlite_db.reader() as s:
        delivery = s.get(WebhookDelivery, delivery_id)
    assert delivery.status == "failed" and delivery.response_code is None and "ConnectError" in delivery.last_error


def test_webhook_api(client, tokens, receiver):
    from tests.api.conftest import auth

    admin = auth(tokens["admin"])
    made = client.post("/api/v1/webhooks", headers=admin, json={"url": receiver.url, "events": ["case.*"]})
    assert made.status_code == 201 and made.json()["secret"].startswith("whsec_")
    listed = client.get("/api/v1/webhooks", headers=admin).json()["items"]
    assert listed[0]["id"] == made.json()["id"] and "secret" not in listed[0]
    assert client.post("/api/v1/webhooks", headers=auth(tokens["analyst"]),
                       json={"url": receiver.url, "events": ["case.*"]}).status_code == 403
    for bad in ({"url": "ftp://x.example.com", "events": ["case.*"]}, {"url": receiver.url, "events": ["bogus"]},
                {"url": receiver.url, "events": []}):
        assert client.post("/api/v1/webhooks", headers=admin, json=bad).status_code == 422
    ping = client.post(f"/api/v1/webhooks/{made.json()['id']}/ping", headers=admin)
    assert ping.status_code == 202 and ping.json()["status"] == "pending"
    deliveries = client.get("/api/v1/webhooks/deliveries?status=pending", headers=admin).json()["items"]
    assert deliveries[0]["event"] == "ping"
    assert client.post(f"/api/v1/webhooks/deliveries/{deliveries[0]['id']}/retry", headers=admin).status_code == 409
    assert client.delete("/api/v1/webhooks/999", headers=admin).status_code == 404
    assert client.delete(f"/api/v1/webhooks/{made.json()['id']}", headers=admin).status_code == 204


def test_response_created_is_sent_once_from_the_api_and_from_respondent_pages(client, tokens, db, receiver):
    """Both submission paths announce a response once; partial pages and retries announce nothing."""
    from tests.api.conftest import auth
    from tests.surveys.helpers import form_token

    with db.transaction() as s:
        service.create_subscription(s, SubscriptionIn(url=receiver.url, events=["response.created"]), FAST)
    body = {"survey": "rnps", "answers": {"nps": 9}, "customer": {"email": "ann@example.com"}, "external_id": "api-1"}
    for _ in range(2):  # a client retry with the same external_id stores and announces nothing new
        assert client.post("/api/v1/responses", headers=auth(tokens["agent"]), json=body).status_code in (200, 201)
    survey_key = "two-pages"
    with db.transaction() as s:
        from centric.surveys.schemas import SurveyIn
        from centric.surveys.service import create_survey

        create_survey(s, SurveyIn(key=survey_key, name="Two pages", questions=[
            {"key": "nps", "type": "nps", "required": True},
            {"key": "why", "type": "text", "show_if": {"question": "nps", "op": "lte", "value": 6}}]))
    first = client.post(f"/s/{survey_key}", data={"f": form_token(client.get(f"/s/{survey_key}").text), "nps": "3"},
                        follow_redirects=False)
    assert first.status_code == 303 and "/thanks" not in first.headers["location"]  # a partial response so far
    with db.reader() as s:
        assert [d.event for d in service.list_deliveries(s)] == ["response.created"]  # the API's only
    second_page = form_token(client.get(first.headers["location"]).text)
    for _ in range(2):  # the last page, sent twice (double click): one completion, one event
        done = client.post(f"/s/{survey_key}", data={"f": second_page, "why": "Slow <b>check-in</b>"},
                           follow_redirects=False)
        assert "/thanks" in done.headers["location"]
    assert LocalWorker(db, FAST).run_due() == 3  # two deliveries and the comment's text enrichment
    envelopes = sorted((json.loads(body) for _, body in receiver.requests), key=lambda e: e["data"]["survey"])
    assert [e["event"] for e in envelopes] == ["response.created"] * 2
    assert envelopes[0]["data"]["survey"] == "rnps" and envelopes[0]["data"]["answers"] == {"nps": 9}
    assert envelopes[1]["data"]["survey"] == survey_key
    assert envelopes[1]["data"]["answers"] == {"nps": 3, "why": "Slow <b>check-in</b>"}
    assert envelopes[0]["data"]["customer_id"] is not None and envelopes[1]["data"]["customer_id"] is None
