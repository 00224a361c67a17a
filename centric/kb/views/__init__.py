"""Staff pages of the knowledge base, one module per area.

The fixed paths (categories, import, export, new) come before ``/kb/articles/{article_id}``.
"""

from __future__ import annotations

from fastapi import APIRouter

from centric.kb.views import articles, categories, history, transfer

router = APIRouter()
for area in (categories, transfer, articles, history):
    router.include_router(area.router)
