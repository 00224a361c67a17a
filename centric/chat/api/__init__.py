"""JSON routes of chat, one module per area, mounted under ``/api/v1``.

The metrics routes come first: ``/chats/metrics`` must match before ``/chats/{conversation_id}``.
"""

from __future__ import annotations

from fastapi import APIRouter

from centric.chat.api import metrics, missing

router = APIRouter()
for area in (metrics, missing):
    router.include_router(area.router)
