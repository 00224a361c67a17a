"""Telling staff about the loop: e-mails to users (rule alerts, SLA escalations) sent by a job."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.accounts.models import User
from centric.jobs import JobContext, task
from centric.jobs.models import Job
from centric.jobs.service import enqueue
from centric.outreach import mail

NOTIFY_TASK = "loop.notify"


def notify(session: Session, *, user_ids: Iterable[int] = (), emails: Iterable[str] = (), subject: str,
           text: str, key: str) -> Job | None:
    """Queue one e-mail to these active users and addresses; ``key`` makes it once-only.

    The job commits with the caller's change (an escalation, a rule's match): no
    notification for a change that rolled back, and a retried change notifies once.
    """
    ids = sorted(set(user_ids))
    addresses = set(emails)
    if ids:
        addresses.update(session.scalars(select(User.email).where(User.id.in_(ids), User.is_active.is_(True))))
    if not addresses:
        return None
    return enqueue(session, NOTIFY_TASK, {"to": sorted(addresses), "subject": subject[:200], "text": text},
                   idempotency_key=f"{NOTIFY_TASK}:{key}"[:200])


@task(NOTIFY_TASK)
def send_notification(context: JobContext, payload: dict[str, Any]) -> None:
    """Send the staff e-mail; a retry after a partial failure may repeat it to earlier recipients."""
    for address in payload["to"]:
        body = f"<pre style=\"font-family:inherit;white-space:pre-wrap\">{escape(payload['text'])}</pre>"
        mail.send(context.settings, mail.Mail(to=address, subject=payload["subject"], text=payload["text"],
                                              html=body))
