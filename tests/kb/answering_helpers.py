"""Published FAQ entries written straight into the tables, for the bot's tests."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from centric.db import utcnow
from centric.kb.models import KbArticle, KbVariant
from centric.text.answers import Entry


def publish(session: Session, entries: Sequence[Entry], status: str = "published") -> dict[int | str, int]:
    """Store ``entries`` as articles with their variants; returns entry id -> article id."""
    out: dict[int | str, int] = {}
    for entry in entries:
        article = KbArticle(slug=f"entry-{entry.id}-{entry.language}", group_key=f"entry-{entry.id}",
                            language=entry.language, title=entry.title, body=entry.body, status=status,
                            published_at=utcnow() if status == "published" else None)
        session.add(article)
        session.flush()
        session.add_all(KbVariant(article_id=article.id, text=text, position=n)
                        for n, text in enumerate(entry.variants))
        out[entry.id] = article.id
    session.flush()
    return out
