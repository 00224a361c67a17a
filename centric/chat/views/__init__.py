"""Staff pages of chat, one module per area.

Fixed paths (``/chats/metrics``, ``/kb/missing``) must come before ``/chats/{chat_id}``.
"""

from __future__ import annotations

from fastapi import APIRouter

from centric.chat.views import conversations, metrics, missing

router = APIRouter()
for area in (metrics, missing, conversations):
    router.include_router(area.router)
