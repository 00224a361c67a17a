"""The sign-in e-mail's job: the link is signed when the mail is sent (the queue holds no credential)."""

from __future__ import annotations

from typing import Any

from centric.accounts.signing import signing_key
from centric.ideas.signin import SIGN_IN_TASK, compose_sign_in, sign_in_link
from centric.jobs import JobContext, task
from centric.outreach import mail


@task(SIGN_IN_TASK, max_attempts=3)
def send_sign_in(context: JobContext, payload: dict[str, Any]) -> None:
    """Send one sign-in link; a retry sends a fresh link (both work, each for an hour)."""
    email, name = str(payload["email"]), str(payload.get("name", ""))
    with context.db.transaction() as session:
        key = signing_key(session, context.settings.secret_key)
    link = sign_in_link(context.settings, key, email, name, str(payload.get("next", "/ideas")))
    message = compose_sign_in(email, name, link, str(payload.get("locale", "en")))
    mail.send(context.settings, message)
