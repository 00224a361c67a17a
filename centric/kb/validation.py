"""Checking an entry's fields, with one clear message per field, and making slugs.

The same checks serve the API, the editor and the importers, so that a bad language reads
the same everywhere: ``language: 'fr' is not one of en, zh``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from centric.errors import Invalid
from centric.kb.models import KINDS, LANGUAGES, STATUSES
from centric.kb.schemas import (
    KEY_PATTERN,
    MAX_BODY,
    MAX_CATEGORY_KEY,
    MAX_SLUG,
    MAX_TITLE,
    MAX_VARIANT,
    MAX_VARIANTS,
)

FIELDS = ("slug", "group", "kind", "language", "category", "title", "body", "variants", "status")
VARIANT_SEPARATOR = " | "
_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class ArticleData:
    """An entry's fields once checked (``slug`` and ``group`` None: to be made)."""

    title: str
    slug: str | None = None
    group: str | None = None
    kind: str = "faq"
    language: str = "en"
    category: str | None = None
    body: str = ""
    variants: tuple[str, ...] = ()
    status: str = "draft"


def _text(value: Any, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid(f"expected text, got {type(value).__name__}", field=field)
    return value.replace("\x00", "")


def _key(value: Any, field: str, limit: int) -> str | None:
    text = _text(value, field).strip()
    if not text:
        return None
    if len(text) > limit or not re.match(KEY_PATTERN, text):
        raise Invalid(f"{text[:80]!r} is not valid: use lower-case letters a-z, digits and single dashes, "
                      f"at most {limit} characters (e.g. breakfast-hours)", field=field)
    return text


def _choice(allowed: tuple[str, ...], default: str) -> Callable[[Any, str], str]:
    def check(value: Any, field: str) -> str:
        text = _text(value, field).strip()
        if not text:
            return default
        if text not in allowed:
            raise Invalid(f"{text[:40]!r} is not one of {', '.join(allowed)}", field=field)
        return text
    return check


def _title(value: Any, field: str) -> str:
    text = _SPACES.sub(" ", _text(value, field)).strip()
    if not text:
        raise Invalid("the title is missing", field=field)
    if len(text) > MAX_TITLE:
        raise Invalid(f"the title is longer than {MAX_TITLE} characters ({len(text)})", field=field)
    return text


def _body(value: Any, field: str) -> str:
    text = _text(value, field).replace("\r\n", "\n").strip("\n")
    if len(text) > MAX_BODY:
        raise Invalid(f"the body is longer than {MAX_BODY:,} characters ({len(text):,})", field=field)
    return text


def split_variants(text: str) -> list[str]:
    """Variants written on one line (``a | b``, CSV) or one per line (the editor)."""
    return [part for line in text.splitlines() for part in line.split(VARIANT_SEPARATOR.strip())]


def _variants(value: Any, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = split_variants(value) if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise Invalid("expected a list of questions", field=field)
    seen: dict[str, str] = {}
    for item in items:
        text = _SPACES.sub(" ", _text(item, field)).strip()
        if not text:
            continue
        if len(text) > MAX_VARIANT:
            raise Invalid(f"a question variant is longer than {MAX_VARIANT} characters: {text[:40]!r}…", field=field)
        seen.setdefault(text.casefold(), text)
    if len(seen) > MAX_VARIANTS:
        raise Invalid(f"{len(seen)} question variants; at most {MAX_VARIANTS}", field=field)
    return tuple(seen.values())


CHECKS: dict[str, Callable[[Any, str], Any]] = {
    "slug": lambda value, field: _key(value, field, MAX_SLUG),
    "group": lambda value, field: _key(value, field, MAX_SLUG),
    "kind": _choice(KINDS, "faq"),
    "language": _choice(LANGUAGES, "en"),
    "category": lambda value, field: _key(value, field, MAX_CATEGORY_KEY),
    "title": _title,
    "body": _body,
    "variants": _variants,
    "status": _choice(STATUSES, "draft"),
}


def check_field(name: str, value: Any) -> Any:
    """One field's cleaned value; :class:`Invalid` naming the field when it is wrong."""
    return CHECKS[name](value, name)


def check_article(record: Mapping[str, Any]) -> tuple[ArticleData | None, list[Invalid]]:
    """The entry ``record`` describes, or every problem found in it (one per field)."""
    values: dict[str, Any] = {}
    problems: list[Invalid] = []
    for name in FIELDS:
        try:
            values[name] = check_field(name, record.get(name))
        except Invalid as problem:
            problems.append(problem)
    if problems:
        return None, problems
    return ArticleData(**values), []


def article_data(record: Mapping[str, Any]) -> ArticleData:
    """The checked entry, or :class:`Invalid` for its first problem."""
    data, problems = check_article(record)
    if data is None:
        raise problems[0]
    return data


def slugify(text: str, limit: int = 80) -> str:
    """Lower-case ASCII words joined by dashes ("Wi-Fi & parking?" → "wi-fi-parking"); "" for Chinese text."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = _NOT_WORD.sub("-", ascii_text).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0] or slug[:limit]
    return slug
