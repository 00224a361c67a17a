"""Webhook subscriptions, emitting events (inside the caller's transaction) and the delivery log."""

from __future__ import annotations

import fnmatch
import json
import secrets
import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from centric.accounts.sealing import seal, unseal
from centric.accounts.service import audit
from centric.accounts.signing import signing_key
from centric.config import Settings
from centric.db import count_of, in_chunks, page_of, where_given
from centric.errors import Conflict, Invalid, NotFound
from centric.events import FeedbackStored, ResponsesStored
from centric.feedback.models import Feedback
from centric.feedback.schemas import FeedbackOut
from centric.jobs.service import enqueue
from centric.surveys.service import response_outs
from centric.webhooks.models import WebhookDelivery, WebhookSubscription
from centric.webhooks.schemas import SubscriptionIn, check_event_pattern
from centric.webhooks.targets import resolve_target

DELIVER_TASK = "webhooks.deliver"
_CACHE = "centric.webhooks.subscriptions"
SECRET_PURPOSE = "webhook_subscription.secret"


def create_subscription(session: Session, data: SubscriptionIn, settings: Settings,
                        user_id: int | None = None) -> tuple[WebhookSubscription, str]:
    """A new subscription and its signing secret (returned once, stored sealed).

    The URL must resolve to public addresses only, unless its host is in
    ``settings.webhook_allowed_hosts``; delivery checks again (DNS may change).
    """
    resolve_target(data.url, settings.webhook_allowed_host_names)
    secret = "whsec_" + secrets.token_urlsafe(32)
    sealed = seal(signing_key(session, settings.secret_key), SECRET_PURPOSE, secret)
    subscription = WebhookSubscription(url=data.url, events=data.events, description=data.description,
                                       secret_sealed=sealed, created_by=user_id)
    session.add(subscription)
    session.flush()
    session.info.pop(_CACHE, None)
    audit(session, user_id, "webhook.create", "webhook_subscription", subscription.id,
          {"url": data.url, "events": data.events})
    return subscription, secret


def secret_of(session: Session, subscription: WebhookSubscription, settings: Settings) -> str:
    """The signing secret in clear, for signing a delivery; raises ``Unsealable`` if the key changed."""
    return unseal(signing_key(session, settings.secret_key), SECRET_PURPOSE, subscription.secret_sealed)


def get_subscription(session: Session, subscription_id: int) -> WebhookSubscription:
    subscription = session.get(WebhookSubscription, subscription_id)
    if subscription is None:
        raise NotFound(f"webhook {subscription_id} not found")
    return subscription


def list_subscriptions(session: Session, *, include_inactive: bool = False, limit: int | None = None,
                       offset: int = 0) -> tuple[list[WebhookSubscription], int]:
    """Subscriptions, oldest first (a slice of them), and how many there are."""
    query = select(WebhookSubscription)
    if not include_inactive:
        query = query.where(WebhookSubscription.active.is_(True))
    return page_of(session, query.order_by(WebhookSubscription.id), limit, offset)


def deactivate_subscription(session: Session, subscription_id: int, user_id: int | None = None) -> None:
    """Stop sending to this URL; its delivery log stays."""
    subscription = get_subscription(session, subscription_id)
    if not subscription.active:
        return
    subscription.active = False
    session.info.pop(_CACHE, None)
    audit(session, user_id, "webhook.deactivate", "webhook_subscription", subscription.id, {})


def _active(session: Session) -> list[tuple[int, list[str]]]:
    """(id, event patterns) of active subscriptions, read once per transaction."""
    if _CACHE not in session.info:
        session.info[_CACHE] = [tuple(row) for row in session.execute(
            select(WebhookSubscription.id, WebhookSubscription.events).where(WebhookSubscription.active.is_(True)))]
    return session.info[_CACHE]


def _matches(event: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(event, pattern) for pattern in patterns)


