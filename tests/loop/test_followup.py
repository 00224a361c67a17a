"""Follow-up from a case: e-mails over real SMTP, caps and unsubscribes, recovery survey and re-survey."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from centric.accounts.models import User
from centric.db import utcnow
from centric.events import CaseChange, CasesUpdated, publish
from centric.jobs import LocalWorker
from centric.loop.cases import CaseDraft, open_cases
from centric.loop.followup import FOLLOWUP_TASK, resolution_jobs
from centric.loop.models import AlertRule, Case, CaseActivity
from centric.outreach import service as outreach
from centric.outreach.models import InvitationDelivery
from centric.surveys.models import Invitation
from tests.api.conftest import auth
from tests.factories import make_journey, respond
from tests.outreach import conftest as outreach_fixtures

smtp, mail_settings = outreach_fixtures.smtp, outreach_fixtures.mail_settings  # a real SMTP server


def detractor_case(session, owner_id: int | None = None, rule_id: int | None = None,  # type: ignore[no-untyped-def]
                   email: str = "ann@example.com") -> Case:
    response = respond(session, "rnps", 3, email=email)
    return open_cases(session, [CaseDraft(title="Detractor", source="response", customer_id=response.customer_id,
                                          response_id=response.id, rule_id=rule_id, metric="nps", score=3,
                                          verbatim="the room was cold", owner_id=owner_id)])[0]


def user_id(session, role: str) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(User.id).where(User.email == f"{role}@example.com"))


def test_an_agent_emails_the_customer_over_smtp_with_unsubscribe_once(db, client, tokens, smtp, mail_settings):
    _, mailbox = smtp
    with db.transaction() as s:
        case_id = detractor_case(s, owner_id=user_id(s, "agent")).id
    answer = client.post(f"/api/v1/cases/{case_id}/emails", headers=auth(tokens["agent"]),
                         json={"subject": "About your stay", "body": "Dear Ann,\nwe are sorry <really>."})
    assert answer.status_code == 202, answer.text
    assert LocalWorker(db, mail_settings).run_due() == 1
    message = mailbox.wait(1)[0]
    assert message["To"] == "ann@example.com" and message["Subject"] == "About your stay"
    text = message.get_body(("plain",)).get_content()
    assert "we are sorry <really>." in text
    assert "&lt;really&gt;" in message.get_body(("html",)).get_content()
    link = message["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://cx.example.com/u/") and link in text
    with db.transaction() as s:
        case = s.get(Case, case_id)
        assert case.first_contact_at is not None and case.status == "open"
        contacts = s.scalars(select(CaseActivity).where(CaseActivity.case_id == case_id,
                                                        CaseActivity.kind == "contact")).all()
        assert [(c.channel, c.outcome) for c in contacts] == [("email", "sent")]
    from centric.jobs import JobContext
    from centric.loop.followup_jobs import send_case_mail
    activity_id = answer.json()["id"]
    send_case_mail(JobContext(db, mail_settings, 0, 2, 5), {"activity_id": activity_id})  # a re-delivered job
    assert len(mailbox.messages) == 1
    followup = client.get(f"/api/v1/cases/{case_id}/followup", headers=auth(tokens["agent"])).json()
    assert [e["status"] for e in followup["emails"]] == ["sent"]


def test_refused_when_unsubscribed_over_the_cap_or_not_the_agents_case(db, client, tokens):
    with db.transaction() as s:
        mine = detractor_case(s, owner_id=user_id(s, "agent"))
        other = detractor_case(s, owner_id=user_id(s, "manager"), email="bo@example.com")
        mine_id, other_id, customer = mine.id, other.id, other.customer_id
    mail = {"subject": "Hello", "body": "Sorry."}
    answers = [client.post(f"/api/v1/cases/{mine_id}/emails", headers=auth(tokens["agent"]), json=mail)
               for _ in range(4)]
    assert [a.status_code for a in answers] == [202, 202, 202, 409]
    capped = answers[-1]
    assert capped.status_code == 409 and "at most 3" in capped.text
    assert client.post(f"/api/v1/cases/{other_id}/emails", headers=auth(tokens["agent"]), json=mail).status_code == 403
    assert client.post(f"/api/v1/cases/{other_id}/emails", headers=auth(tokens["viewer"]), json=mail).status_code == 403
    with db.transaction() as s:
        outreach.unsubscribe(s, customer, "email")
    refused = client.post(f"/api/v1/cases/{other_id}/emails", headers=auth(tokens["manager"]), json=mail)
    assert refused.status_code == 409 and "unsubscribed" in refused.text
    empty = client.post(f"/api/v1/cases/{other_id}/emails", headers=auth(tokens["manager"]),
                        json={"subject": "x", "body": "  "})
    assert empty.status_code == 422 and "body" in empty.text


def resolve(session, case: Case, before: str = "open", after: str = "resolved", **fields) -> None:  # type: ignore[no-untyped-def]
    case.status = after
    for name, value in fields.items():
        setattr(case, name, value)
    session.flush()
    publish(session, CasesUpdated((CaseChange(case.id, {"status": (before, after)}),)))


def test_resolution_sends_the_recovery_survey_and_schedules_the_resurvey(db, smtp, mail_settings):
    _, mailbox = smtp
    with db.transaction() as s:
        make_journey(s)
        rule = AlertRule(name="Detractors", applies_to="response",
                         followup={"recovery_survey": "stay-csat", "resurvey_days": 14})
        s.add(rule)
        s.flush()
        case = detractor_case(s, rule_id=rule.id)
        resolve(s, case)
        case_id = case.id
    worker = LocalWorker(db, mail_settings)
    assert worker.run_due() == 2  # the follow-up, then the recovery invitation's e-mail
    assert "Stay CSAT" in mailbox.wait(1)[0]["Subject"]
    with db.transaction() as s:
        case = s.get(Case, case_id)
        recovery = s.get(Invitation, case.recovery_invitation_id)
        resurvey = s.get(InvitationDelivery, case.resurvey_invitation_id)
        assert recovery.customer_id == case.customer_id and recovery.sent_at is not None
        assert s.get(Invitation, case.resurvey_invitation_id).survey_id != recovery.survey_id
        wait = resurvey.send_at - utcnow()
        assert timedelta(days=13, hours=23) < wait <= timedelta(days=14) and resurvey.status == "scheduled"
        trail = s.scalars(select(CaseActivity.detail).where(CaseActivity.case_id == case_id,
                                                            CaseActivity.kind == "survey")).all()
        assert sorted(t["purpose"] for t in trail) == ["recovery", "resurvey"]
        publish(s, CasesUpdated((CaseChange(case_id, {"status": ("open", "resolved")}),)))  # delivered again
    worker.run_due()
    with db.reader() as s:
        assert len(s.scalars(select(Invitation)).all()) == 2


def test_setting_names_the_recovery_survey_and_auto_closed_cases_get_none(db, smtp, mail_settings):
    settings = mail_settings.model_copy(update={"loop_recovery_survey": "stay-csat"})
    with db.transaction() as s:
        make_journey(s)
        quiet = detractor_case(s)
        resolve(s, quiet, after="closed", auto_closed=True)
        heard = detractor_case(s, email="bo@example.com")
        resolve(s, heard, before="waiting", after="closed")
        quiet_id, heard_id = quiet.id, heard.id
    LocalWorker(db, settings).run_due()
    with db.reader() as s:
        assert s.get(Case, quiet_id).recovery_invitation_id is None
        assert s.get(Case, heard_id).recovery_invitation_id is not None
        assert s.get(Case, heard_id).resurvey_invitation_id is None


def test_only_a_resolution_asks_for_follow_up():
    changes = (CaseChange(1, {"status": ("open", "resolved")}), CaseChange(2, {"status": ("resolved", "closed")}),
               CaseChange(3, {"owner_id": (1, 2)}), CaseChange(4, {"status": ("new", "closed")}))
    jobs = list(resolution_jobs(CasesUpdated(changes)))
    assert [(j.task, j.payload) for j in jobs] == [(FOLLOWUP_TASK, {"case_ids": [1, 4]})]


def test_a_merged_duplicate_is_closed_by_the_system_and_gets_no_recovery_survey(db, smtp, mail_settings):
    from centric.loop.cases import merge_case

    settings = mail_settings.model_copy(update={"loop_recovery_survey": "stay-csat"})
    with db.transaction() as s:
        make_journey(s)
        kept = detractor_case(s)
        duplicate = detractor_case(s, email="ann@example.com")
        merge_case(s, duplicate.id, kept.id)
        duplicate_id = duplicate.id
    LocalWorker(db, settings).run_due()
    with db.reader() as s:
        closed = s.get(Case, duplicate_id)
        assert (closed.status, closed.auto_closed, closed.recovery_invitation_id) == ("closed", True, None)
        assert s.scalars(select(Invitation)).all() == []


def test_an_agent_reads_the_follow_up_of_own_cases_only(db, client, tokens):
    with db.transaction() as s:
        mine = detractor_case(s, owner_id=user_id(s, "agent"))
        other = detractor_case(s, owner_id=user_id(s, "manager"), email="bo@example.com")
        mine_id, other_id = mine.id, other.id
    assert client.get(f"/api/v1/cases/{mine_id}/followup", headers=auth(tokens["agent"])).status_code == 200
    assert client.get(f"/api/v1/cases/{other_id}/followup", headers=auth(tokens["agent"])).status_code == 404
    assert client.get(f"/api/v1/cases/{other_id}/followup", headers=auth(tokens["manager"])).status_code == 200
