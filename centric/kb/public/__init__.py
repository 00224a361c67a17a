"""Public routes of the knowledge base: the help centre (no login)."""

from __future__ import annotations

from fastapi import APIRouter

from centric.kb.public import help_centre

router = APIRouter()
router.include_router(help_centre.router)
