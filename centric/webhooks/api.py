"""JSON routes to manage webhook subscriptions and inspect or retry deliveries."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query

from centric.web.deps import MAX_ID, AppSettings, CanConfigure, DbSession, ObjectId, Page, Paging
from centric.webhooks import service
from centric.webhooks.models import WebhookDelivery
from centric.webhooks.schemas import (
    DeliveryOut,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionOut,
)

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


@router.get("", response_model=Page[SubscriptionOut])
def list_webhooks(session: DbSession, _: CanConfigure, paging: Paging,
                  include_inactive: bool = False) -> Page[SubscriptionOut]:
    rows, total = service.list_subscriptions(session, include_inactive=include_inactive, limit=paging.limit,
                                             offset=paging.offset)
    return paging.of([SubscriptionOut.model_validate(s) for s in rows], total)


@router.post("", response_model=SubscriptionCreated, status_code=201)
def create_webhook(data: SubscriptionIn, session: DbSession, caller: CanConfigure,
                   settings: AppSettings) -> SubscriptionCreated:
    """Subscribe a URL to events; the answer holds the signing secret, shown only this once."""
    subscription, secret = service.create_subscription(session, data, settings, caller.user.id)
    return SubscriptionCreated(**SubscriptionOut.model_validate(subscription).model_dump(), secret=secret)


@router.delete("/{subscription_id}", status_code=204)
def delete_webhook(subscription_id: ObjectId, session: DbSession, caller: CanConfigure) -> None:
    service.deactivate_subscription(session, subscription_id, caller.user.id)


@router.post("/{subscription_id}/ping", response_model=DeliveryOut, status_code=202)
def ping_webhook(subscription_id: ObjectId, session: DbSession, _: CanConfigure) -> WebhookDelivery:
    return service.ping(session, subscription_id)


@router.get("/deliveries", response_model=Page[DeliveryOut])
def list_deliveries(session: DbSession, _: CanConfigure, paging: Paging,
                    subscription_id: int | None = Query(default=None, ge=1, le=MAX_ID),
                    status: Literal["pending", "delivered", "failed"] | None = None) -> Page[DeliveryOut]:
    rows = service.list_deliveries(session, subscription_id=subscription_id, status=status, limit=paging.limit,
                                   offset=paging.offset)
    total = service.count_deliveries(session, subscription_id=subscription_id, status=status)
    return paging.of([DeliveryOut.model_validate(d) for d in rows], total)


@router.post("/deliveries/{delivery_id}/retry", response_model=DeliveryOut, status_code=202)
def retry_delivery(delivery_id: ObjectId, session: DbSession, caller: CanConfigure) -> WebhookDelivery:
    delivery = service.redeliver(session, delivery_id, caller.user.id)
    session.flush()
    return delivery
