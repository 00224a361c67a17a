"""Erasure erases: a marker planted through every path a customer's data travels is gone
from every text and JSON column of every table afterwards — on both backends."""

from __future__ import annotations

import secrets

from sqlalchemy import JSON, String, Text, cast, func, select

import centric.models  # noqa: F401  (every table in the metadata)
from centric.db import Base, Database
from centric.jobs.service import enqueue
from centric.themes.models import ThemeProposal
from tests.api.conftest import auth


def _hits(db: Database, needle: str) -> list[str]:
    """``table.column`` of every text or JSON cell that contains ``needle``."""
    found = []
    with db.reader() as s:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if not isinstance(column.type, String | Text | JSON):
                    continue
                text = cast(column, Text) if isinstance(column.type, JSON) else column
                count = s.scalar(select(func.count()).select_from(table).where(text.contains(needle)))
                if count:
                    found.append(f"{table.name}.{column.name}")
    return found


def _plant(client, tokens, db, marker: str, phone: str) -> int:
    """The customer's data, sent the way production receives it."""
    admin, agent = auth(tokens["admin"]), auth(tokens["agent"])
    hook = client.post("/api/v1/webhooks", headers=admin, json={
        "url": "http://127.0.0.1:9/hook", "events": ["response.created", "feedback.created"]})
    assert hook.status_code == 201
    email = f"{marker}@example.com"
    person = {"email": email, "name": f"Eve {marker}", "phone": phone, "external_id": f"crm-{marker}",
              "attributes": {"note": f"vip {marker}"}}
    made = client.post("/api/v1/customers", headers={**agent, "Idempotency-Key": f"c-{marker}"}, json=person)
    assert made.status_code == 201
    customer_id = made.json()["id"]
    answered = client.post("/api/v1/responses", headers={**agent, "Idempotency-Key": f"r-{marker}"}, json={
        "survey": "rnps", "answers": {"nps": 3, "comment": f"dirty room {marker}"}, "customer": {"email": email}})
    assert answered.status_code == 201
    told = client.post("/api/v1/feedback", headers={**agent, "Idempotency-Key": f"f-{marker}"}, json={
        "text": f"slow check-in {marker}", "channel": "chat", "customer": {"email": email}})
    assert told.status_code == 201
    with db.transaction() as s:  # discovery's output: a cluster whose central text is theirs; accepted below
        proposal = ThemeProposal(label="check-in", language="en", terms=["check-in"], size=12, cohesion=0.5,
                                 examples=[f"slow check-in {marker}"], feedback_ids=[told.json()["id"]])
        s.add(proposal)
        s.flush()
        proposal_id = proposal.id
    assert client.post(f"/api/v1/themes/proposals/{proposal_id}", headers=auth(tokens["analyst"]),
                       json={"action": "accept"}).status_code == 200
    happened = client.post("/api/v1/events", headers={**agent, "Idempotency-Key": f"e-{marker}"}, json={
        "kind": "purchase", "occurred_at": "2026-01-02T10:00:00Z", "value": 10.0,
        "customer": {"email": email}, "payload": {"gift_note": f"for {marker}"}})
    assert happened.status_code == 201
    other = client.post("/api/v1/customers", headers=agent, json={
        "email": f"other-{marker}@example.com", "name": f"E. {marker}"}).json()
    merged = client.post(f"/api/v1/customers/{customer_id}/merge", headers=auth(tokens["manager"]),
                         json={"other_id": other["id"], "reason": f"same person, {marker}"})
    assert merged.status_code == 201
    invited = client.post("/api/v1/outreach/invitations", headers=agent,
                          json={"survey": "rnps", "customer_id": customer_id})
    assert invited.status_code == 200
    with db.transaction() as s:  # a job that carries the customer's data in its payload
        enqueue(s, "outreach.follow_up", {"customer_id": customer_id, "email": email})
    planted = _hits(db, marker)
    for where in ("customer.name", "identity.value", "feedback.text", "answer.text", "event.payload",
                  "idempotency_record.body", "webhook_delivery.payload", "customer_merge.snapshot",
                  "audit_log.detail", "job.payload", "theme_proposal.examples", "theme.rule"):
        assert where in planted, where  # the test reaches every path it claims to
    return customer_id


def test_no_trace_of_an_erased_customer_in_any_table(client, tokens, db):
    marker = f"zq{secrets.token_hex(6)}"
    phone = f"+33 6 {secrets.randbelow(10**8):08d}"
    digits = phone.replace(" ", "")
    customer_id = _plant(client, tokens, db, marker, phone)
    bystander = f"zq{secrets.token_hex(6)}"  # someone else's data, sent the same way, must stay
    assert client.post("/api/v1/feedback", headers={**auth(tokens["agent"]), "Idempotency-Key": bystander}, json={
        "text": f"great stay {bystander}", "customer": {"email": f"{bystander}@example.com"}}).status_code == 201
    assert _hits(db, digits[-8:])
    erased = client.post(f"/api/v1/customers/{customer_id}/erase", headers=auth(tokens["admin"]),
                         json={"confirm": customer_id})
    assert erased.status_code == 200
    assert _hits(db, marker) == []
    assert _hits(db, digits[-8:]) == []
    assert {"feedback.text", "idempotency_record.body", "webhook_delivery.payload"} <= set(_hits(db, bystander))
