"""Small helpers of the knowledge base's staff forms."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData, UploadFile

from centric.kb.models import KINDS, LANGUAGES, STATUSES

STATUS_LABELS = {"draft": "Draft", "published": "Published", "archived": "Archived"}
KIND_LABELS = {"faq": "FAQ entry", "article": "Article"}
LANGUAGE_LABELS = {"en": "English", "zh": "中文 (Chinese)"}
EDITED = ("kind", "language", "category", "title", "body", "variants", "slug", "group")
MAX_UPLOAD = 4_000_000


def text(form: FormData, name: str, limit: int = 60_000) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def upload(form: FormData, name: str) -> UploadFile | None:
    value = form.get(name)
    return value if isinstance(value, UploadFile) and value.filename else None


def choice(value: str | None, allowed: tuple[str, ...]) -> str | None:
    return value if value in allowed else None


def article_fields(form: FormData) -> dict[str, Any]:
    """The editor's fields as the services take them (variants one per line)."""
    values: dict[str, Any] = {name: text(form, name) for name in EDITED}
    values["body"] = (form.get("body") if isinstance(form.get("body"), str) else "") or ""
    values["body"] = str(values["body"])[:60_000]
    return values


def labels() -> dict[str, Any]:
    return {"kinds": {k: KIND_LABELS[k] for k in KINDS}, "languages": {k: LANGUAGE_LABELS[k] for k in LANGUAGES},
            "statuses": {k: STATUS_LABELS[k] for k in STATUSES}}
