"""Categories of the help centre: named per language, ordered by position."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from centric.accounts.service import audit
from centric.errors import Conflict, Invalid, NotFound
from centric.kb.models import LANGUAGES, KbArticle, KbCategory
from centric.kb.schemas import KEY_PATTERN, MAX_CATEGORY_KEY, CategoryIn, CategoryOut, CategoryPatch

ENTITY = "kb_category"
MAX_NAME = 120


def check_key(key: str, field: str = "key") -> str:
    if not key or len(key) > MAX_CATEGORY_KEY or not re.match(KEY_PATTERN, key):
        raise Invalid(f"{key[:80]!r} is not a valid key: use lower-case letters a-z, digits and single dashes, "
                      f"at most {MAX_CATEGORY_KEY} characters (e.g. booking)", field=field)
    return key


def check_names(names: Mapping[Any, object], field: str = "names") -> dict[str, str]:
    """Names per language, trimmed; at least one, only known languages, each at most 120 characters."""
    if not isinstance(names, Mapping):
        raise Invalid("names: give an object of names per language, e.g. {\"en\": \"Booking\"}", field=field)
    cleaned: dict[str, str] = {}
    for language, name in names.items():
        if language not in LANGUAGES:
            raise Invalid(f"{str(language)[:20]!r} is not one of {', '.join(LANGUAGES)}", field=field)
        if not isinstance(name, str):
            raise Invalid(f"the {language} name must be text", field=field)
        name = name.replace("\x00", "").strip()
        if name:
            if len(name) > MAX_NAME:
                raise Invalid(f"the {language} name is longer than {MAX_NAME} characters", field=field)
            cleaned[str(language)] = name
    if not cleaned:
        raise Invalid("give the category a name in English or Chinese", field=field)
    return cleaned


def default_names(key: str) -> dict[str, str]:
    """Names for a category known only by its key (a CSV import): "during-your-stay" → "During your stay"."""
    return {"en": key.replace("-", " ").capitalize()}


def get_category(session: Session, key: str) -> KbCategory:
    found = session.scalar(select(KbCategory).where(KbCategory.key == key))
    if found is None:
        raise NotFound(f"no category {key[:80]!r}", field="category")
    return found


def create_category(session: Session, data: CategoryIn, user_id: int | None) -> KbCategory:
    key = check_key(data.key)
    if session.scalar(select(KbCategory.id).where(KbCategory.key == key)) is not None:
        raise Conflict(f"a category with key {key!r} exists already", field="key")
    category = KbCategory(key=key, names=check_names(data.names), position=data.position)
    session.add(category)
    session.flush()
    audit(session, user_id, "kb_category.create", ENTITY, category.id, {"key": key})
    return category


def update_category(session: Session, key: str, data: CategoryPatch, user_id: int | None) -> KbCategory:
    category = get_category(session, key)
    changed: dict[str, object] = {}
    if data.names is not None:
        category.names = check_names(data.names)
        changed["names"] = category.names
    if data.position is not None:
        category.position = data.position
        changed["position"] = data.position
    session.flush()
    if changed:
        audit(session, user_id, "kb_category.update", ENTITY, category.id, changed)
    return category


def delete_category(session: Session, key: str, user_id: int | None) -> None:
    """Remove a category; its entries stay, without a category."""
    category = get_category(session, key)
    session.execute(update(KbArticle).where(KbArticle.category_id == category.id).values(category_id=None))
    session.delete(category)
    session.flush()
    audit(session, user_id, "kb_category.delete", ENTITY, category.id, {"key": key})


def category_out(category: KbCategory, articles: int = 0) -> CategoryOut:
    return CategoryOut(id=category.id, key=category.key, names=dict(category.names or {}),
                       position=category.position, articles=articles)


def list_categories(session: Session) -> list[CategoryOut]:
    """Every category in help-centre order, with its number of entries (two queries)."""
    rows = list(session.scalars(select(KbCategory).order_by(KbCategory.position, KbCategory.key)))
    counts = dict(session.execute(select(KbArticle.category_id, func.count(KbArticle.id))
                                  .group_by(KbArticle.category_id)).all())
    return [category_out(row, counts.get(row.id, 0)) for row in rows]


def category_name(names: Mapping[str, str], language: str, key: str) -> str:
    """The name in ``language``, else in English, else any, else the key."""
    return names.get(language) or names.get("en") or next(iter(names.values()), key)
