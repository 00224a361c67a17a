"""HTML pages of the mirror, one module per area."""

from __future__ import annotations

from fastapi import APIRouter

from centric.mirror.views import delivery

router = APIRouter()
for area in (delivery,):
    router.include_router(area.router)
