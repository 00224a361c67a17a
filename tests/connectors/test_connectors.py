"""Inbound feedback webhooks and mapped imports: every item becomes one feedback item."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from centric.cli.main import app as cli
from centric.connectors import service
from centric.connectors.mapping import apply
from centric.connectors.schemas import ConnectorIn
from centric.customers.service import find_by_identity
from centric.feedback.models import Feedback
from centric.webhooks.signature import signature_header
from tests.api.conftest import auth
from tests.factories import make_journey

HELPDESK = {
    "text": ["/ticket/description", "ticket.subject"],
    "external_id": "ticket.id",
    "occurred_at": "ticket.solved_at",
    "rating": "ticket.satisfaction.score",
    "customer.email": "ticket.requester.email",
    "customer.name": "ticket.requester.name",
    "customer.attributes.plan": "ticket.org.plan",
    "touchpoint": {"path": "ticket.group", "map": {"Front desk": "check-in"}, "default": "check-out"},
    "channel": {"const": "ticket"},
}


def ticket(n: int, **extra) -> dict:  # type: ignore[no-untyped-def]
    return {"ticket": {"id": n, "description": f"Ticket {n}: the room was cold", "solved_at": "2026-11-01T10:00:00Z",
                       "satisfaction": {"score": 2}, "group": "Front desk",
                       "requester": {"email": "Ann@Example.com", "name": "Ann"}, "org": {"plan": "gold"}, **extra}}


def test_mapping_reads_pointers_paths_fallbacks_maps_and_constants():
    record = {"a": {"b": [{"c": "x"}]}, "flat.col": "f", "s": "", "t": "Billing"}
    mapping = {"text": ["s", "/a/b/0/c"], "external_id": "flat.col",
               "touchpoint": {"path": "t", "map": {"Billing": "tp"}},
               "channel": {"const": "chat"}, "customer.email": "missing.path"}
    assert apply(mapping, record) == {"text": "x", "external_id": "f", "touchpoint": "tp", "channel": "chat"}


def test_inbound_items_become_feedback_once_with_identity_and_touchpoint(client, tokens, db):
    made = client.post("/api/v1/connectors", headers=auth(tokens["manager"]), json={
        "key": "helpdesk", "name": "Helpdesk", "mapping": HELPDESK})
    assert made.status_code == 201, made.text
    secret, url = made.json()["secret"], "/api/v1/connectors/helpdesk/inbound"
    assert made.json()["inbound_url"].endswith(url)
    bearer = {"Authorization": f"Bearer {secret}"}
    first = client.post(url, headers=bearer, json=ticket(1))
    assert first.status_code == 201 and first.json()["created"] == 1, first.text
    again = client.post(url + f"?token={secret}", json=[ticket(1), ticket(2, subject="x")])
    assert again.status_code == 201 and (again.json()["created"], again.json()["skipped"]) == (1, 1)
    assert client.post(url, json=ticket(3)).status_code == 401
    assert client.post(url, headers={"X-Centric-Token": "cin_wrong"}, json=ticket(3)).status_code == 401
    assert client.post(url, headers=auth(tokens["admin"]), json=ticket(3)).status_code == 401  # a user token is not it
    assert client.post(url, headers=bearer, content=b"{not json").status_code == 422
    bad = client.post(url, headers=bearer, json={"ticket": {"id": 9}})
    assert bad.status_code == 422 and "text" in bad.json()["detail"]
    mixed = client.post(url, headers=bearer, json=[ticket(4), {"ticket": {"id": 5}}, ticket(6, group="Nowhere")])
    assert mixed.status_code == 201 and mixed.json()["failed"] == 1 and mixed.json()["errors"][0]["index"] == 1
    with db.reader() as s:
        items = s.query(Feedback).order_by(Feedback.id).all()
        ann = find_by_identity(s, "email", "ann@example.com")
    assert [f.external_id for f in items] == ["1", "2", "4", "6"]
    assert {f.customer_id for f in items} == {ann.id} and ann.attributes["plan"] == "gold"
    assert items[0].channel == "ticket" and items[0].source == "helpdesk" and items[0].rating == 2
    assert items[0].touchpoint_id != items[3].touchpoint_id  # mapped group vs default touchpoint
    assert client.post("/api/v1/connectors/nope/inbound", headers=bearer, json=ticket(1)).status_code == 404
    assert client.post("/api/v1/connectors", headers=auth(tokens["agent"]), json={
        "key": "x", "name": "x", "mapping": HELPDESK}).status_code == 403
    assert client.post("/api/v1/connectors", headers=auth(tokens["admin"]), json={
        "key": "y", "name": "y", "mapping": {"body": "x"}}).status_code == 422
    assert client.post("/api/v1/connectors", headers=auth(tokens["admin"]), json={
        "key": "helpdesk", "name": "again", "mapping": HELPDESK}).status_code == 409


def test_hmac_connectors_check_the_signature(client, tokens):
    made = client.post("/api/v1/connectors", headers=auth(tokens["admin"]), json={
        "key": "reviews", "name": "Reviews", "auth": "hmac", "channel": "review", "items_path": "data",
        "mapping": {"text": "body", "external_id": "review_id", "rating": "stars", "customer.social": "author"}})
    secret = made.json()["secret"]
    body = json.dumps({"data": [{"review_id": "r1", "body": "Lovely pool", "stars": 5, "author": "@ann"}]}).encode()
    url = "/api/v1/connectors/reviews/inbound"
    signed = client.post(url, content=body, headers={"X-Centric-Signature": signature_header(secret, body),
                                                     "Content-Type": "application/json"})
    assert signed.status_code == 201 and signed.json()["created"] == 1
    forged = client.post(url, content=body, headers={"X-Centric-Signature": signature_header("other", body)})
    assert forged.status_code == 401
    stale = client.post(url, content=body, headers={"X-Centric-Signature": signature_header(secret, body, 1000)})
    assert stale.status_code == 401


def test_saved_mapping_imports_csv_and_jsonl_idempotently(sqlite_db, tmp_path):
    with sqlite_db.transaction() as s:
        make_journey(s)
        service.create_connector(s, ConnectorIn(key="chat", name="Chat tool", channel="chat", mapping={
            "text": "message", "external_id": "chat_id", "customer.email": "email", "occurred_at": "ended"}))
    csv_file = tmp_path / "chats.csv"
    csv_file.write_text("chat_id,message,email,ended\nc1,Quick answer,a@example.com,2026-10-01T09:00:00\n"
                        "c2,,b@example.com,2026-10-01T09:00:00\nc3,Slow,b@example.com,not a date\n")
    jsonl = tmp_path / "chats.jsonl"
    jsonl.write_text('{"chat_id": "c1", "message": "Quick answer"}\n{"chat_id": "c4", "message": "Hi"}\n{oops\n')
    runner, url = CliRunner(), ["--database-url", sqlite_db.url]
    first = runner.invoke(cli, [*url, "connectors", "import", "chat", str(csv_file)])
    assert first.exit_code == 1
    assert "1 created, 0 already stored, 2 rejected" in first.output
    assert f"{csv_file}:3: field text:" in first.output and f"{csv_file}:4: field occurred_at" in first.output
    second = runner.invoke(cli, [*url, "connectors", "import", "chat", str(jsonl), "--json"])
    report = json.loads(second.stdout)
    assert (report["created"], report["skipped"], report["failed"]) == (1, 1, 1)
    unknown = runner.invoke(cli, [*url, "connectors", "import", "nope", str(jsonl)])
    assert unknown.exit_code == 2 and "unknown connector" in unknown.output
    with sqlite_db.reader() as s:
        assert s.query(Feedback).filter_by(source="chat", channel="chat").count() == 2
