"""views routes of the ideas portal, one module per area."""

from __future__ import annotations

from fastapi import APIRouter

from centric.ideas.views import effect

router = APIRouter()
for area in (effect,):
    router.include_router(area.router)
