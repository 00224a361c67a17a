"""FAQ entries and articles: create, edit (optimistic concurrency), publish, list, show.

Every saved change — content or status — bumps the entry's ``version`` and keeps a
:class:`KbArticleVersion` (what it said, who saved it, when), the history the editor shows.
A save that changes nothing stores nothing. Translations share a ``group_key``.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.orm import Session

from centric.db import page_of, utcnow
from centric.errors import Conflict, Invalid, NotFound
from centric.kb.models import KbArticle, KbArticleVersion, KbCategory, KbVariant
from centric.kb.schemas import ArticleOut
from centric.kb.validation import ArticleData, check_field, slugify

HELP_PREFIX = "/help/a/"
CONTENT = ("slug", "group", "kind", "language", "category", "title", "body", "variants")


def article_path(slug: str) -> str:
    """The public help-centre page of an entry (it answers 404 unless the entry is published)."""
    return HELP_PREFIX + slug


@dataclass(frozen=True)
class ArticleFilter:
    status: str | None = None
    language: str | None = None
    category: str | None = None
    kind: str | None = None
    group: str | None = None
    q: str | None = None


# --- reading -----------------------------------------------------------------------------

def get_article(session: Session, article_id: int) -> KbArticle:
    found = session.get(KbArticle, article_id)
    if found is None:
        raise NotFound(f"no knowledge-base entry {article_id}")
    return found


def find_article(session: Session, slug_or_id: str | int) -> KbArticle | None:
    """The entry with this slug, else with this id (an int, or digits that are no entry's slug)."""
    if isinstance(slug_or_id, str):
        found = session.scalar(select(KbArticle).where(KbArticle.slug == slug_or_id[:200]))
        if found is not None or not slug_or_id.isdigit() or len(slug_or_id) > 10:
            return found
    number = int(slug_or_id)
    return session.get(KbArticle, number) if 0 < number < 2**31 else None


def published_article(session: Session, slug_or_id: str | int) -> ArticleOut:
    """A published entry for display (help centre, chat); :class:`NotFound` for drafts and archived ones.

    Its ``body`` is Markdown: :func:`centric.kb.markdown.render` makes it safe HTML.
    """
    found = find_article(session, slug_or_id)
    if found is None or found.status != "published":
        raise NotFound("no published entry with this address")
    return article_outs(session, [found])[0]


def variants_of(session: Session, article_ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    if article_ids:
        for article_id, text in session.execute(
                select(KbVariant.article_id, KbVariant.text).where(KbVariant.article_id.in_(article_ids))
                .order_by(KbVariant.article_id, KbVariant.position, KbVariant.id)):
            found.setdefault(article_id, []).append(text)
    return found


def category_keys(session: Session, ids: Sequence[int | None] = ()) -> dict[int, str]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    return dict(session.execute(select(KbCategory.id, KbCategory.key).where(KbCategory.id.in_(wanted))).all())


def article_outs(session: Session, rows: Sequence[KbArticle], *, published_translations: bool = False
                 ) -> list[ArticleOut]:
    """Rows as :class:`ArticleOut`, related rows read in three batched queries whatever the count."""
    if not rows:
        return []
    variants = variants_of(session, [row.id for row in rows])
    categories = category_keys(session, [row.category_id for row in rows])
    groups = sorted({row.group_key for row in rows})
    query = select(KbArticle).where(KbArticle.group_key.in_(groups)).order_by(KbArticle.language, KbArticle.id)
    if published_translations:
        query = query.where(KbArticle.status == "published")
    by_group: dict[str, list[KbArticle]] = {}
    for other in session.scalars(query):
        by_group.setdefault(other.group_key, []).append(other)
    return [ArticleOut.model_validate({
        "id": row.id, "slug": row.slug, "group": row.group_key, "kind": row.kind, "language": row.language,
        "category": categories.get(row.category_id) if row.category_id else None, "title": row.title,
        "body": row.body, "variants": variants.get(row.id, []), "status": row.status, "version": row.version,
        "published_at": row.published_at, "created_at": row.created_at, "updated_at": row.updated_at,
        "url": article_path(row.slug),
        "translations": [{"id": o.id, "slug": o.slug, "language": o.language, "title": o.title, "status": o.status}
                         for o in by_group.get(row.group_key, []) if o.id != row.id],
    }) for row in rows]


def article_query(where: ArticleFilter) -> Select[KbArticle]:
    """The entries matching ``where`` (in no particular order)."""
    query = select(KbArticle)
    for column, value in ((KbArticle.status, where.status), (KbArticle.language, where.language),
                          (KbArticle.kind, where.kind), (KbArticle.group_key, where.group)):
        if value:
            query = query.where(column == value)
    if where.category:
        query = query.where(KbArticle.category_id.in_(select(KbCategory.id).where(KbCategory.key == where.category)))
    if where.q and where.q.strip():
        term = where.q.strip()[:200]
        in_variants = select(KbVariant.article_id).where(KbVariant.text.icontains(term, autoescape=True))
        query = query.where(or_(KbArticle.title.icontains(term, autoescape=True),
                                KbArticle.body.icontains(term, autoescape=True),
                                KbArticle.slug.icontains(term, autoescape=True), KbArticle.id.in_(in_variants)))
    return query


def list_articles(session: Session, where: ArticleFilter, *, limit: int | None = None,
                  offset: int = 0) -> tuple[list[ArticleOut], int]:
    """Entries matching ``where``, most recently changed first, and how many match in all."""
    query = article_query(where).order_by(KbArticle.updated_at.desc(), KbArticle.id.desc())
    rows, total = page_of(session, query, limit, offset)
    return article_outs(session, rows), total


def kb_revision(session: Session) -> str:
    """A value that changes whenever any entry is created or saved (for caches of the published entries).

    The sum of versions grows by one with every save; the count and the highest id catch
    entries created or removed.
    """
    count, versions, highest = session.execute(
        select(func.count(KbArticle.id), func.coalesce(func.sum(KbArticle.version), 0),
               func.coalesce(func.max(KbArticle.id), 0))).one()
    return f"{count}:{versions}:{highest}"


# --- writing -----------------------------------------------------------------------------

def _category_id(session: Session, key: str | None) -> int | None:
    if not key:
        return None
    found = session.scalar(select(KbCategory.id).where(KbCategory.key == key))
    if found is None:
        raise Invalid(f"no category {key!r}; create it first", field="category")
    return found


def _slug_taken(session: Session, slug: str, article_id: int | None = None) -> bool:
    query = select(KbArticle.id).where(KbArticle.slug == slug)
    if article_id is not None:
        query = query.where(KbArticle.id != article_id)
    return session.scalar(query) is not None


def new_slug(session: Session, title: str, group: str | None, language: str) -> str:
    """A free slug from the title; a Chinese title gives the group's key plus the language, else a short id."""
    base = slugify(title) or (f"{group}-{language}" if group else "") or f"{language}-{secrets.token_hex(3)}"
    taken = set(session.scalars(select(KbArticle.slug).where(
        or_(KbArticle.slug == base, KbArticle.slug.startswith(base + "-", autoescape=True)))))
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)


def _replace_variants(session: Session, article: KbArticle, variants: Sequence[str], *, new: bool = False) -> None:
    if not new:
        session.execute(delete(KbVariant).where(KbVariant.article_id == article.id))
        session.flush()
    session.add_all(KbVariant(article_id=article.id, text=text, position=n) for n, text in enumerate(variants))


def _snapshot(session: Session, article: KbArticle, variants: Sequence[str], user_id: int | None) -> None:
    session.add(KbArticleVersion(article_id=article.id, version=article.version, title=article.title,
                                 body=article.body, variants=list(variants), status=article.status,
                                 category_id=article.category_id, saved_by=user_id, saved_at=article.updated_at))
    session.flush()


def create_article(session: Session, data: ArticleData, user_id: int | None) -> KbArticle:
    """A new entry at version 1 (its first history row); the slug is made from the title when not given."""
    category_id = _category_id(session, data.category)
    if data.slug and _slug_taken(session, data.slug):
        raise Conflict(f"the slug {data.slug!r} is taken by another entry", field="slug")
    slug = data.slug or new_slug(session, data.title, data.group, data.language)
    now = utcnow()
    article = KbArticle(slug=slug, group_key=data.group or slug, kind=data.kind, language=data.language,
                        category_id=category_id, title=data.title, body=data.body, status=data.status, version=1,
                        published_at=now if data.status == "published" else None, created_by=user_id,
                        updated_by=user_id, created_at=now, updated_at=now)
    session.add(article)
    session.flush()
    _replace_variants(session, article, data.variants, new=True)
    _snapshot(session, article, data.variants, user_id)
    return article


def check_version(article: KbArticle, expected: int | None) -> None:
    """:class:`Conflict` when the entry was saved since version ``expected`` was read."""
    if expected is not None and expected != article.version:
        raise Conflict(f"this entry was saved by someone else since you opened it (you edited version {expected}, "
                       f"it is now version {article.version}): reload it and apply your changes again",
                       field="version")


def content_changes(session: Session, article: KbArticle, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The checked values of ``fields`` (any of slug, group, kind, language, category, title, body, variants)
    that differ from what the entry holds now."""
    current = {"slug": article.slug, "group": article.group_key, "kind": article.kind, "language": article.language,
               "category": category_keys(session, [article.category_id]).get(article.category_id or 0),
               "title": article.title, "body": article.body,
               "variants": tuple(variants_of(session, [article.id]).get(article.id, []))}
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in CONTENT:
            raise Invalid(f"unknown field {name!r}", field=name)
        cleaned = check_field(name, value)
        if name in ("slug", "group") and cleaned is None:
            continue  # a slug or group is never removed
        if cleaned != current[name]:
            changes[name] = cleaned
    return changes


def update_article(session: Session, article_id: int, fields: Mapping[str, Any], expected_version: int | None,
                   user_id: int | None, *, status: str | None = None) -> KbArticle:
    """Apply ``fields`` (and a new ``status``) as one new version; nothing is stored when nothing changes.

    ``expected_version`` is the version the editor started from: a stale one is a :class:`Conflict`.
    """
    article = get_article(session, article_id)
    check_version(article, expected_version)
    changes = content_changes(session, article, fields)
    if status is not None and status != article.status:
        changes["status"] = check_field("status", status)
    if not changes:
        return article
    return _save(session, article, changes, user_id)


def _save(session: Session, article: KbArticle, changes: Mapping[str, Any], user_id: int | None) -> KbArticle:
    if "slug" in changes and _slug_taken(session, changes["slug"], article.id):
        raise Conflict(f"the slug {changes['slug']!r} is taken by another entry", field="slug")
    if "category" in changes:
        article.category_id = _category_id(session, changes["category"])
    for name, column in (("slug", "slug"), ("group", "group_key"), ("kind", "kind"), ("language", "language"),
                         ("title", "title"), ("body", "body"), ("status", "status")):
        if name in changes:
            setattr(article, column, changes[name])
    now = utcnow()
    if changes.get("status") == "published":
        article.published_at = now
    article.version += 1
    article.updated_at, article.updated_by = now, user_id
    if "variants" in changes:
        _replace_variants(session, article, changes["variants"])
    variants = changes["variants"] if "variants" in changes else variants_of(session, [article.id]).get(article.id, [])
    session.flush()
    _snapshot(session, article, variants, user_id)
    return article


def set_status(session: Session, article_id: int, status: str, user_id: int | None,
               expected_version: int | None = None) -> KbArticle:
    """Publish (``published``), unpublish (``draft``) or archive (``archived``) an entry, as a new version."""
    article = get_article(session, article_id)
    check_version(article, expected_version)
    wanted = check_field("status", status)
    if article.status == wanted:
        raise Conflict(f"the entry is {wanted} already", field="status")
    return _save(session, article, {"status": wanted}, user_id)
