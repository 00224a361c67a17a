"""public routes of the ideas portal, one module per area."""

from __future__ import annotations

from fastapi import APIRouter

from centric.ideas.public import portal

router = APIRouter()
for area in (portal,):
    router.include_router(area.router)
