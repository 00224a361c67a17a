"""JSON routes of the closed loop, one module per area, mounted under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from centric.loop.api import cases, kpis, rules, sla

router = APIRouter()
for area in (rules, cases, sla, kpis):
    router.include_router(area.router)
