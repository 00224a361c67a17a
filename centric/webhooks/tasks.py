"""The job that POSTs one webhook delivery; non-2xx answers and network errors are retried.

The target is resolved and checked again at every attempt (DNS may have changed since the
subscription was made) and the request goes to the address checked; an address webhooks
may not reach fails the delivery at once. Only the status code and a short reason are
logged, never the target's answer.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import update

from centric.accounts.sealing import Unsealable
from centric.db import utcnow
from centric.errors import Invalid
from centric.jobs import JobContext, PermanentError, task
from centric.webhooks.models import WebhookDelivery, WebhookSubscription
from centric.webhooks.service import DELIVER_TASK, body_of, secret_of
from centric.webhooks.signature import HEADER, signature_header
from centric.webhooks.targets import UnsafeTarget, outcome_of, post, resolve_target

_MAX_ERROR = 300


class DeliveryFailed(Exception):
    """The target answered with a status other than 2xx."""


@task(DELIVER_TASK)
def deliver(context: JobContext, payload: dict[str, Any]) -> None:
    delivery_id = int(payload["delivery_id"])
    with context.db.transaction() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None:
            raise PermanentError(f"delivery {delivery_id} not found")
        if delivery.status != "pending":  # delivered, or withdrawn (the customer was erased)
            return
        subscription = session.get(WebhookSubscription, delivery.subscription_id)
        assert subscription is not None
        try:
            secret = secret_of(session, subscription, context.settings)
        except Unsealable as exc:
            secret, sealed_error = "", f"cannot sign: {exc}"
        else:
            sealed_error = ""
        url, event, event_id, body = subscription.url, delivery.event, delivery.event_id, body_of(delivery)
    code: int | None = None
    error: str | None = sealed_error or None
    permanent = bool(sealed_error)
    if not error:
        headers = {"Content-Type": "application/json", "User-Agent": "Centric-Webhooks/1",
                   "X-Centric-Event": event, "X-Centric-Delivery": event_id, HEADER: signature_header(secret, body)}
        try:
            target = resolve_target(url, context.settings.webhook_allowed_host_names)
            answer = post(target, body, headers, context.settings.webhook_timeout_s)
            code = answer.status_code
            error = outcome_of(code)
        except UnsafeTarget as exc:
            error, permanent = f"refused: {exc.message}", True
        except Invalid as exc:
            error = exc.message
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
    outcome: dict[str, Any] = {"attempts": WebhookDelivery.attempts + 1, "response_code": code,
                               "last_error": error[:_MAX_ERROR] if error else None}
    if error is None:
        outcome.update(status="delivered", delivered_at=utcnow())
    elif context.last_attempt or permanent:
        outcome["status"] = "failed"
    with context.db.transaction() as session:
        # One UPDATE as the first statement: on SQLite a transaction that reads first cannot
        # take the write lock if another worker wrote meanwhile ("database is locked").
        session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(outcome))
    if permanent:
        raise PermanentError(error)
    if error is not None:
        raise DeliveryFailed(error)
