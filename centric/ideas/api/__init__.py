"""JSON routes of the ideas portal, one module per area, mounted under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from centric.ideas.api import boards, effect, ideas, merges, moderation

router = APIRouter()
for area in (boards, ideas, moderation, merges, effect):
    router.include_router(area.router)
