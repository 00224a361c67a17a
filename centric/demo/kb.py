"""The demo company's help centre: the hotel FAQ of centric/demo/data/hotel_faq.json.

Thirty questions guests of Harbour & Pine Hotels really ask (breakfast, check-in and
check-out, parking, Wi-Fi, pets, refunds, deposits, invoices, Rewards points, …), each in
English and Chinese: the two translations share a ``group``. Each entry has a Markdown
answer and 5–7 other wordings of its question (informal, sometimes misspelt; colloquial
Chinese), which the FAQ bot matches customers' questions against. Eight categories, named
in both languages. The file is in the knowledge base's JSON import format.

:func:`build_kb` imports it with the knowledge base's import service, published.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.errors import Invalid
from centric.kb.formats import read_json
from centric.kb.models import KbArticle
from centric.kb.transfer import import_source

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


def build_kb(session: Session, *, path: Path = FAQ_FILE) -> dict[str, int]:
    """Import the demo FAQ through the knowledge base's import service, published; returns slug → article id.

    The same path as ``centric kb import hotel_faq.json --publish``: each entry gets its first saved
    version, and importing again changes nothing.
    """
    report = import_source(session, read_json(path.read_bytes(), path.name), publish=True)
    if report.errors:
        problem = report.errors[0]
        raise Invalid(f"{path.name} line {problem.line}, field {problem.field}: {problem.message}")
    slugs = [entry["slug"] for entry in load_faq(path)["articles"]]
    rows = session.execute(select(KbArticle.slug, KbArticle.id).where(KbArticle.slug.in_(slugs)))
    return {slug: article_id for slug, article_id in rows}
