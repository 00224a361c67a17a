"""HTML pages of the mirror, one module per area."""

from __future__ import annotations

from fastapi import APIRouter

from centric.mirror.views import ex, staff

router = APIRouter()
for area in (staff, ex):
    router.include_router(area.router)
