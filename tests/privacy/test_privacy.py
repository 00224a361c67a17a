"""Export (art. 15), erasure (art. 17) and unsubscribe — on both backends."""

from __future__ import annotations

from sqlalchemy import func, select

from centric.accounts.models import AuditLog
from centric.config import Settings
from centric.customers.models import Customer, Identity
from centric.feedback.models import Feedback
from centric.insights.models import AnswerRollup
from centric.journeys.models import Event
from centric.outreach.models import Suppression
from centric.outreach.unsubscribe import unsubscribe_link
from centric.surveys.models import Answer, Response
from tests.api.conftest import auth
from tests.surveys.helpers import csrf_of, login


def _setup(client, tokens):
    agent = auth(tokens["agent"])
    first = client.post("/api/v1/responses", headers=agent, json={
        "survey": "rnps", "answers": {"nps": 3, "comment": "Room was dirty, call me on 555-1234"},
        "customer": {"email": "eve@example.com", "name": "Eve Example", "attributes": {"city": "Lyon"}}}).json()
    client.post("/api/v1/responses", headers=agent, json={
        "survey": "rnps", "answers": {"nps": 9}, "customer": {"phone": "+33 6 12 34 56 78"}})
    client.post("/api/v1/events", headers=auth(tokens["manager"]), json={
        "kind": "purchase", "occurred_at": "2026-01-02T10:00:00Z", "value": 120.0,
        "customer": {"email": "eve@example.com", "phone": "+33 6 12 34 56 78"}})  # a manager's ingest merges the two
    return first["customer_id"]


def _count(db, model, *where):
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def test_export_holds_profile_identities_events_responses_and_feedback(client, tokens, db):
    customer_id = _setup(client, tokens)
    assert client.get(f"/api/v1/customers/{customer_id}/export", headers=auth(tokens["manager"])).status_code == 403
    export = client.get(f"/api/v1/customers/{customer_id}/export", headers=auth(tokens["admin"])).json()
    assert export["profiles"][0]["name"] == "Eve Example"
    assert {i["kind"] for i in export["identities"]} == {"email", "phone"}
    assert len(export["events"]) == 1 and len(export["responses"]) == 2
    assert any(a["text"] and "dirty" in a["text"] for r in export["responses"] for a in r["answers"])
    assert export["feedback"][0]["text"].startswith("Room was dirty")


def test_erasure_needs_confirmation_and_keeps_only_anonymous_scores(client, tokens, db):
    customer_id = _setup(client, tokens)
    admin = auth(tokens["admin"])
    wrong = client.post(f"/api/v1/customers/{customer_id}/erase", headers=admin, json={"confirm": customer_id + 1})
    assert wrong.status_code == 422
    assert client.post(f"/api/v1/customers/{customer_id}/erase", headers=auth(tokens["manager"]),
                       json={"confirm": customer_id}).status_code == 403
    report = client.post(f"/api/v1/customers/{customer_id}/erase", headers=admin, json={"confirm": customer_id})
    assert report.status_code == 200 and report.json()["counts"]["responses_anonymised"] == 2
    assert _count(db, Customer) == 0 and _count(db, Identity) == 0 and _count(db, Event) == 0
    assert _count(db, Feedback) == 0 and _count(db, Answer, Answer.metric == "text") == 0
    assert _count(db, Response) == 2 and _count(db, Response, Response.customer_id.is_not(None)) == 0
    assert _count(db, Answer, Answer.metric == "nps") == 2
    with db.reader() as s:
        assert s.scalar(select(func.sum(AnswerRollup.n))) == 2  # scores unchanged
        entry = s.scalar(select(AuditLog).where(AuditLog.action == "customer.erase"))
        assert "eve@" not in str(entry.detail).lower() and "555" not in str(entry.detail)
    metrics = client.get("/api/v1/metrics/nps", headers=admin)
    assert metrics.status_code == 200
    assert client.get(f"/api/v1/customers/{customer_id}/export", headers=admin).status_code == 404


def test_admin_privacy_page_exports_and_erases_with_csrf(client, tokens, db):
    customer_id = _setup(client, tokens)
    login(client)
    page = client.get(f"/customers/{customer_id}/privacy")
    assert page.status_code == 200 and "Erase this customer" in page.text
    download = client.get(f"/customers/{customer_id}/privacy/export.json")
    assert download.headers["content-disposition"].startswith("attachment") and "Eve Example" in download.text
    url = f"/customers/{customer_id}/privacy/erase"
    assert client.post(url, data={"confirm": str(customer_id), "csrf": "bad"}).status_code == 403
    assert client.post(url, data={"confirm": "nope", "csrf": csrf_of(page.text)}).status_code == 422
    done = client.post(url, data={"confirm": str(customer_id), "csrf": csrf_of(page.text)})
    assert done.status_code == 200 and "erased" in done.text
    assert _count(db, Customer) == 0


def test_unsubscribe_page_asks_then_stops_every_sending_path(client, tokens, db):
    customer_id = _setup(client, tokens)
    with db.transaction() as s:
        link = unsubscribe_link(s, Settings(database_url=db.url), customer_id)
    path = "/u/" + link.rsplit("/u/", 1)[1]
    page = client.get(path)  # mail scanners follow links: a GET only asks
    assert page.status_code == 200 and 'method="post"' in page.text
    assert _count(db, Suppression) == 0
    for _ in range(2):  # the button, then RFC 8058 one-click from the mail client: one record
        done = client.post(path)
        assert done.status_code == 200 and "You are unsubscribed" in done.text
    with db.reader() as s:
        assert [(r.customer_id, r.channel) for r in s.scalars(select(Suppression))] == [(customer_id, "email")]
    invited = client.post("/api/v1/outreach/invitations", headers=auth(tokens["agent"]),
                          json={"survey": "rnps", "customer_id": customer_id}).json()
    assert invited["invited"] is False and invited["skip"]["reason"] == "unsubscribed from email"
    assert client.get(path[:-4] + "AAAA").status_code == 403
    assert client.get("/u/garbage").status_code == 403
    assert client.post("/u/garbage").status_code == 403
    login(client)
    privacy = client.get(f"/customers/{customer_id}/privacy").text
    assert "unsubscribed from email" in privacy and "Skipped invitations" in privacy


def test_customer_page_links_admins_to_privacy(client, tokens):
    customer_id = _setup(client, tokens)
    login(client)
    assert f'href="/customers/{customer_id}/privacy"' in client.get(f"/customers/{customer_id}").text
    client.post("/logout", data={"csrf": csrf_of(client.get("/").text)})
    login(client, "manager@example.com")
    page = client.get(f"/customers/{customer_id}")
    assert page.status_code == 200 and f'href="/customers/{customer_id}/privacy"' not in page.text
    assert client.get(f"/customers/{customer_id}/privacy").status_code == 403
