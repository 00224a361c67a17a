"""JSON routes of governance, one module per area, mounted under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from centric.governance.api import initiatives

router = APIRouter()
for area in (initiatives,):
    router.include_router(area.router)
