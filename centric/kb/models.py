"""Tables of the knowledge base: categories, articles and FAQ entries, their question variants and versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from centric.db import Base, JSONType, utcnow

KINDS = ("faq", "article")  # faq: a question with its variants and a short answer; article: a longer page
STATUSES = ("draft", "published", "archived")
LANGUAGES = ("en", "zh")


class KbCategory(Base):
    """A section of the help centre ("Booking", "During your stay"), named in each language."""

    __tablename__ = "kb_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    names: Mapped[dict] = mapped_column(JSONType, default=dict)  # {"en": "Booking", "zh": "预订"}
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KbArticle(Base):
    """One FAQ entry or article in one language.

    ``slug`` names it in URLs and imports (unique); ``group_key`` is shared by the translations
    of one entry (the English and the Chinese "Breakfast hours"). ``title`` is the canonical
    question of an FAQ entry. ``version`` counts the saved edits (each kept in
    :class:`KbArticleVersion`); only ``published`` entries are shown and answered from.
    """

    __tablename__ = "kb_article"
    __table_args__ = (
        Index("ix_kb_article_status_language", "status", "language"),
        Index("ix_kb_article_group", "group_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    group_key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10), default="faq")  # KINDS
    language: Mapped[str] = mapped_column(String(8), default="en")  # LANGUAGES
    category_id: Mapped[int | None] = mapped_column(ForeignKey("kb_category.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown
    status: Mapped[str] = mapped_column(String(10), default="draft")  # STATUSES
    version: Mapped[int] = mapped_column(default=1)
    published_at: Mapped[datetime | None]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class KbVariant(Base):
    """One more way a customer asks an FAQ entry's question ("what time is breakfast")."""

    __tablename__ = "kb_variant"
    __table_args__ = (UniqueConstraint("article_id", "text"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_article.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(default=0)


class KbArticleVersion(Base):
    """A saved state of an article: what it said, who saved it and when (the history and its diffs)."""

    __tablename__ = "kb_article_version"
    __table_args__ = (UniqueConstraint("article_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_article.id", ondelete="CASCADE"))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    variants: Mapped[list] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(10))
    category_id: Mapped[int | None]
    saved_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
