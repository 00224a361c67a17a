"""api routes of the ideas portal, one module per area."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
# for area in (...): router.include_router(area.router)
