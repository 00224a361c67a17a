"""Schemas of the knowledge base shared by its services, the API, the pages and the CLI."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from centric.db import UtcDatetime

Kind = Literal["faq", "article"]
Status = Literal["draft", "published", "archived"]
Language = Literal["en", "zh"]

#: Slugs, group keys and category keys: lower-case words of a-z and 0-9 joined by single dashes.
KEY_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
MAX_SLUG = 120
MAX_CATEGORY_KEY = 60
MAX_TITLE = 300
MAX_BODY = 50_000  # characters of Markdown; a long help page is ~10,000
MAX_VARIANT = 500
MAX_VARIANTS = 200



def _key(description: str) -> Any:
    return Field(default=None, max_length=MAX_SLUG, pattern=KEY_PATTERN, description=description)


class CategoryIn(BaseModel):
    key: str = Field(max_length=MAX_CATEGORY_KEY, pattern=KEY_PATTERN, description="lower-case a-z, 0-9 and dashes")
    names: dict[Language, str] = Field(min_length=1,
                                       description='the name per language, e.g. {"en": "Booking", "zh": "预订"}')
    position: int = Field(default=0, ge=0, le=100_000, description="order in the help centre (smallest first)")


class CategoryPatch(BaseModel):
    names: dict[Language, str] | None = Field(default=None, min_length=1)
    position: int | None = Field(default=None, ge=0, le=100_000)


class CategoryOut(BaseModel):
    id: int
    key: str
    names: dict[str, str]
    position: int
    articles: int = Field(default=0, description="entries in the category, every status")


class ArticleIn(BaseModel):
    """A new FAQ entry or article. ``slug`` is made from the title when left out; ``group``
    (shared by the translations of one entry) defaults to the slug."""

    slug: str | None = _key("lower-case a-z, 0-9 and dashes; made from the title when left out")
    group: str | None = _key("shared by the translations of one entry; the slug when left out")
    kind: Kind = "faq"
    language: Language = "en"
    category: str | None = Field(default=None, max_length=MAX_CATEGORY_KEY, description="a category's key")
    title: str = Field(min_length=1, max_length=MAX_TITLE, description="an FAQ entry's canonical question")
    body: str = Field(default="", max_length=MAX_BODY, description="Markdown")
    variants: list[str] = Field(default_factory=list, max_length=MAX_VARIANTS,
                                description="other ways customers ask the question")
    status: Status = "draft"


class ArticlePatch(BaseModel):
    """Changes to an entry; fields left out (null) are kept. ``version`` is the version the
    change was made on: when someone saved in between, the answer is 409 and nothing changes."""

    version: int = Field(ge=1, le=2**31 - 1, description="the version you edited (optimistic concurrency)")
    slug: str | None = _key("a new slug (links to the old one stop working)")
    group: str | None = _key("the translation group")
    kind: Kind | None = None
    language: Language | None = None
    category: str | None = Field(default=None, max_length=MAX_CATEGORY_KEY,
                                 description='a category\'s key; "" removes the category')
    title: str | None = Field(default=None, min_length=1, max_length=MAX_TITLE)
    body: str | None = Field(default=None, max_length=MAX_BODY)
    variants: list[str] | None = Field(default=None, max_length=MAX_VARIANTS)


class StatusChange(BaseModel):
    version: int | None = Field(default=None, ge=1, le=2**31 - 1,
                                description="the version you looked at; 409 when it is stale (optional)")


class RestoreIn(BaseModel):
    restore: int = Field(ge=1, le=2**31 - 1, description="the old version whose content becomes the new version")
    version: int | None = Field(default=None, ge=1, le=2**31 - 1,
                                description="the current version you looked at; 409 when it is stale (optional)")


class Translation(BaseModel):
    id: int
    slug: str
    language: str
    title: str
    status: Status


class ArticleOut(BaseModel):
    """An FAQ entry or article as staff, integrations and the help centre see it."""

    id: int
    slug: str
    group: str
    kind: Kind
    language: Language
    category: str | None = Field(description="the category's key")
    title: str
    body: str = Field(description="Markdown")
    variants: list[str]
    status: Status
    version: int
    published_at: UtcDatetime | None
    created_at: UtcDatetime
    updated_at: UtcDatetime
    url: str = Field(description="the public page (answers 404 unless the entry is published)")
    translations: list[Translation] = Field(default_factory=list, description="the same entry in other languages")


class VersionOut(BaseModel):
    version: int
    title: str
    body: str
    variants: list[str]
    status: Status
    category: str | None
    saved_by: int | None
    saved_by_name: str
    saved_at: UtcDatetime


class DiffLine(BaseModel):
    """One line of a diff between two versions: kept (" "), removed ("-") or added ("+")."""

    field: str
    op: Literal[" ", "-", "+"]
    text: str


class VersionDiff(BaseModel):
    article_id: int
    old: int
    new: int
    lines: list[DiffLine]
    changed: list[str] = Field(description="the fields that differ")


class CategoryDoc(BaseModel):
    """A category in the import/export document."""

    key: str
    names: dict[str, str] = Field(default_factory=dict)
    position: int = 0


class ArticleDoc(BaseModel):
    """An entry in the import/export document (its ``slug`` names it across installations)."""

    slug: str
    group: str
    kind: str
    language: str
    category: str | None = None
    title: str
    body: str = ""
    variants: list[str] = Field(default_factory=list)
    status: str = "draft"


class KbDocument(BaseModel):
    """The knowledge base (or part of it) as one JSON document: the import and export format."""

    categories: list[CategoryDoc] = Field(default_factory=list)
    articles: list[ArticleDoc] = Field(default_factory=list)


class ImportProblem(BaseModel):
    file: str
    line: int = Field(description="1-based line of the row, file or JSON object at fault (0: the whole file)")
    field: str | None
    message: str


class ImportReport(BaseModel):
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    categories_created: list[str] = Field(default_factory=list)
    slugs: list[str] = Field(default_factory=list, description="the slugs created or updated")
    errors: list[ImportProblem] = Field(default_factory=list)
