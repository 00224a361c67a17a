"""views routes of journey maps and persona pages, one module per area."""

from __future__ import annotations

from fastapi import APIRouter

from centric.maps.views import map

router = APIRouter()
for area in (map,):
    router.include_router(area.router)
