"""The job that POSTs one webhook delivery; non-2xx answers and network errors are retried."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import update

from centric.db import utcnow
from centric.jobs import JobContext, PermanentError, task
from centric.webhooks.models import WebhookDelivery, WebhookSubscription
from centric.webhooks.service import DELIVER_TASK, body_of
from centric.webhooks.signature import HEADER, signature_header


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
        url, secret, event, event_id, body = (subscription.url, subscription.secret, delivery.event,
                                              delivery.event_id, body_of(delivery))
    headers = {"Content-Type": "application/json", "User-Agent": "Centric-Webhooks/1",
               "X-Centric-Event": event, "X-Centric-Delivery": event_id, HEADER: signature_header(secret, body)}
    code: int | None = None
    error: str | None = None
    try:
        answer = httpx.post(url, content=body, headers=headers, timeout=context.settings.webhook_timeout_s,
                            follow_redirects=False)
        code = answer.status_code
        if not 200 <= code < 300:
            error = f"HTTP {code}: {answer.text[:300]}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    outcome: dict[str, Any] = {"attempts": WebhookDelivery.attempts + 1, "response_code": code, "last_error": error}
    if error is None:
        outcome.update(status="delivered", delivered_at=utcnow())
    elif context.last_attempt:
        outcome["status"] = "failed"
    with context.db.transaction() as session:
        # One UPDATE as the first statement: on SQLite a transaction that reads first cannot
        # take the write lock if another worker wrote meanwhile ("database is locked").
        session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(outcome))
    if error is not None:
        raise DeliveryFailed(error)
