"""HTML pages of the mirror, one module per area."""

from __future__ import annotations

from fastapi import APIRouter

from centric.mirror.views import maturity

router = APIRouter()
for area in (maturity,):
    router.include_router(area.router)
