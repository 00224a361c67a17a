"""Staff pages of chat, one module per area.

The metrics page comes first: ``/chats/metrics`` must match before ``/chats/{conversation_id}``.
"""

from __future__ import annotations

from fastapi import APIRouter

from centric.chat.views import metrics, missing

router = APIRouter()
for area in (metrics, missing):
    router.include_router(area.router)
