"""HTML pages of governance, one module per area."""

from __future__ import annotations

from fastapi import APIRouter

from centric.governance.views import scorecards, targets

router = APIRouter()
for area in (targets, scorecards):
    router.include_router(area.router)
