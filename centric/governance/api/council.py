"""JSON route of the CX council's overview (no customer PII)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from centric.governance.council import DEFAULT_DAYS, MAX_DAYS, council_overview
from centric.governance.digest_schemas import CouncilOut
from centric.web.deps import CanReadMetrics, DbSession

router = APIRouter(tags=["governance"])


@router.get("/council", response_model=CouncilOut)
def council(session: DbSession, _: CanReadMetrics,
            days: int = Query(DEFAULT_DAYS, ge=1, le=MAX_DAYS, description="moves: the last N days vs the N before")
            ) -> CouncilOut:
    return council_overview(session, days=days)
