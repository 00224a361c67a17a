"""JSON routes of the closed loop: cases."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["closed loop"])
