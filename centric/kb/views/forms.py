"""Small helpers of the knowledge base's staff forms."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.datastructures import FormData, UploadFile

from centric import i18n
from centric.kb.models import KINDS, LANGUAGES, STATUSES
from centric.web.templating import page_locale

# Marked for the catalog; the templates translate them (``_(label)``) in the page's language.
STATUS_LABELS = {"draft": i18n.N_("Draft"), "published": i18n.N_("Published"), "archived": i18n.N_("Archived")}
KIND_LABELS = {"faq": i18n.N_("FAQ entry"), "article": i18n.N_("Article")}
LANGUAGE_LABELS = {"en": i18n.N_("English"), "zh": i18n.N_("中文 (Chinese)")}
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


def say(request: Request, user: Any, message: str, **values: object) -> str:
    """``message`` (a catalog msgid with ``%(name)s`` placeholders) in the language of the page being answered."""
    with i18n.use_locale(page_locale(request, user)):
        text = i18n.gettext(message)
    return text % values if values else text
