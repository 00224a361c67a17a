"""Webhooks reach public addresses only (SSRF), never keep the target's answer, and keep secrets sealed."""

from __future__ import annotations

import socket

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import text

from centric.config import Settings
from centric.errors import Invalid
from centric.jobs import LocalWorker
from centric.store import alembic_config, upgrade
from centric.web.app import create_app
from centric.webhooks import service
from centric.webhooks.models import WebhookDelivery
from centric.webhooks.schemas import SubscriptionIn
from centric.webhooks.targets import UnsafeTarget
from tests.api.conftest import auth
from tests.webhooks.conftest import FAST, Receiver

STRICT = FAST.model_copy(update={"webhook_allowed_hosts": ""})
INSIDE = ["http://127.0.0.1:9/hook", "http://localhost/hook", "http://[::1]/hook", "http://10.1.2.3/hook",
          "http://192.168.0.10/hook", "http://172.16.5.4/hook", "http://169.254.169.254/latest/meta-data/",
          "http://[fe80::1]/hook", "http://[fd00::1]/hook", "http://[::ffff:127.0.0.1]/hook", "http://0.0.0.0/hook",
          "http://224.0.0.1/hook", "http://240.0.0.1/hook"]


@pytest.fixture
def dns(monkeypatch):
    """Names under ``.example.test`` resolve to the address a test sets (the DNS answer may change)."""
    answers: dict[str, str] = {}
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return answers


def _subscribe(db, url: str, settings: Settings = STRICT) -> int:
    with db.transaction() as s:
        return service.create_subscription(s, SubscriptionIn(url=url, events=["case.*"]), settings)[0].id


def _deliver(db, subscription_id: int, settings: Settings) -> WebhookDelivery:
    with db.transaction() as s:
        delivery_id = service.emit(s, "case.created", {"id": 1}, only_subscription=subscription_id)[0].id
    LocalWorker(db, settings).run_due()
    with db.reader() as s:
        delivery = s.get(WebhookDelivery, delivery_id)
        assert delivery is not None
        return delivery


@pytest.mark.parametrize("url", INSIDE)
def test_inside_addresses_are_refused_at_creation(sqlite_db, url):
    with pytest.raises(UnsafeTarget, match="webhooks only reach public addresses"), sqlite_db.transaction() as s:
        service.create_subscription(s, SubscriptionIn(url=url, events=["case.*"]), STRICT)
    with sqlite_db.reader() as s:
        assert service.list_subscriptions(s, include_inactive=True)[0] == []


def test_a_name_that_resolves_inside_is_refused_unless_allowed(db, dns):
    dns["metadata.example.test"] = "169.254.169.254"
    with pytest.raises(UnsafeTarget, match="169.254.169.254, a link-local address"), db.transaction() as s:
        service.create_subscription(s, SubscriptionIn(url="http://metadata.example.test/", events=["case.*"]), STRICT)
    allowed = STRICT.model_copy(update={"webhook_allowed_hosts": "other.example.test, METADATA.example.test"})
    assert _subscribe(db, "http://metadata.example.test/", allowed)


def test_the_api_answers_422_with_the_reason(db):
    settings = Settings(database_url=db.url, job_workers=0)
    with db.transaction() as s:
        from centric.accounts.service import create_token
        from tests.factories import make_user

        token = create_token(s, make_user(s, "admin"), "tests")[1]
    with TestClient(create_app(settings, db)) as client:
        answer = client.post("/api/v1/webhooks", headers=auth(token),
                             json={"url": "http://169.254.169.254/latest/meta-data/", "events": ["case.*"]})
        assert answer.status_code == 422
        assert "link-local address" in answer.text and "CENTRIC_WEBHOOK_ALLOWED_HOSTS" in answer.text


def test_delivery_checks_the_address_again(db, dns, receiver):
    """DNS rebinding: public at creation, inside at delivery — refused at once, nothing sent."""
    dns["hooks.example.test"] = "93.184.216.34"
    subscription_id = _subscribe(db, "http://hooks.example.test/hook")
    for inside, kind in (("169.254.169.254", "link-local"), ("10.0.0.5", "private"), ("127.0.0.1", "loopback")):
        dns["hooks.example.test"] = inside
        delivery = _deliver(db, subscription_id, STRICT)
        assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 1, None)
        assert delivery.last_error.startswith(f"refused: hooks.example.test resolves to {inside}, a {kind} address")
    # an allow-list entry removed later: the loopback receiver is refused at delivery too
    delivery = _deliver(db, _subscribe(db, receiver.url, FAST), STRICT)
    assert delivery.status == "failed" and "loopback" in delivery.last_error
    assert receiver.requests == []


