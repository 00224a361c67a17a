"""JSON routes of governance, one module per area, mounted under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from centric.governance.api import council, digests, initiatives, scorecards, targets

router = APIRouter()
for area in (targets, scorecards, initiatives, digests, council):
    router.include_router(area.router)
