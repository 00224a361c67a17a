"""JSON routes of the knowledge base, one module per area, mounted under ``/api/v1``.

Reading needs any valid login or token (entries are not customer data); writing needs kb:write.
"""

from __future__ import annotations

from fastapi import APIRouter

from centric.kb.api import articles, ask, categories, transfer

router = APIRouter()
for area in (categories, transfer, ask, articles):
    router.include_router(area.router)
