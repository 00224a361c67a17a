"""api routes of journey maps and persona pages, one module per area."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
# for area in (...): router.include_router(area.router)
