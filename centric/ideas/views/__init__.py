"""Staff pages of the ideas portal, one module per area.

The boards and moderation pages come first: their fixed paths must match before
``/manage/ideas/{idea_id}``.
"""

from __future__ import annotations

from fastapi import APIRouter

from centric.ideas.views import actions, boards, effect, ideas, moderation

router = APIRouter()
for area in (boards, moderation, effect, ideas, actions):
    router.include_router(area.router)
