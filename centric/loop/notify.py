"""Telling staff about the loop: e-mails to users (rule alerts, SLA escalations) sent by a job.

Each recipient reads the e-mail in their own language (``User.locale``; none: English).
The caller passes ``compose``, which writes the subject and text in the current locale;
it runs once per language among the recipients, and each language gets its own job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from html import escape
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from centric import i18n
from centric.accounts.models import User
from centric.jobs import JobContext, task
from centric.jobs.models import Job
from centric.jobs.service import enqueue
from centric.outreach import mail

NOTIFY_TASK = "loop.notify"
Compose = Callable[[], tuple[str, str]]  # (subject, text) in the current locale


def notify(session: Session, *, user_ids: Iterable[int] = (), emails: Iterable[str] = (), compose: Compose,
           key: str) -> Job | None:
    """Queue the e-mail to these active users and addresses; ``key`` makes it once-only.

    An address typed in by hand that belongs to an active user gets that user's language.
    The jobs commit with the caller's change (an escalation, a rule's match): no
    notification for a change that rolled back, and a retried change notifies once.
    Returns the first job queued (None when there is no one to tell).
    """
    language_of: dict[str, str | None] = {address: None for address in emails}
    ids = sorted(set(user_ids))
    wanted = [User.id.in_(ids)] if ids else []
    if language_of:
        wanted.append(User.email.in_(sorted(language_of)))
    if wanted:
        for address, locale in session.execute(select(User.email, User.locale).where(
                or_(*wanted), User.is_active.is_(True))):
            language_of[address] = locale
    if not language_of:
        return None
    groups: dict[str, list[str]] = {}
    for address, locale in language_of.items():
        groups.setdefault(i18n.normalise(locale), []).append(address)
    jobs = []
    for language in sorted(groups, key=lambda code: (code != i18n.DEFAULT, code)):
        with i18n.use_locale(language):
            subject, text = compose()
        suffix = "" if language == i18n.DEFAULT else f":{language}"
        jobs.append(enqueue(session, NOTIFY_TASK, {"to": sorted(groups[language]), "subject": subject[:200],
                                                   "text": text, "language": language},
                            idempotency_key=f"{NOTIFY_TASK}:{key}"[:200 - len(suffix)] + suffix))
    return jobs[0]


@task(NOTIFY_TASK)
def send_notification(context: JobContext, payload: dict[str, Any]) -> None:
    """Send the staff e-mail; a retry after a partial failure may repeat it to earlier recipients."""
    for address in payload["to"]:
        body = f"<pre style=\"font-family:inherit;white-space:pre-wrap\">{escape(payload['text'])}</pre>"
        mail.send(context.settings, mail.Mail(to=address, subject=payload["subject"], text=payload["text"],
                                              html=body))
