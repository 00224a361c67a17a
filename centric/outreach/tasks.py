"""Jobs that send invitation and reminder e-mails (idempotent: a sent invitation is not re-sent)."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import case, update
from sqlalchemy.orm import Session

from centric.accounts.signing import signing_key
from centric.config import Settings
from centric.customers.models import Customer
from centric.db import utcnow
from centric.jobs import JobContext, PermanentError, task
from centric.outreach import mail
from centric.outreach.models import InvitationDelivery
from centric.outreach.service import (
    REMIND_TASK,
    SEND_TASK,
    is_answered,
    is_suppressed,
    record_skip,
)
from centric.outreach.unsubscribe import unsubscribe_link
from centric.surveys.links import public_path, survey_token
from centric.surveys.models import Invitation, Survey

LINK_TTL_DAYS = 30


def _compose(session: Session, settings: Settings, invitation: Invitation, address: str,
             reminder: bool) -> mail.Mail:
    survey = session.get(Survey, invitation.survey_id)
    customer = session.get(Customer, invitation.customer_id)
    assert survey is not None and customer is not None
    token = survey_token(signing_key(session, settings.secret_key), survey.key, invitation.customer_id,
                         invitation.id, LINK_TTL_DAYS)
    invitation.token_hash = hashlib.sha256(token.encode()).hexdigest()
    base = settings.public_url.rstrip("/")
    scale = mail.SCALES.get(survey.kind, range(0))
    content = mail.InvitationText(
        survey_name=survey.name, survey_kind=survey.kind, customer_name=customer.name,
        survey_url=base + public_path(survey.key, t=token),
        score_urls={score: base + public_path(survey.key, t=token, score=score) for score in scale},
        unsubscribe_url=unsubscribe_link(session, settings, invitation.customer_id, "email"),
        reminder=reminder,
    )
    return mail.compose(address, content)


def _prepare(context: JobContext, invitation_id: int, *, reminder: bool, number: int = 0) -> mail.Mail | None:
    """The e-mail to send, or None when there is nothing to do (sent, answered, unsubscribed)."""
    with context.db.transaction() as session:
        invitation = session.get(Invitation, invitation_id)
        delivery = session.get(InvitationDelivery, invitation_id)
        if invitation is None or delivery is None:
            raise PermanentError(f"invitation {invitation_id} has no delivery record")
        if reminder:
            if delivery.status != "sent" or delivery.reminders_sent >= number or is_answered(session, invitation):
                return None
        elif delivery.status != "scheduled":
            return None
        if is_suppressed(session, invitation.customer_id, "email"):
            if not reminder:
                delivery.status = "suppressed"
                record_skip(session, invitation.survey_id, invitation.customer_id, "email", delivery.source,
                            "unsubscribed from email before sending")
            return None
        if not delivery.address:
            raise PermanentError(f"invitation {invitation_id} has no e-mail address")
        return _compose(session, context.settings, invitation, delivery.address, reminder)


def _send(context: JobContext, invitation_id: int, message: mail.Mail) -> None:
    try:
        mail.send(context.settings, message)
    except Exception as exc:
        _record(context, invitation_id, attempts=InvitationDelivery.attempts + 1,
                last_error=f"{type(exc).__name__}: {exc}"[:2000])
        raise


def _record(context: JobContext, invitation_id: int, **values: Any) -> None:
    """Update the delivery record with one UPDATE as the first statement of its transaction:
    on SQLite a transaction that reads first cannot take the write lock if another worker
    wrote meanwhile ("database is locked")."""
    with context.db.transaction() as session:
        session.execute(update(InvitationDelivery).where(InvitationDelivery.invitation_id == invitation_id)
                        .values(**values))


@task(SEND_TASK)
def send_invitation(context: JobContext, payload: dict[str, Any]) -> None:
    invitation_id = int(payload["invitation_id"])
    try:
        message = _prepare(context, invitation_id, reminder=False)
        if message is None:
            return
        _send(context, invitation_id, message)
    except Exception:
        if context.last_attempt:
            with context.db.transaction() as session:
                session.execute(update(InvitationDelivery).where(
                    InvitationDelivery.invitation_id == invitation_id, InvitationDelivery.status == "scheduled")
                    .values(status="failed"))
        raise
    with context.db.transaction() as session:
        session.execute(update(InvitationDelivery).where(InvitationDelivery.invitation_id == invitation_id)
                        .values(status="sent", attempts=InvitationDelivery.attempts + 1, last_error=None))
        session.execute(update(Invitation).where(Invitation.id == invitation_id).values(sent_at=utcnow()))


@task(REMIND_TASK)
def send_reminder(context: JobContext, payload: dict[str, Any]) -> None:
    invitation_id, number = int(payload["invitation_id"]), int(payload["number"])
    message = _prepare(context, invitation_id, reminder=True, number=number)
    if message is None:
        return
    _send(context, invitation_id, message)
    sent = InvitationDelivery.reminders_sent
    _record(context, invitation_id, reminders_sent=case((sent < number, number), else_=sent),
            last_reminded_at=utcnow())
