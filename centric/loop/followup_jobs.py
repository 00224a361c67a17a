"""Background jobs of the closed loop's follow-up: case e-mails and the resolution follow-up."""

from __future__ import annotations

from html import escape
from typing import Any

from centric.db import utcnow
from centric.jobs import JobContext, PermanentError, task
from centric.loop.cases import log_contact
from centric.loop.followup import CASE_MAIL_TASK, FOLLOWUP_TASK, follow_up_resolved
from centric.loop.models import Case, CaseActivity
from centric.outreach import mail
from centric.outreach.service import is_suppressed
from centric.outreach.unsubscribe import unsubscribe_link


@task(CASE_MAIL_TASK)
def send_case_mail(context: JobContext, payload: dict[str, Any]) -> None:
    """Send an agent's e-mail once, with a one-click unsubscribe link; then log the contact.

    Once-only: the trail entry records ``sent_at`` and a re-run finds it. (A crash between
    the SMTP hand-over and that record can repeat the mail, as with every at-least-once job.)
    """
    activity_id = int(payload["activity_id"])
    with context.db.transaction() as session:
        activity = session.get(CaseActivity, activity_id)
        if activity is None or activity.kind != "mail":
            raise PermanentError(f"no case e-mail {activity_id}")
        if activity.detail.get("sent_at"):
            return
        case = session.get(Case, activity.case_id)
        assert case is not None and case.customer_id is not None
        if is_suppressed(session, case.customer_id, "email"):
            activity.detail = {**activity.detail, "status": "suppressed"}
            return
        link = unsubscribe_link(session, context.settings, case.customer_id, "email")
        subject, body, to = activity.detail["subject"], activity.body, activity.detail["to"]
    text = f"{body}\n\n--\nDon't want these e-mails? Unsubscribe: {link}"
    html = (f"<div style=\"white-space:pre-wrap\">{escape(body)}</div>"
            f"<p style=\"font-size:small;color:#666\"><a href=\"{escape(link)}\">Unsubscribe</a></p>")
    mail.send(context.settings, mail.Mail(to=to, subject=subject, text=text, html=html, unsubscribe_url=link))
    with context.db.transaction() as session:
        activity = session.get(CaseActivity, activity_id)
        case = session.get(Case, activity.case_id) if activity else None
        if activity is None or case is None or activity.detail.get("sent_at"):
            return
        sent_at = utcnow()
        activity.detail = {**activity.detail, "status": "sent", "sent_at": sent_at.isoformat()}
        log_contact(session, case, activity.user_id, channel="email", outcome="sent", body=subject, at=sent_at,
                    detail={"mail_activity_id": activity_id})


@task(FOLLOWUP_TASK)
def follow_up_cases(context: JobContext, payload: dict[str, Any]) -> None:
    """Recovery survey and re-survey for resolved cases (idempotent, see :func:`follow_up_resolved`)."""
    with context.db.transaction() as session:
        follow_up_resolved(session, context.settings, [int(i) for i in payload["case_ids"]])
