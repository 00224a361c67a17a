"""JSON routes to manage webhook subscriptions and inspect or retry deliveries."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from centric.accounts.roles import Permission
from centric.web.deps import MAX_ID, Caller, ObjectId, get_session, require
from centric.webhooks import service
from centric.webhooks.schemas import (
    DeliveryOut,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionOut,
)

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
Configure = Depends(require(Permission.CONFIGURE))


@router.get("", response_model=list[SubscriptionOut])
def list_webhooks(include_inactive: bool = False, session: Session = Depends(get_session),
                  _: Caller = Configure) -> list:
    return service.list_subscriptions(session, include_inactive=include_inactive)


@router.post("", response_model=SubscriptionCreated, status_code=201)
def create_webhook(data: SubscriptionIn, session: Session = Depends(get_session),
                   caller: Caller = Configure) -> SubscriptionCreated:
    """Subscribe a URL to events; the answer holds the signing secret, shown only this once."""
    subscription, secret = service.create_subscription(session, data, caller.user.id)
    return SubscriptionCreated.model_validate(subscription).model_copy(update={"secret": secret})


@router.delete("/{subscription_id}", status_code=204)
def delete_webhook(subscription_id: ObjectId, session: Session = Depends(get_session),
                   caller: Caller = Configure) -> None:
    service.deactivate_subscription(session, subscription_id, caller.user.id)


@router.post("/{subscription_id}/ping", response_model=DeliveryOut, status_code=202)
def ping_webhook(subscription_id: ObjectId, session: Session = Depends(get_session),
                 _: Caller = Configure):  # type: ignore[no-untyped-def]
    return service.ping(session, subscription_id)


@router.get("/deliveries", response_model=list[DeliveryOut])
def list_deliveries(
    subscription_id: int | None = Query(default=None, ge=1, le=MAX_ID),
    status: Literal["pending", "delivered", "failed"] | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=10**9),
    session: Session = Depends(get_session), _: Caller = Configure,
) -> list:
    return service.list_deliveries(session, subscription_id=subscription_id, status=status, limit=limit,
                                   offset=offset)


@router.post("/deliveries/{delivery_id}/retry", response_model=DeliveryOut, status_code=202)
def retry_delivery(delivery_id: ObjectId, session: Session = Depends(get_session),
                   caller: Caller = Configure):  # type: ignore[no-untyped-def]
    delivery = service.redeliver(session, delivery_id, caller.user.id)
    session.flush()
    return delivery
