"""JSON routes of the digests: the caller's digest and their subscription."""

from __future__ import annotations

from fastapi import APIRouter

from centric.db import utcnow
from centric.governance import digests
from centric.governance.digest_schemas import DigestOut, SubscriptionIn, SubscriptionOut
from centric.web.deps import AppSettings, CanReadMetrics, DbSession

router = APIRouter(tags=["governance"])


@router.get("/digests/me", response_model=DigestOut)
def my_digest(session: DbSession, caller: CanReadMetrics) -> DigestOut:
    """The caller's digest for the running period (weekly: the last 7 days; daily subscribers: today)."""
    frequency = digests.frequency_of(session, caller.user)
    return digests.build_digest(session, caller.user, digests.running_period(frequency, utcnow().date()))


@router.get("/digests/me/subscription", response_model=SubscriptionOut)
def my_subscription(session: DbSession, settings: AppSettings, caller: CanReadMetrics) -> SubscriptionOut:
    return digests.get_subscription(session, settings, caller.user)


@router.put("/digests/me/subscription", response_model=SubscriptionOut)
def change_subscription(data: SubscriptionIn, session: DbSession, settings: AppSettings,
                        caller: CanReadMetrics) -> SubscriptionOut:
    """Weekly, daily or off; anyone may opt into the daily digest."""
    return digests.set_subscription(session, settings, caller.user, data.frequency, caller.user.id)
