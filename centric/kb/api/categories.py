"""JSON routes of help-centre categories: list (any caller), create, change and remove (kb:write)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from centric.kb import categories
from centric.kb.schemas import KEY_PATTERN, MAX_CATEGORY_KEY, CategoryIn, CategoryOut, CategoryPatch
from centric.web.deps import CanWriteKb, CurrentCaller, DbSession, Page, Paging

router = APIRouter(tags=["knowledge base"])
CategoryKey = Annotated[str, Path(max_length=MAX_CATEGORY_KEY, pattern=KEY_PATTERN, description="the category's key")]


@router.get("/kb/categories", response_model=Page[CategoryOut])
def list_categories(session: DbSession, _: CurrentCaller, paging: Paging) -> Page[CategoryOut]:
    """Every category in help-centre order, with its number of entries."""
    return paging.cut(categories.list_categories(session))


@router.post("/kb/categories", response_model=CategoryOut, status_code=201)
def create_category(data: CategoryIn, session: DbSession, caller: CanWriteKb) -> CategoryOut:
    """A new category, named in English and/or Chinese; 409 when the key exists."""
    return categories.category_out(categories.create_category(session, data, caller.user.id))


@router.patch("/kb/categories/{key}", response_model=CategoryOut)
def update_category(key: CategoryKey, data: CategoryPatch, session: DbSession, caller: CanWriteKb) -> CategoryOut:
    """Rename or move a category; fields left out are kept."""
    return categories.category_out(categories.update_category(session, key, data, caller.user.id))


@router.delete("/kb/categories/{key}", status_code=204)
def delete_category(key: CategoryKey, session: DbSession, caller: CanWriteKb) -> Response:
    """Remove a category; its entries stay, without a category."""
    categories.delete_category(session, key, caller.user.id)
    return Response(status_code=204)
