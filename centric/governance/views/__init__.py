"""HTML pages of governance, one module per area."""

from __future__ import annotations

from fastapi import APIRouter

from centric.governance.views import initiatives

router = APIRouter()
for area in (initiatives,):
    router.include_router(area.router)
