"""api routes of journey maps and persona pages, one module per area."""

from __future__ import annotations

from fastapi import APIRouter

from centric.maps.api import personas

router = APIRouter()
for area in (personas,):
    router.include_router(area.router)
