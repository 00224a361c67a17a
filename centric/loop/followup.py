"""Follow-up with the customer of a case: e-mails from the case, the recovery survey and the re-survey.

* An agent's e-mail is queued (job ``loop.case_mail``) and noted in the trail as ``mail``;
  the contact (``log_contact``, channel ``email``, outcome ``sent``) is logged when the
  job has handed it to the SMTP server, so the first-contact clock stops on a real send.
* On resolution (``resolved``, or ``closed`` straight from an open status; never for an
  auto-closed case) a job invites the customer to the recovery survey (the rule's
  ``followup.recovery_survey`` or ``CENTRIC_LOOP_RECOVERY_SURVEY``) and schedules the
  case's original survey again after ``resurvey_days`` (the rule's, or
  ``CENTRIC_LOOP_RESURVEY_DAYS``). Both go through outreach, so contact rules and
  unsubscribes apply.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from centric.accounts.models import User
from centric.accounts.roles import Permission, allows
from centric.config import Settings
from centric.customers.service import get_customer
from centric.db import utcnow
from centric.errors import CentricError, Conflict, Forbidden, Invalid
from centric.events import CasesUpdated, JobSpec
from centric.jobs.service import enqueue
from centric.loop.cases import may_see, record
from centric.loop.kpi_schemas import CaseEmailOut, FollowupOut, SurveyFollowup
from centric.loop.models import OPEN_STATUSES, AlertRule, Case, CaseActivity
from centric.outreach.models import InvitationDelivery
from centric.outreach.schemas import InvitationIn
from centric.outreach.service import email_of, invite, is_suppressed, schedule
from centric.surveys.models import Answer, Invitation, Response, Survey

CASE_MAIL_TASK = "loop.case_mail"
FOLLOWUP_TASK = "loop.case_followup"
CASE_MAILS_PER_DAY = 3  # e-mails from cases to one customer in 24 hours; more is pestering


def check_may_work(user: User, case: Case) -> None:
    """Whoever may work cases and see this one (agents: their own, their team's, unassigned) may write."""
    if allows(user.role, Permission.WORK_CASES) and may_see(user, case):
        return
    raise Forbidden(f"case {case.id} is neither yours nor your team's")


def send_case_email(session: Session, case: Case, user_id: int | None, subject: str, body: str, *,
                    daily_cap: int = CASE_MAILS_PER_DAY) -> CaseActivity:
    """Queue an e-mail to the case's customer; refused when unsubscribed, without address or over the cap."""
    subject, body = subject.strip(), body.strip()
    if not subject or len(subject) > 200:
        raise Invalid("subject: 1 to 200 characters", field="subject")
    if not body:
        raise Invalid("body: the e-mail needs a text", field="body")
    if case.customer_id is None:
        raise Invalid(f"case {case.id} has no customer to write to", field="case_id")
    if is_suppressed(session, case.customer_id, "email"):
        raise Conflict("the customer unsubscribed from e-mail; call instead", field="customer")
    address = email_of(session, case.customer_id)
    if address is None:
        raise Invalid("the customer has no e-mail address", field="customer")
    since = utcnow() - timedelta(days=1)
    recent = session.scalar(select(func.count()).select_from(CaseActivity).join(Case, Case.id == CaseActivity.case_id)
                            .where(Case.customer_id == case.customer_id, CaseActivity.kind == "mail",
                                   CaseActivity.at >= since)) or 0
    if recent >= daily_cap:
        raise Conflict(f"this customer already got {recent} e-mails from cases in the last 24 hours "
                       f"(at most {daily_cap})", field="customer")
    activity = record(session, case.id, "mail", user_id, body=body,
                      detail={"subject": subject, "to": address, "status": "queued"})
    session.flush()
    enqueue(session, CASE_MAIL_TASK, {"activity_id": activity.id}, idempotency_key=f"{CASE_MAIL_TASK}:{activity.id}")
    return activity


# --- resolution: recovery survey and re-survey ----------------------------------------------

def resolution_jobs(event: CasesUpdated) -> Iterable[JobSpec]:
    """One follow-up job for the cases just resolved (or closed from an open status)."""
    ids = [change.case_id for change in event.changes
           if "status" in change.fields and _is_resolution(*change.fields["status"])]
    if ids:
        yield JobSpec(FOLLOWUP_TASK, {"case_ids": ids})


def _is_resolution(before: Any, after: Any) -> bool:
    return after == "resolved" or (after == "closed" and before in OPEN_STATUSES)


def follow_up_resolved(session: Session, settings: Settings, case_ids: Iterable[int]) -> int:
    """Invite the customers of these resolved cases to the recovery survey and schedule the re-survey.

    Idempotent: a case whose follow-up is in its trail already is left alone (the job
    may run twice). Auto-closed cases and cases without a customer get nothing.
    Returns the number of invitations made.
    """
    cases = list(session.scalars(select(Case).where(Case.id.in_(list(case_ids)), Case.customer_id.is_not(None),
                                                    Case.auto_closed.is_(False)).order_by(Case.id)))
    done = set(session.scalars(select(CaseActivity.case_id).where(
        CaseActivity.case_id.in_([c.id for c in cases]), CaseActivity.kind == "survey")))
    rules = {r.id: r for r in session.scalars(select(AlertRule).where(
        AlertRule.id.in_({c.rule_id for c in cases if c.rule_id})))}
    made = 0
    for case in cases:
        if case.id in done or case.status not in ("resolved", "closed"):
            continue
        followup = rules[case.rule_id].followup if case.rule_id in rules else {}
        recovery = str(followup.get("recovery_survey") or settings.loop_recovery_survey or "")
        days = int(followup.get("resurvey_days") or settings.loop_resurvey_days or 0)
        if recovery:
            made += _recovery_invitation(session, case, recovery)
        if days > 0:
            made += _resurvey(session, case, days)
    session.flush()
    return made


def _recovery_invitation(session: Session, case: Case, survey_key: str) -> int:
    assert case.customer_id is not None
    try:
        result = invite(session, InvitationIn(survey=survey_key, customer_id=case.customer_id))
    except CentricError as exc:  # a renamed or paused survey: say so in the trail, do not retry forever
        record(session, case.id, "survey", body=f"no recovery survey: {exc.message}",
               detail={"purpose": "recovery", "survey": survey_key, "error": exc.message})
        return 0
    if result.invitation is None:
        reason = result.skip.reason if result.skip else "skipped"
        record(session, case.id, "survey", body=f"recovery survey not sent: {reason}",
               detail={"purpose": "recovery", "survey": survey_key, "skipped": reason})
        return 0
    case.recovery_invitation_id = result.invitation.id
    record(session, case.id, "survey", body=f"recovery survey {survey_key!r} sent",
           detail={"purpose": "recovery", "survey": survey_key, "invitation_id": result.invitation.id})
    return 1


def _resurvey(session: Session, case: Case, days: int) -> int:
    assert case.customer_id is not None
    survey = session.scalar(select(Survey).join(Response, Response.survey_id == Survey.id)
                            .where(Response.id == case.response_id)) if case.response_id else None
    if survey is None:
        record(session, case.id, "survey", body="no re-survey: the case did not come from a survey answer",
               detail={"purpose": "resurvey", "skipped": "no original survey"})
        return 0
    send_at = utcnow() + timedelta(days=days)
    try:
        result = schedule(session, survey, get_customer(session, case.customer_id), channel="email",
                          send_at=send_at, source="loop-resurvey")
    except CentricError as exc:
        record(session, case.id, "survey", body=f"no re-survey: {exc.message}",
               detail={"purpose": "resurvey", "survey": survey.key, "error": exc.message})
        return 0
    if result.invitation is None:
        reason = result.skip.reason if result.skip else "skipped"
        record(session, case.id, "survey", body=f"re-survey not scheduled: {reason}",
               detail={"purpose": "resurvey", "survey": survey.key, "skipped": reason})
        return 0
    case.resurvey_invitation_id = result.invitation.id
    record(session, case.id, "survey", body=f"re-survey {survey.key!r} scheduled in {days} days",
           detail={"purpose": "resurvey", "survey": survey.key, "invitation_id": result.invitation.id,
                   "send_at": send_at.isoformat()})
    return 1


# --- reading the follow-up ------------------------------------------------------------------

def invitation_status(session: Session, invitation_ids: Iterable[int | None]) -> dict[Any, dict[str, Any]]:
    """Status, sending and answer time and the first rated answer of each invitation (two queries)."""
    ids = [i for i in invitation_ids if i]
    if not ids:
        return {}
    found: dict[Any, dict[str, Any]] = {}
    for invitation, delivery, key in session.execute(
            select(Invitation, InvitationDelivery, Survey.key).join(Survey, Survey.id == Invitation.survey_id)
            .outerjoin(InvitationDelivery, InvitationDelivery.invitation_id == Invitation.id)
            .where(Invitation.id.in_(ids))):
        found[invitation.id] = {"invitation_id": invitation.id, "survey": key,
                                "status": delivery.status if delivery else "sent",
                                "send_at": delivery.send_at if delivery else invitation.created_at,
                                "sent_at": invitation.sent_at, "answered_at": invitation.answered_at,
                                "metric": None, "score": None}
    for invitation_id, metric, number in session.execute(
            select(Response.invitation_id, Answer.metric, Answer.number).join(Answer, Answer.response_id == Response.id)
            .where(Response.invitation_id.in_(ids), Answer.number.is_not(None),
                   Answer.metric.in_(("nps", "csat", "ces", "rating"))).order_by(Response.id, Answer.id)):
        entry = found[invitation_id]
        if entry["score"] is None:
            entry.update(metric=metric, score=number, status="answered")
    return found


def followup_of(session: Session, case: Case) -> FollowupOut:
    """The case's e-mails, its recovery survey and re-survey, and the change in score once re-answered."""
    mails = session.scalars(select(CaseActivity).where(CaseActivity.case_id == case.id, CaseActivity.kind == "mail")
                            .order_by(CaseActivity.at, CaseActivity.id))
    found = invitation_status(session, (case.recovery_invitation_id, case.resurvey_invitation_id))
    recovery = found.get(case.recovery_invitation_id or 0)
    resurvey = found.get(case.resurvey_invitation_id or 0)
    change = None
    if resurvey and resurvey["score"] is not None and case.score is not None and resurvey["metric"] == case.metric:
        change = resurvey["score"] - case.score
    return FollowupOut(
        case_id=case.id,
        emails=[CaseEmailOut(id=m.id, case_id=case.id, status=str(m.detail.get("status", "queued")), at=m.at)
                for m in mails],
        recovery=SurveyFollowup(**recovery) if recovery else None,
        resurvey=SurveyFollowup(**resurvey) if resurvey else None,
        original_metric=case.metric, original_score=case.score, change=change)
