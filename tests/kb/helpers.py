"""Small builders of knowledge-base rows for the tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from centric.kb.articles import create_article
from centric.kb.categories import create_category
from centric.kb.models import KbArticle
from centric.kb.schemas import CategoryIn
from centric.kb.validation import article_data

EVIL = "<script>alert(1)</script>"


def category(session: Session, key: str = "booking", en: str = "Booking", zh: str = "预订",
             position: int = 1) -> None:
    create_category(session, CategoryIn(key=key, names={"en": en, "zh": zh}, position=position), None)


def entry(session: Session, title: str, user_id: int | None = None, **fields: Any) -> KbArticle:
    return create_article(session, article_data({"title": title, **fields}), user_id)


def hotel(session: Session) -> dict[str, KbArticle]:
    """A small bilingual FAQ: breakfast (EN + ZH, published), parking (EN draft), an archived entry."""
    category(session)
    category(session, "stay", "During your stay", "入住期间", 2)
    return {
        "breakfast": entry(session, "When is breakfast served?", slug="breakfast-hours-en", group="breakfast-hours",
                           category="booking", status="published",
                           body="Breakfast is served **from 6:30 to 10:30** in the *Garden* restaurant.",
                           variants=["what time is breakfast", "breakfast opening hours"]),
        "breakfast_zh": entry(session, "早餐几点供应？", slug="breakfast-hours-zh", group="breakfast-hours",
                              language="zh", category="booking", status="published",
                              body="早餐时间为 **6:30 至 10:30**，在花园餐厅。", variants=["早餐几点", "早饭什么时候"]),
        "wifi": entry(session, "How do I connect to the Wi-Fi?", category="stay", status="published",
                      body="Choose the network *Hotel-Guest* and enter your room number.",
                      variants=["wifi password", "internet access"]),
        "parking": entry(session, "Is there parking?", category="stay", body="Yes, in the garage."),
        "old": entry(session, "Old shuttle timetable", category="stay", status="archived", body="Gone."),
    }
