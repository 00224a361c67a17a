"""HTML pages of the mirror, one module per area."""

from __future__ import annotations

from fastapi import APIRouter

from centric.mirror.views import delivery, ex, maturity, staff

router = APIRouter()
for area in (staff, ex, delivery, maturity):
    router.include_router(area.router)