def test_delivery_connects_to_the_checked_address_with_the_host_name(db, dns, receiver):
    port = receiver.url.split(":")[2].split("/")[0]
    dns["hooks.example.test"] = "127.0.0.1"
    allowed = FAST.model_copy(update={"webhook_allowed_hosts": "hooks.example.test"})
    subscription_id = _subscribe(db, f"http://hooks.example.test:{port}/hook?x=1", allowed)
    assert _deliver(db, subscription_id, allowed).status == "delivered"
    assert receiver.requests[0][0]["host"] == f"hooks.example.test:{port}"


def test_redirects_are_not_followed_and_answers_are_not_kept(db, receiver):
    second = Receiver()
    try:
        subscription_id = _subscribe(db, receiver.url, FAST)
        receiver.status, receiver.body = 302, b"internal: password=hunter2"
        for location in ("http://169.254.169.254/latest/meta-data/", second.url):
            receiver.location = location
            delivery = _deliver(db, subscription_id, FAST.model_copy(update={"job_max_attempts": 1}))
            assert (delivery.status, delivery.response_code) == ("failed", 302)
            assert delivery.last_error == "HTTP 302 Found: redirects are not followed"
        assert second.requests == [] and len(receiver.requests) == 2
        receiver.status, receiver.location = 500, None
        delivery = _deliver(db, subscription_id, FAST.model_copy(update={"job_max_attempts": 1}))
        assert delivery.last_error == "HTTP 500 Internal Server Error"
    finally:
        second.close()


def test_the_signing_secret_is_sealed_at_rest(db):
    with db.transaction() as s:
        subscription, secret = service.create_subscription(
            s, SubscriptionIn(url="http://127.0.0.1/other", events=["case.*"]), FAST)
        subscription_id = subscription.id
    with db.reader() as s:
        raw = s.execute(text("SELECT secret_sealed FROM webhook_subscription WHERE id = :id"),
                        {"id": subscription_id}).scalar()
        assert raw.startswith("aesgcm1:") and secret not in raw and secret.removeprefix("whsec_") not in raw
        assert service.secret_of(s, service.get_subscription(s, subscription_id), FAST) == secret
        other_key = FAST.model_copy(update={"secret_key": "another key"})
        with pytest.raises(ValueError, match="CENTRIC_SECRET_KEY"):
            service.secret_of(s, service.get_subscription(s, subscription_id), other_key)


def test_a_malformed_or_unresolvable_url_is_invalid(sqlite_db):
    for url in ("http://no-such-host.invalid/hook", "http://127.0.0.1:99999/hook"):
        with pytest.raises(Invalid), sqlite_db.transaction() as s:
            service.create_subscription(s, SubscriptionIn(url=url, events=["case.*"]), FAST)


def test_the_migration_seals_stored_secrets_and_drops_answer_bodies(db):
    with db.engine.begin() as connection:
        config = alembic_config(db.url)
        config.attributes["connection"] = connection
        command.downgrade(config, "0004_text")
        connection.execute(text("INSERT INTO webhook_subscription (id, url, events, secret, description, active, "
                                "created_at) VALUES (1, 'http://127.0.0.1/h', '[]', 'whsec_clear', '', true, "
                                "CURRENT_TIMESTAMP)"))
        connection.execute(text("INSERT INTO webhook_delivery (subscription_id, event, event_id, payload, status, "
                                "attempts, last_error, created_at) VALUES (1, 'ping', 'evt_1', '{}', 'failed', 1, "
                                "'HTTP 500: stack trace with password=hunter2', CURRENT_TIMESTAMP)"))
    upgrade(db)
    with db.reader() as s:
        raw = s.execute(text("SELECT secret_sealed FROM webhook_subscription")).scalar()
        assert raw.startswith("aesgcm1:") and "clear" not in raw
        assert service.secret_of(s, service.get_subscription(s, 1), FAST) == "whsec_clear"
        assert s.execute(text("SELECT last_error FROM webhook_delivery")).scalar() == "HTTP 500"
