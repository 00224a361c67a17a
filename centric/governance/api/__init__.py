"""JSON routes of governance, one module per area, mounted under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from centric.governance.api import scorecards, targets

router = APIRouter()
for area in (targets, scorecards):
    router.include_router(area.router)
