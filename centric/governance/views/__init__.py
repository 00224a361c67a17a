"""HTML pages of governance, one module per area."""

from __future__ import annotations

from fastapi import APIRouter

from centric.governance.views import council, digests, initiatives, scorecards, targets

router = APIRouter()
for area in (targets, scorecards, initiatives, digests, council):
    router.include_router(area.router)
