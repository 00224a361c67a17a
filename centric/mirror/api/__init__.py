"""JSON routes of the mirror, one module per area, mounted under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from centric.mirror.api import delivery, ex, maturity, staff

router = APIRouter()
for area in (staff, ex, delivery, maturity):
    router.include_router(area.router)
