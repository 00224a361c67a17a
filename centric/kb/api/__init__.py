"""JSON routes of the knowledge base, one module per area, mounted under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from centric.kb.api import ask

router = APIRouter()
for area in (ask,):
    router.include_router(area.router)
