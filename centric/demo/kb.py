"""The demo company's help centre: the hotel FAQ of centric/demo/data/hotel_faq.json.

Thirty questions guests of Harbour & Pine Hotels really ask (breakfast, check-in and
check-out, parking, Wi-Fi, pets, refunds, deposits, invoices, Rewards points, …), each in
English and Chinese: the two translations share a ``group``. Each entry has a Markdown
answer and 5–7 other wordings of its question (informal, sometimes misspelt; colloquial
Chinese), which the FAQ bot matches customers' questions against. Eight categories, named
in both languages. The file is in the knowledge base's JSON import format.

:func:`build_kb` writes it as plain rows (published, version 1, with its first saved
version), like the import would; slugs and category keys already present are left alone.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.db import utcnow
from centric.kb.models import KbArticle, KbArticleVersion, KbCategory, KbVariant

FAQ_FILE = Path(__file__).with_name("data") / "hotel_faq.json"
#: Questions the FAQ does not answer, by need (EN and ZH), and one-off requests: for the demo chats'
#: abstentions, so that the missing-answers queue shows groups worth an article.
CHAT_QUESTIONS_FILE = Path(__file__).with_name("data") / "chat_questions.json"


def load_faq(path: Path = FAQ_FILE) -> dict[str, Any]:
    """The FAQ file as a dict: ``categories`` and ``articles`` in the KB import format."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def load_chat_questions(path: Path = CHAT_QUESTIONS_FILE) -> dict[str, Any]:
    """``unanswerable``: need → {"en": [...], "zh": [...]}; ``one_off``: {"en": [...], "zh": [...]}."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def build_kb(session: Session, *, now: datetime | None = None, path: Path = FAQ_FILE) -> dict[str, int]:
    """Write the demo FAQ's categories and published entries; returns slug → article id (all of the file's)."""
    data = load_faq(path)
    moment = now or utcnow()
    categories: dict[str, int] = {key: id_ for key, id_ in session.execute(select(KbCategory.key, KbCategory.id))}
    for entry in data["categories"]:
        if entry["key"] not in categories:
            row = KbCategory(key=entry["key"], names=entry["names"], position=entry.get("position", 0),
                             created_at=moment)
            session.add(row)
            session.flush()
            categories[row.key] = row.id
    ids: dict[str, int] = {slug: id_ for slug, id_ in session.execute(select(KbArticle.slug, KbArticle.id))}
    for entry in data["articles"]:
        if entry["slug"] in ids:
            continue
        category_id = categories.get(entry.get("category") or "")
        article = KbArticle(slug=entry["slug"], group_key=entry["group"], kind=entry.get("kind", "faq"),
                            language=entry["language"], category_id=category_id, title=entry["title"],
                            body=entry["body"], status=entry.get("status", "published"), version=1,
                            published_at=moment, created_at=moment, updated_at=moment)
        session.add(article)
        session.flush()
        variants = list(dict.fromkeys(entry.get("variants", [])))
        session.add_all([KbVariant(article_id=article.id, text=text, position=i) for i, text in enumerate(variants)])
        session.add(KbArticleVersion(article_id=article.id, version=1, title=article.title, body=article.body,
                                     variants=variants, status=article.status, category_id=category_id,
                                     saved_at=moment))
        ids[article.slug] = article.id
    session.flush()
    return {entry["slug"]: ids[entry["slug"]] for entry in data["articles"]}
