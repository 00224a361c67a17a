"""Public pages of chat (no staff login): the no-JS chat form and the widget's demo page."""

from __future__ import annotations

from fastapi import APIRouter

from centric.chat.public import page

router = APIRouter()
for area in (page,):
    router.include_router(area.router)
