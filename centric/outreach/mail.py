"""E-mail over SMTP with the standard library; composing survey invitations and reminders."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from html import escape

from centric.config import Settings

SCALES = {"nps": range(0, 11), "csat": range(1, 6), "ces": range(1, 8)}


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str
    unsubscribe_url: str = ""  # staff notifications have none


@dataclass(frozen=True)
class InvitationText:
    survey_name: str
    survey_kind: str
    customer_name: str
    survey_url: str
    score_urls: dict[int, str]
    unsubscribe_url: str
    reminder: bool = False


def compose(to: str, content: InvitationText) -> Mail:
    """The invitation (or reminder) e-mail: one-click scores where the survey has a scale."""
    greeting = f"Hello {content.customer_name}," if content.customer_name else "Hello,"
    ask = {"nps": "How likely are you to recommend us to a friend or colleague?",
           "csat": "How satisfied were you?",
           "ces": "How easy was it to get what you needed?"}.get(content.survey_kind, "Tell us how we did.")
    subject = ("Reminder: " if content.reminder else "") + f"{content.survey_name}: a quick question"
    lines = [greeting, "", ask, ""]
    if content.score_urls:
        lines += [f"  {score}: {url}" for score, url in content.score_urls.items()] + [""]
    lines += [f"Answer the survey: {content.survey_url}", "",
              f"Don't want these e-mails? Unsubscribe: {content.unsubscribe_url}"]
    buttons = " ".join(
        f'<a href="{escape(url)}" style="display:inline-block;padding:6px 10px;border:1px solid #888;'
        f'border-radius:4px;text-decoration:none">{score}</a>'
        for score, url in content.score_urls.items()
    )
    html = (
        f"<p>{escape(greeting)}</p><p>{escape(ask)}</p>"
        + (f"<p>{buttons}</p>" if buttons else "")
        + f'<p><a href="{escape(content.survey_url)}">Answer the survey</a></p>'
        + f'<p style="font-size:small;color:#666"><a href="{escape(content.unsubscribe_url)}">Unsubscribe</a></p>'
    )
    return Mail(to=to, subject=subject, text="\n".join(lines), html=html, unsubscribe_url=content.unsubscribe_url)


def to_message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="centric")
    if mail.unsubscribe_url:
        # RFC 8058 one-click unsubscribe: mail clients show an "Unsubscribe" button.
        message["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


def send(settings: Settings, mail: Mail) -> None:
    """Hand ``mail`` to the SMTP server; raises ``OSError``/``smtplib.SMTPException`` on failure."""
    message = to_message(mail, settings.mail_from)
    if settings.smtp_ssl:
        client: smtplib.SMTP = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port,
                                                 timeout=settings.smtp_timeout_s,
                                                 context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_s)
    with client:
        if settings.smtp_starttls and not settings.smtp_ssl:
            client.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            client.login(settings.smtp_user, settings.smtp_password)
        client.send_message(message)
