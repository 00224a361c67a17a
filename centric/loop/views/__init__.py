"""HTML pages of the closed loop, one module per area."""

from __future__ import annotations

from fastapi import APIRouter

from centric.loop.views import cases, kpis, rules, sla

router = APIRouter()
for area in (rules, cases, sla, kpis):
    router.include_router(area.router)
