"""JSON routes of chat, one module per area, mounted under ``/api/v1``.

Fixed paths (``/chats/metrics``, ``/chats/missing``) must come before ``/chats/{chat_id}``.
"""

from __future__ import annotations

from fastapi import APIRouter

from centric.chat.api import conversations, public

router = APIRouter()
for area in (public, conversations):
    router.include_router(area.router)
