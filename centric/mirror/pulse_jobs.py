"""Jobs of the employee pulses: the e-mail with a personal link, and the daily scheduler."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape
from typing import Any

from centric.config import Settings
from centric.db import utcnow
from centric.jobs import JobContext, task
from centric.mirror.models import Employee, Pulse, PulseInvitation, PulseWave
from centric.mirror.pulses import INVITE_TASK, SCHEDULE_TASK, issue_link, link_path, open_due_waves, schedule_pulses
from centric.outreach import mail


def compose_invitation(settings: Settings, to: str, name: str, pulse_name: str, url: str,
                       closes_on: date) -> mail.Mail:
    greeting = f"Hello {name}," if name else "Hello,"
    ask = (f"{pulse_name}: a few questions, two minutes. Your answers are anonymous: they are stored "
           "without your name, and shown only as totals of groups of several people.")
    until = f"The survey is open until {closes_on.isoformat()}. The link works once."
    text = "\n".join([greeting, "", ask, "", f"Answer here: {url}", "", until])
    html = (f"<p>{escape(greeting)}</p><p>{escape(ask)}</p>"
            f'<p><a href="{escape(url)}">Answer the pulse</a></p><p>{escape(until)}</p>')
    return mail.Mail(to=to, subject=f"{pulse_name}: how is work going?", text=text, html=html)


@task(INVITE_TASK)
def send_invitation(context: JobContext, payload: dict[str, Any]) -> None:
    """Send one invitation's link once; an answered, sent or e-mail-less invitation is left alone."""
    with context.db.transaction() as session:
        invitation = session.get(PulseInvitation, int(payload["invitation_id"]))
        if invitation is None or invitation.sent_at is not None or invitation.answered:
            return
        employee = session.get(Employee, invitation.employee_id)
        wave = session.get(PulseWave, invitation.wave_id)
        pulse = session.get(Pulse, wave.pulse_id) if wave else None
        if employee is None or not employee.email or wave is None or pulse is None:
            return
        token = issue_link(session, invitation)
        url = context.settings.public_url.rstrip("/") + link_path(token)
        message = compose_invitation(context.settings, employee.email, employee.name, pulse.name, url,
                                     wave.closes_on)
    mail.send(context.settings, message)
    with context.db.transaction() as session:
        sent = session.get(PulseInvitation, int(payload["invitation_id"]))
        if sent is not None:
            sent.sent_at = utcnow()


@task(SCHEDULE_TASK)
def run_scheduler(context: JobContext, payload: dict[str, Any]) -> None:
    """Open the waves due today (once per period whatever the number of workers), then queue tomorrow's run."""
    day = date.fromisoformat(payload["day"]) if payload.get("day") else utcnow().date()
    open_due_waves(context.db, max(day, utcnow().date()))
    with context.db.transaction() as session:
        schedule_pulses(session, utcnow().date() + timedelta(days=1))