def emit(session: Session, event: str, payload: BaseModel | dict[str, Any], *,
         only_subscription: int | None = None) -> list[WebhookDelivery]:
    """Queue ``event`` for every subscription that wants it; commits with the caller.

    If the caller's transaction rolls back, nothing is sent: deliveries and their jobs
    are rows in the same transaction.
    """
    try:
        check_event_pattern(event)
    except ValueError as exc:
        raise Invalid(str(exc), field="event") from None
    if "*" in event:
        raise Invalid("emit a concrete event, not a pattern", field="event")
    targets = [sid for sid, patterns in _active(session) if _matches(event, patterns)
               and (only_subscription is None or sid == only_subscription)]
    if not targets:
        return []
    data = payload.model_dump(mode="json") if isinstance(payload, BaseModel) else json.loads(json.dumps(payload,
                                                                                                        default=str))
    event_id = f"evt_{uuid.uuid4().hex}"
    deliveries = []
    for subscription_id in targets:
        delivery = WebhookDelivery(subscription_id=subscription_id, event=event, event_id=event_id, payload=data)
        session.add(delivery)
        session.flush()
        enqueue(session, DELIVER_TASK, {"delivery_id": delivery.id}, idempotency_key=f"{DELIVER_TASK}:{delivery.id}:0")
        deliveries.append(delivery)
    return deliveries


def wanted(session: Session, event: str) -> bool:
    """Whether any active subscription wants ``event`` (read once per transaction)."""
    return any(_matches(event, patterns) for _, patterns in _active(session))


def announce_responses(session: Session, event: ResponsesStored) -> None:
    """Reaction: ``response.created`` for each completed response (not for imported history)."""
    if event.imported or not wanted(session, "response.created"):
        return
    for out in response_outs(session, event.ids):
        emit(session, "response.created", out)


def announce_feedback(session: Session, event: FeedbackStored) -> None:
    """Reaction: ``feedback.created`` for each item received as feedback (survey comments are not)."""
    if event.origin != "feedback" or not wanted(session, "feedback.created"):
        return
    for chunk in in_chunks(list(event.ids)):
        for item in session.scalars(select(Feedback).where(Feedback.id.in_(chunk)).order_by(Feedback.id)):
            emit(session, "feedback.created", FeedbackOut.model_validate(item))


def ping(session: Session, subscription_id: int) -> WebhookDelivery:
    """Send a ``ping`` event to one subscription, to test the receiving end."""
    subscription = get_subscription(session, subscription_id)
    if not subscription.active:
        raise Conflict(f"webhook {subscription_id} is deactivated; it sends nothing")
    delivery = WebhookDelivery(subscription_id=subscription.id, event="ping", event_id=f"evt_{uuid.uuid4().hex}",
                               payload={"subscription_id": subscription.id})
    session.add(delivery)
    session.flush()
    enqueue(session, DELIVER_TASK, {"delivery_id": delivery.id}, idempotency_key=f"{DELIVER_TASK}:{delivery.id}:0")
    return delivery


def body_of(delivery: WebhookDelivery) -> bytes:
    """The exact bytes sent (identical on every retry; only the signature's timestamp changes)."""
    envelope = {"id": delivery.event_id, "event": delivery.event, "created_at": _iso(delivery.created_at),
                "data": delivery.payload}
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"


def list_deliveries(session: Session, *, subscription_id: int | None = None, status: str | None = None,
                    limit: int = 100, offset: int = 0) -> list[WebhookDelivery]:
    if subscription_id is not None:
        get_subscription(session, subscription_id)
    query = _deliveries_query(subscription_id, status)
    return list(session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit).offset(offset)))


def redeliver(session: Session, delivery_id: int, user_id: int | None = None) -> WebhookDelivery:
    """Send a failed (or delivered) event again, with a fresh set of attempts."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise NotFound(f"delivery {delivery_id} not found")
    if delivery.status == "pending":
        raise Conflict(f"delivery {delivery_id} is still pending")
    if not get_subscription(session, delivery.subscription_id).active:
        raise Conflict(f"webhook {delivery.subscription_id} is deactivated; its deliveries cannot be sent again")
    delivery.status, delivery.attempts = "pending", 0
    enqueue(session, DELIVER_TASK, {"delivery_id": delivery.id},
            idempotency_key=f"{DELIVER_TASK}:{delivery.id}:{uuid.uuid4().hex[:8]}")
    audit(session, user_id, "webhook.redeliver", "webhook_delivery", delivery.id, {})
    return delivery


def _deliveries_query(subscription_id: int | None, status: str | None) -> Select[tuple[WebhookDelivery]]:
    return where_given(select(WebhookDelivery), (WebhookDelivery.subscription_id, subscription_id),
                       (WebhookDelivery.status, status))


def count_deliveries(session: Session, *, subscription_id: int | None = None, status: str | None = None) -> int:
    """How many deliveries :func:`list_deliveries` pages through."""
    return count_of(session, _deliveries_query(subscription_id, status))
