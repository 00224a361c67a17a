"""public routes of the ideas portal, one module per area."""

from __future__ import annotations

from fastapi import APIRouter

from centric.ideas.public import suggest

router = APIRouter()
for area in (suggest,):
    router.include_router(area.router)
