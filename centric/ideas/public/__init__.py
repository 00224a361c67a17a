"""Public routes of the ideas portal (no staff login), one module per area."""

from __future__ import annotations

from fastapi import APIRouter

from centric.ideas.public import portal, suggest

router = APIRouter()
for area in (suggest, portal):
    router.include_router(area.router)
