"""JSON routes of chat, one module per area, mounted under ``/api/v1``.

Fixed paths (``/chats/metrics``, ``/kb/missing``) must come before ``/chats/{chat_id}``.
"""

from __future__ import annotations

from fastapi import APIRouter

from centric.chat.api import conversations, metrics, missing, public

router = APIRouter()
for area in (metrics, missing, public, conversations):
    router.include_router(area.router)
