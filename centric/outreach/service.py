"""Inviting customers to surveys: contact rules, unsubscribes, scheduling, reminders.

Every invitation that is not made is recorded as a :class:`ContactSkip` naming the rule
or reason, so an admin can see who was not asked and why.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from centric.accounts.service import audit
from centric.config import Settings
from centric.customers.models import Customer, Identity
from centric.customers.service import get_customer, upsert_customer
from centric.db import count_of, utcnow, where_given
from centric.errors import Conflict, Invalid
from centric.jobs.service import enqueue
from centric.outreach import rules
from centric.outreach.models import ContactRule, ContactSkip, InvitationDelivery, Suppression
from centric.outreach.schemas import (
    InvitationIn,
    InvitationOut,
    InviteResult,
    ReminderIn,
    ReminderResult,
    SkipOut,
)
from centric.outreach.unsubscribe import read_unsubscribe_token
from centric.surveys.models import Invitation, Response, Survey
from centric.surveys.service import current_version, get_survey

SEND_TASK = "outreach.send_invitation"
REMIND_TASK = "outreach.send_reminder"


# --- unsubscribes ------------------------------------------------------------------------

def unsubscribe(session: Session, customer_id: int, channel: str = "email", reason: str = "unsubscribed",
                user_id: int | None = None) -> Suppression:
    """Never contact this customer on ``channel`` again (``all``: on any channel). Idempotent."""
    if channel not in ("email", "sms", "whatsapp", "link", "all"):
        raise Invalid(f"unknown channel {channel!r}", field="channel")
    customer = get_customer(session, customer_id)
    existing = session.scalar(select(Suppression).where(Suppression.customer_id == customer.id,
                                                        Suppression.channel == channel))
    if existing is not None:
        return existing
    record = Suppression(customer_id=customer.id, channel=channel, reason=reason[:200])
    session.add(record)
    session.flush()
    audit(session, user_id, "customer.unsubscribe", "customer", customer.id, {"channel": channel})
    return record


def resubscribe(session: Session, customer_id: int, channel: str = "email", user_id: int | None = None) -> None:
    customer = get_customer(session, customer_id)
    for record in session.scalars(select(Suppression).where(Suppression.customer_id == customer.id,
                                                            Suppression.channel == channel)):
        session.delete(record)
    audit(session, user_id, "customer.resubscribe", "customer", customer.id, {"channel": channel})


def is_suppressed(session: Session, customer_id: int, channel: str) -> bool:
    """True when the customer (or a profile merged into it) unsubscribed from ``channel`` or all."""
    ids = [customer_id, *session.scalars(select(Customer.id).where(Customer.merged_into_id == customer_id))]
    found = session.scalar(select(Suppression.id).where(
        Suppression.customer_id.in_(ids), Suppression.channel.in_((channel, "all"))).limit(1))
    return found is not None


def suppressions_of(session: Session, customer_id: int) -> list[Suppression]:
    """The channels this customer (or a profile merged into it) unsubscribed from."""
    ids = [customer_id, *session.scalars(select(Customer.id).where(Customer.merged_into_id == customer_id))]
    return list(session.scalars(select(Suppression).where(Suppression.customer_id.in_(ids)).order_by(Suppression.id)))


def list_suppressions(session: Session, limit: int = 100, offset: int = 0) -> list[Suppression]:
    return list(session.scalars(select(Suppression).order_by(Suppression.id.desc()).limit(limit).offset(offset)))


def count_suppressions(session: Session) -> int:
    return count_of(session, select(Suppression))


def unsubscribe_with_token(session: Session, settings: Settings, token: str) -> Suppression:
    """What the ``/u/<token>`` page (and the RFC 8058 one-click POST) calls."""
    customer_id, channel = read_unsubscribe_token(session, settings, token)
    return unsubscribe(session, customer_id, channel, reason="unsubscribe link")


# --- inviting ----------------------------------------------------------------------------

def email_of(session: Session, customer_id: int) -> str | None:
    return session.scalar(select(Identity.value).where(Identity.customer_id == customer_id, Identity.kind == "email")
                          .order_by(Identity.id).limit(1))


def invite(session: Session, data: InvitationIn, user_id: int | None = None, *,
           may_merge: bool = False) -> InviteResult:
    """Invite one customer now or after ``delay_minutes``, unless a rule or an unsubscribe forbids it."""
    survey = get_survey(session, data.survey)
    if data.customer is not None:
        customer = upsert_customer(session, data.customer, user_id, may_merge=may_merge,
                                   origin=f"invitation {data.survey}")
    else:
        assert data.customer_id is not None  # InvitationIn holds exactly one of the two
        customer = get_customer(session, data.customer_id)
    result = schedule(session, survey, customer, channel=data.channel,
                      send_at=utcnow() + timedelta(minutes=data.delay_minutes), source="manual")
    audit(session, user_id, "invitation.create" if result.invited else "invitation.skip", "survey", survey.id,
          {"customer_id": customer.id, "channel": data.channel})
    return result


def schedule(session: Session, survey: Survey, customer: Customer, *, channel: str, send_at: datetime,
             source: str) -> InviteResult:
    """Make the invitation and its sending job, or record why not (see :func:`rules.check`)."""
    if survey.status != "active":
        raise Conflict(f"survey {survey.key!r} is {survey.status}; only active surveys invite", field="survey")
    current_version(session, survey)
    address = email_of(session, customer.id) if channel == "email" else None
    if is_suppressed(session, customer.id, channel):
        return _skip(session, survey, customer, channel, source, f"unsubscribed from {channel}")
    if channel == "email" and address is None:
        return _skip(session, survey, customer, channel, source, "no e-mail address")
    verdict = rules.check(session, survey, customer)
    if verdict is not None:
        return _skip(session, survey, customer, channel, source, verdict.reason, verdict.rule_id)
    invitation = Invitation(survey_id=survey.id, customer_id=customer.id, channel=channel,
                            token_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest())
    session.add(invitation)
    session.flush()
    delivery = InvitationDelivery(invitation_id=invitation.id, address=address, source=source, send_at=send_at,
                                  status="scheduled" if channel == "email" else "sent")
    session.add(delivery)
    if channel == "email":
        delay = max((send_at - utcnow()).total_seconds(), 0)
        enqueue(session, SEND_TASK, {"invitation_id": invitation.id}, delay_s=delay,
                idempotency_key=f"{SEND_TASK}:{invitation.id}")
    else:  # a link handed out by an agent, chat bot or SMS tool: it counts as a contact now
        invitation.sent_at = utcnow()
    session.flush()
    return InviteResult(invited=True, invitation=invitation_out(session, invitation, delivery, survey.key))


def _skip(session: Session, survey: Survey, customer: Customer, channel: str, source: str, reason: str,
          rule_id: int | None = None) -> InviteResult:
    skip = record_skip(session, survey.id, customer.id, channel, source, reason, rule_id)
    return InviteResult(invited=False, skip=skip_out(session, skip, survey.key))


def record_skip(session: Session, survey_id: int, customer_id: int, channel: str, source: str, reason: str,
                rule_id: int | None = None) -> ContactSkip:
    skip = ContactSkip(survey_id=survey_id, customer_id=customer_id, channel=channel, source=source,
                       reason=reason[:300], rule_id=rule_id)
    session.add(skip)
    session.flush()
    return skip


def skip_out(session: Session, skip: ContactSkip, survey_key: str | None = None) -> SkipOut:
    rule = session.get(ContactRule, skip.rule_id) if skip.rule_id else None
    key = survey_key or session.scalar(select(Survey.key).where(Survey.id == skip.survey_id))
    return _skip_out(skip, key or "", rule.name if rule else None)


def _skip_out(skip: ContactSkip, survey_key: str, rule_name: str | None) -> SkipOut:
    return SkipOut(id=skip.id, at=skip.at, survey=survey_key, customer_id=skip.customer_id, channel=skip.channel,
                   rule_id=skip.rule_id, rule=rule_name, reason=skip.reason, source=skip.source)


def _skips_query(survey: str | None, rule_id: int | None,
                 customer_id: int | None) -> Select[ContactSkip, str, str | None]:
    query = (select(ContactSkip, Survey.key, ContactRule.name).join(Survey, ContactSkip.survey_id == Survey.id)
             .outerjoin(ContactRule, ContactSkip.rule_id == ContactRule.id))
    return where_given(query, (Survey.key, survey), (ContactSkip.rule_id, rule_id),
                       (ContactSkip.customer_id, customer_id))


def list_skips(session: Session, *, survey: str | None = None, rule_id: int | None = None,
               customer_id: int | None = None, limit: int = 100, offset: int = 0) -> list[SkipOut]:
    """Skipped invitations, newest first; survey and rule names come in the same query."""
    query = _skips_query(survey, rule_id, customer_id)
    rows = session.execute(query.order_by(ContactSkip.id.desc()).limit(limit).offset(offset))
    return [_skip_out(skip, key, rule) for skip, key, rule in rows]


def count_skips(session: Session, *, survey: str | None = None, rule_id: int | None = None,
                customer_id: int | None = None) -> int:
    return count_of(session, _skips_query(survey, rule_id, customer_id))


def invitation_out(session: Session, invitation: Invitation, delivery: InvitationDelivery | None,
                   survey_key: str | None = None) -> InvitationOut:
    key = survey_key or session.scalar(select(Survey.key).where(Survey.id == invitation.survey_id)) or ""
    return InvitationOut(
        id=invitation.id, survey=key, customer_id=invitation.customer_id, channel=invitation.channel,
        status=delivery.status if delivery else ("sent" if invitation.sent_at else "unknown"),
        address=delivery.address if delivery else None, source=delivery.source if delivery else "",
        send_at=delivery.send_at if delivery else invitation.created_at, sent_at=invitation.sent_at,
        answered_at=invitation.answered_at, attempts=delivery.attempts if delivery else 0,
        last_error=delivery.last_error if delivery else None,
        reminders_sent=delivery.reminders_sent if delivery else 0,
    )


def list_invitations(session: Session, *, survey: str | None = None, status: str | None = None,
                     customer_id: int | None = None, limit: int = 100, offset: int = 0) -> list[InvitationOut]:
    query = _invitations_query(survey, status, customer_id)
    rows = session.execute(query.order_by(Invitation.id.desc()).limit(limit).offset(offset)).all()
    return [invitation_out(session, inv, delivery, key) for inv, delivery, key in rows]


def _invitations_query(survey: str | None, status: str | None,
                       customer_id: int | None) -> Select[Invitation, InvitationDelivery | None, str]:
    query = (select(Invitation, InvitationDelivery, Survey.key)
             .join(Survey, Invitation.survey_id == Survey.id)
             .outerjoin(InvitationDelivery, InvitationDelivery.invitation_id == Invitation.id))
    return where_given(query, (Survey.key, survey), (InvitationDelivery.status, status),
                       (Invitation.customer_id, customer_id))


def count_invitations(session: Session, *, survey: str | None = None, status: str | None = None,
                      customer_id: int | None = None) -> int:
    return count_of(session, _invitations_query(survey, status, customer_id))


def invitation_counts(session: Session, survey_id: int) -> dict[str, int]:
    """Invitations of a survey by delivery status, plus ``answered`` and ``skipped``."""
    counts = {status: int(n) for status, n in session.execute(
        select(InvitationDelivery.status, func.count())
        .join(Invitation, Invitation.id == InvitationDelivery.invitation_id)
        .where(Invitation.survey_id == survey_id).group_by(InvitationDelivery.status))}
    counts["answered"] = session.scalar(select(func.count()).select_from(Invitation).where(
        Invitation.survey_id == survey_id, Invitation.answered_at.is_not(None))) or 0
    counts["skipped"] = session.scalar(select(func.count()).select_from(ContactSkip).where(
        ContactSkip.survey_id == survey_id)) or 0
    return counts


def is_answered(session: Session, invitation: Invitation) -> bool:
    if invitation.answered_at is not None:
        return True
    return session.scalar(select(Response.id).where(Response.invitation_id == invitation.id).limit(1)) is not None


def schedule_reminders(session: Session, data: ReminderIn, user_id: int | None = None) -> ReminderResult:
    """Queue a reminder for every e-mailed invitation unanswered after ``after_days`` (at most ``max_reminders``)."""
    survey = get_survey(session, data.survey)
    cutoff = utcnow() - timedelta(days=data.after_days)
    rows = session.execute(
        select(Invitation, InvitationDelivery)
        .join(InvitationDelivery, InvitationDelivery.invitation_id == Invitation.id)
        .where(Invitation.survey_id == survey.id, Invitation.channel == "email", InvitationDelivery.status == "sent",
               Invitation.answered_at.is_(None), Invitation.sent_at <= cutoff,
               InvitationDelivery.reminders_sent < data.max_reminders,
               (InvitationDelivery.last_reminded_at.is_(None)) | (InvitationDelivery.last_reminded_at <= cutoff))
        .order_by(Invitation.id)
    ).all()
    chosen = []
    for invitation, delivery in rows:
        if is_answered(session, invitation) or is_suppressed(session, invitation.customer_id, "email"):
            continue
        number = delivery.reminders_sent + 1
        enqueue(session, REMIND_TASK, {"invitation_id": invitation.id, "number": number},
                idempotency_key=f"{REMIND_TASK}:{invitation.id}:{number}")
        chosen.append(invitation.id)
    audit(session, user_id, "invitation.remind", "survey", survey.id, {"count": len(chosen)})
    return ReminderResult(scheduled=len(chosen), invitation_ids=chosen)
