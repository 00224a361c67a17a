"""What the public help centre shows: topics, recent entries, a topic's entries, one entry.

Only published entries are ever read here; drafts and archived entries do not exist for
the help centre (their pages answer 404).
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from centric.errors import NotFound
from centric.kb.articles import article_outs
from centric.kb.categories import category_name
from centric.kb.markdown import plain_text, render_cached
from centric.kb.models import KbArticle, KbCategory
from centric.kb.schemas import ArticleOut, Translation

RECENT = 8
CATEGORY_ROWS = 200
RELATED = 6


@dataclass(frozen=True)
class Topic:
    key: str
    name: str
    entries: int


@dataclass(frozen=True)
class EntryCard:
    slug: str
    title: str
    snippet: str
    kind: str


@dataclass(frozen=True)
class HelpHome:
    topics: list[Topic]
    recent: list[EntryCard]


@dataclass(frozen=True)
class HelpArticle:
    article: ArticleOut
    html: Markup
    topic: Topic | None
    translations: list[Translation]
    related: list[EntryCard]


def _published(language: str) -> ColumnElement[bool]:
    return and_(KbArticle.status == "published", KbArticle.language == language)


def _cards(rows: list[KbArticle]) -> list[EntryCard]:
    return [EntryCard(row.slug, row.title, plain_text(row.body, 160), row.kind) for row in rows]


def topics(session: Session, language: str) -> list[Topic]:
    """The categories holding published entries in ``language``, in order, with their counts."""
    counts = dict(session.execute(select(KbArticle.category_id, func.count(KbArticle.id))
                                  .where(_published(language)).group_by(KbArticle.category_id)).all())
    rows = session.scalars(select(KbCategory).order_by(KbCategory.position, KbCategory.key))
    return [Topic(row.key, category_name(row.names or {}, language, row.key), counts[row.id])
            for row in rows if counts.get(row.id)]


def home(session: Session, language: str) -> HelpHome:
    recent = list(session.scalars(select(KbArticle).where(_published(language))
                                  .order_by(KbArticle.updated_at.desc(), KbArticle.id.desc()).limit(RECENT)))
    return HelpHome(topics(session, language), _cards(recent))


def topic(session: Session, key: str, language: str) -> tuple[Topic, list[EntryCard]]:
    """A category and its published entries in ``language`` (FAQ entries first, then by title)."""
    category = session.scalar(select(KbCategory).where(KbCategory.key == key[:60]))
    if category is None:
        raise NotFound("no such topic")
    rows = list(session.scalars(select(KbArticle).where(_published(language), KbArticle.category_id == category.id)
                                .order_by(KbArticle.kind.desc(), KbArticle.title).limit(CATEGORY_ROWS)))
    return Topic(category.key, category_name(category.names or {}, language, category.key), len(rows)), _cards(rows)


def article(session: Session, slug: str, language: str) -> HelpArticle:
    """A published entry with its safe HTML, its topic, its published translations and others of its topic."""
    row = session.scalar(select(KbArticle).where(KbArticle.slug == slug[:200], KbArticle.status == "published"))
    if row is None:
        raise NotFound("no published entry with this address")
    shown = article_outs(session, [row])[0]
    category = session.scalar(select(KbCategory).where(KbCategory.key == shown.category)) if shown.category else None
    related: list[EntryCard] = []
    found: Topic | None = None
    if category is not None:
        found = Topic(category.key, category_name(category.names or {}, language, category.key), 0)
        related = _cards(list(session.scalars(
            select(KbArticle).where(_published(shown.language), KbArticle.category_id == category.id,
                                    KbArticle.id != shown.id).order_by(KbArticle.title).limit(RELATED))))
    translations = [t for t in shown.translations if t.status == "published"]
    return HelpArticle(shown, render_cached(shown.body), found, translations, related)
