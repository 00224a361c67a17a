"""HTML pages of the closed loop: rules."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
