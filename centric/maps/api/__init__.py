"""api routes of journey maps and persona pages, one module per area."""

from __future__ import annotations

from fastapi import APIRouter

from centric.maps.api import map, personas

router = APIRouter()
for area in (map, personas):
    router.include_router(area.router)
