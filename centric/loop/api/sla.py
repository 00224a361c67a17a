"""JSON routes of the closed loop: sla."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["closed loop"])
