"""JSON routes of the closed loop: kpis."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["closed loop"])
