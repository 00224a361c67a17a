"""``Idempotency-Key`` support: a retried API call gets the first call's answer."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from centric.errors import Conflict, Invalid
from centric.ingest.models import IdempotencyRecord


def request_fingerprint(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def run_once(
    session: Session,
    key: str | None,
    user_id: int | None,
    payload: Any,
    produce: Callable[[], tuple[int, dict]],
) -> tuple[int, dict, bool]:
    """(status, body, replayed): ``produce`` runs only the first time a key is seen.

    The record is written in the same transaction as the work, so a crash stores
    neither; a key reused with a different payload is a conflict, not a replay.
    """
    if key is None:
        status, body = produce()
        return status, body, False
    if not 1 <= len(key) <= 200:
        raise Invalid("Idempotency-Key must be 1 to 200 characters", field="Idempotency-Key")
    scoped = f"{user_id}:{key}"
    fingerprint = request_fingerprint(payload)
    stored = session.get(IdempotencyRecord, scoped)
    if stored is not None:
        if stored.request_hash != fingerprint:
            raise Conflict("this Idempotency-Key was used for a different request", field="Idempotency-Key")
        return stored.status_code, stored.body, True
    status, body = produce()
    session.add(IdempotencyRecord(key=scoped, user_id=user_id, request_hash=fingerprint,
                                  status_code=status, body=body))
    session.flush()
    return status, body, False
