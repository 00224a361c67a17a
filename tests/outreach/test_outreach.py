"""Invitations over real SMTP, unsubscribes, contact-frequency rules, triggers and reminders."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from sqlalchemy import select

from centric.accounts.signing import signing_key
from centric.customers.schemas import CustomerIn, SegmentCondition
from centric.customers.service import upsert_customer
from centric.db import utcnow
from centric.jobs import LocalWorker
from centric.jobs import service as jobs
from centric.jobs.models import Job
from centric.journeys.schemas import EventIn
from centric.journeys.service import record_event
from centric.outreach import rules, service, triggers
from centric.outreach.models import InvitationDelivery
from centric.outreach.schemas import ContactRuleIn, InvitationIn, ReminderIn, TriggerIn
from centric.surveys.links import read_survey_token
from centric.surveys.models import Invitation
from tests.factories import make_journey
from tests.outreach.conftest import free_port


def customer(session, email: str, **attributes):  # type: ignore[no-untyped-def]
    return upsert_customer(session, CustomerIn(email=email, name=email.split("@")[0].title(), attributes=attributes))


def links_in(text: str) -> list[str]:
    return [word for word in text.split() if word.startswith("https://cx.example.com/")]


def test_an_invitation_is_mailed_with_signed_links_and_unsubscribe(db, smtp, mail_settings):
    _, mailbox = smtp
    with db.transaction() as s:
        make_journey(s)
        ann = customer(s, "ann@example.com")
        result = service.invite(s, InvitationIn(survey="rnps", customer_id=ann.id))
    assert result.invited and result.invitation.status == "scheduled"
    assert LocalWorker(db, mail_settings).run_due() == 1
    message = mailbox.wait(1)[0]
    assert message["To"] == "ann@example.com" and "Relationship NPS" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    links = links_in(text)
    assert len([u for u in links if "score=" in u]) == 11  # one-click 0…10
    survey_link = next(u for u in links if "/s/rnps?" in u and "score=" not in u)
    token = parse_qs(urlparse(survey_link).query)["t"][0]
    with db.transaction() as s:
        claims = read_survey_token(signing_key(s), "rnps", token)
        invitation = s.get(Invitation, result.invitation.id)
        assert claims["i"] == invitation.id and claims["c"] == ann.id
        assert invitation.sent_at is not None and s.get(InvitationDelivery, invitation.id).status == "sent"
        unsubscribe = next(u for u in links if "/u/" in u)
        assert message["List-Unsubscribe"] == f"<{unsubscribe}>"
        service.unsubscribe_with_token(s, mail_settings, unsubscribe.rsplit("/", 1)[1])
        again = service.invite(s, InvitationIn(survey="rnps", customer_id=ann.id))
    assert not again.invited and again.skip.reason == "unsubscribed from email"


def test_smtp_down_means_retried_and_nothing_lost(sqlite_db, smtp, mail_settings):
    db, (_, mailbox) = sqlite_db, smtp
    with db.transaction() as s:
        make_journey(s)
        invitation_id = service.invite(s, InvitationIn(survey="rnps", customer=CustomerIn(email="bo@example.com"))
                                       ).invitation.id
    down = mail_settings.model_copy(
        update={"smtp_port": free_port(), "job_retry_base_s": 3600, "job_retry_max_s": 3600})
    LocalWorker(db, down).run_due()
    with db.transaction() as s:
        delivery = s.get(InvitationDelivery, invitation_id)
        assert delivery.status == "scheduled" and delivery.attempts == 1 and "ConnectionRefused" in delivery.last_error
        job = s.scalars(select(Job)).one()
        assert job.status == "queued" and job.attempts == 1 and job.run_at > utcnow() + timedelta(minutes=30)
        job.run_at = utcnow()  # the backoff has passed and the server is back
    assert LocalWorker(db, mail_settings).run_due() == 1
    assert mailbox.wait(1)[0]["To"] == "bo@example.com"
    with db.reader() as s:
        assert s.get(InvitationDelivery, invitation_id).status == "sent"


def test_contact_rules_are_attribute_aware_and_every_skip_is_recorded(db):
    with db.transaction() as s:
        make_journey(s)
        vip = customer(s, "vip@example.com", tier="vip")
        regular = customer(s, "reg@example.com", tier="basic")
        rule = rules.create_rule(s, ContactRuleIn(
            name="VIP calm", conditions=[SegmentCondition(attribute="tier", op="eq", value="vip")],
            max_contacts=1, window_days=60))
        rules.create_rule(s, ContactRuleIn(name="CSAT weekly", survey="stay-csat", max_contacts=1, window_days=7))
        outcomes = [service.invite(s, InvitationIn(survey=survey, customer_id=who.id, channel=channel)).invited
                    for survey, who, channel in [("rnps", vip, "link"), ("stay-csat", vip, "email"),
                                                 ("rnps", regular, "email"), ("rnps", regular, "email"),
                                                 ("stay-csat", regular, "email"), ("stay-csat", regular, "email")]]
        assert outcomes == [True, False, True, True, True, False]
        skips = service.list_skips(s)
    assert [(k.customer_id, k.survey, k.rule) for k in reversed(skips)] == [
        (vip.id, "stay-csat", "VIP calm"), (regular.id, "stay-csat", "CSAT weekly")]
    assert skips[1].rule_id == rule.id and "1 of at most 1 contacts in 60 days" in skips[1].reason


def test_events_trigger_delayed_invitations_once(db):
    with db.transaction() as s:
        make_journey(s)
        rule = triggers.create_trigger(s, TriggerIn(name="after support", event_kind="ticket_solved",
                                                    touchpoint="check-out", survey="support-ces", delay_minutes=120))
        when = utcnow() - timedelta(minutes=5)
        event, _ = record_event(s, EventIn(kind="ticket_solved", occurred_at=when, touchpoint="check-out",
                                           customer=CustomerIn(email="cy@example.com"), external_id="T-1"))
        # record_event ran the trigger already; a second run for the same event does nothing.
        assert triggers.on_event(s, event) == []
        made = s.scalars(select(InvitationDelivery)).all()
        other, _ = record_event(s, EventIn(kind="ticket_solved", occurred_at=when, touchpoint="room",
                                           customer=CustomerIn(email="cy@example.com"), external_id="T-2"))
        old, _ = record_event(s, EventIn(kind="ticket_solved", occurred_at=when - timedelta(days=30),
                                         touchpoint="check-out", customer=CustomerIn(email="cy@example.com")))
        assert triggers.on_event(s, other) == [] and triggers.on_event(s, old) == []
    assert len(made) == 1
    invitation = made[0]
    assert invitation.source == f"trigger:{rule.id}:event:{event.id}"
    assert abs((invitation.send_at - (when + timedelta(minutes=120))).total_seconds()) < 1
    with db.reader() as s:
        job = jobs.list_jobs(s)[0]
        assert job.name == "outreach.send_invitation" and job.payload == {"invitation_id": invitation.invitation_id}
        assert abs((job.run_at - invitation.send_at).total_seconds()) < 5


def test_reminders_go_to_unanswered_invitations_once(sqlite_db, smtp, mail_settings):
    db, (_, mailbox) = sqlite_db, smtp
    with db.transaction() as s:
        make_journey(s)
        ids = [service.invite(s, InvitationIn(survey="rnps", customer=CustomerIn(email=f"r{n}@example.com")))
               .invitation.id for n in range(2)]
    worker = LocalWorker(db, mail_settings)
    worker.run_due()
    mailbox.wait(2)
    with db.transaction() as s:
        for invitation_id in ids:
            s.get(Invitation, invitation_id).sent_at = utcnow() - timedelta(days=4)
        s.get(Invitation, ids[1]).answered_at = utcnow()
        assert service.schedule_reminders(s, ReminderIn(survey="rnps", after_days=3)).invitation_ids == [ids[0]]
    worker.run_due()
    reminder = mailbox.wait(3)[2]
    assert reminder["Subject"].startswith("Reminder:") and reminder["To"] == "r0@example.com"
    with db.transaction() as s:
        assert s.get(InvitationDelivery, ids[0]).reminders_sent == 1
        assert service.schedule_reminders(s, ReminderIn(survey="rnps", after_days=3)).scheduled == 0


def test_outreach_api_and_roles(client, tokens):
    from tests.api.conftest import auth

    admin, viewer, agent = auth(tokens["admin"]), auth(tokens["viewer"]), auth(tokens["agent"])
    rule = client.post("/api/v1/outreach/contact-rules", headers=admin, json={
        "name": "VIP calm", "conditions": [{"attribute": "tier", "op": "eq", "value": "vip"}],
        "max_contacts": 1, "window_days": 60})
    assert rule.status_code == 201, rule.text
    assert client.post("/api/v1/outreach/contact-rules", headers=agent,
                       json={"name": "x", "max_contacts": 1, "window_days": 1}).status_code == 403
    body = {"survey": "rnps", "customer": {"email": "vip@example.com", "attributes": {"tier": "vip"}}}
    first = client.post("/api/v1/outreach/invitations", headers=agent, json=body)
    second = client.post("/api/v1/outreach/invitations", headers=agent, json=body)
    assert first.json()["invited"] is True and second.json()["invited"] is False
    assert second.json()["skip"]["rule"] == "VIP calm"
    skips = client.get("/api/v1/outreach/skips", headers=admin).json()["items"]
    assert skips[0]["rule"] == "VIP calm" and skips[0]["rule_id"] == rule.json()["id"]
    assert client.post("/api/v1/outreach/invitations", headers=viewer, json=body).status_code == 403
    assert client.post("/api/v1/outreach/invitations", headers=agent,
                       json={"survey": "nope", "customer_id": 1}).status_code == 404
    assert client.post("/api/v1/outreach/invitations", headers=agent, json={"survey": "rnps"}).status_code == 422
    trigger = client.post("/api/v1/outreach/triggers", headers=admin, json={
        "name": "chat", "event_kind": "chat_ended", "survey": "stay-csat", "delay_minutes": 30})
    assert trigger.status_code == 201 and trigger.json()["survey"] == "stay-csat"
    assert client.post("/api/v1/outreach/triggers", headers=admin, json={
        "name": "bad", "event_kind": "chat_ended", "survey": "stay-csat", "touchpoint": "nowhere"}).status_code == 404
    assert client.delete(f"/api/v1/outreach/triggers/{trigger.json()['id']}", headers=admin).status_code == 204
    assert client.get("/api/v1/outreach/triggers", headers=admin).json()["items"] == []
    customer_id = first.json()["invitation"]["customer_id"]
    assert client.post("/api/v1/outreach/unsubscribes", headers=agent,
                       json={"customer_id": customer_id}).status_code == 200
    assert client.get("/api/v1/outreach/unsubscribes", headers=admin).json()["items"][0]["customer_id"] == customer_id
    invitations = client.get("/api/v1/outreach/invitations?survey=rnps", headers=admin).json()
    assert invitations["items"][0]["status"] == "scheduled"


def test_an_unsubscribe_stops_scheduled_invitations_reminders_and_triggers(sqlite_db, smtp, mail_settings):
    db, (_, mailbox) = sqlite_db, smtp
    with db.transaction() as s:
        make_journey(s)
        triggers.create_trigger(s, TriggerIn(name="chat", event_kind="chat_ended", survey="stay-csat"))
        early = service.invite(s, InvitationIn(survey="rnps", customer=CustomerIn(email="u1@example.com"))).invitation
        later = service.invite(s, InvitationIn(survey="rnps", customer=CustomerIn(email="u2@example.com"),
                                               delay_minutes=60)).invitation
    LocalWorker(db, mail_settings).run_due()  # the first is mailed now, the second waits an hour
    first = mailbox.wait(1)[0]
    assert first["List-Unsubscribe"] and "/u/" in first.get_body(("plain",)).get_content()
    with db.transaction() as s:
        for who in (early, later):
            service.unsubscribe(s, who.customer_id, "email")
        s.get(Invitation, early.id).sent_at = utcnow() - timedelta(days=5)
        assert service.schedule_reminders(s, ReminderIn(survey="rnps", after_days=3)).scheduled == 0
        for job in s.scalars(select(Job).where(Job.status == "queued")):
            job.run_at = utcnow()  # the delay has passed
        event, _ = record_event(s, EventIn(kind="chat_ended", occurred_at=utcnow(),
                                           customer=CustomerIn(email="u1@example.com")))
    LocalWorker(db, mail_settings).run_due()
    assert len(mailbox.messages) == 1  # nothing more was sent
    with db.reader() as s:
        assert s.get(InvitationDelivery, later.id).status == "suppressed"
        reasons = sorted(k.reason for k in service.list_skips(s))
    assert reasons == ["unsubscribed from email", "unsubscribed from email before sending"]
