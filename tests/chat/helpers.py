"""A small published hotel FAQ in English and Chinese, and shortcuts for chat tests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from centric.chat.models import Conversation
from centric.chat.schemas import StartIn
from centric.chat.service import start_conversation
from centric.kb.models import KbArticle, KbVariant

KEY = b"k" * 32
FAQ = [
    ("breakfast-hours-en", "breakfast-hours", "en", "When is breakfast served?",
     "Breakfast is served from **6:30 to 10:30** every day in the Harbour restaurant.\n\nOn weekends until 11:00.",
     ["what time is breakfast", "breakfast hours", "when does breakfast start"]),
    ("breakfast-hours-zh", "breakfast-hours", "zh", "早餐几点供应？",
     "早餐每天 **6:30 至 10:30** 在海港餐厅供应。\n\n周末延长至 11:00。",
     ["早餐几点开始", "早餐时间", "几点可以吃早餐"]),
    ("check-out-en", "check-out", "en", "What time is check-out?",
     "Check-out is at 12:00 noon. Ask the front desk for a [late check-out](/help/a/late-check-out-en).",
     ["check out time", "when do I have to leave the room", "latest check-out"]),
    ("check-out-zh", "check-out", "zh", "几点退房？", "退房时间为中午 12:00。", ["退房时间", "最晚几点退房"]),
    ("parking-en", "parking", "en", "Is there parking at the hotel?",
     "Yes: the garage under the hotel has 80 spaces, 25 per night.", ["can I park my car", "parking price"]),
    ("wifi-en", "wifi", "en", "How do I connect to the Wi-Fi?",
     "Join the network *HarbourPine* and open any page to sign in with your room number.",
     ["wifi password", "internet access", "wireless network"]),
]


def seed_kb(session: Session) -> dict[str, int]:
    """Publish the FAQ above; returns the article ids by slug."""
    ids = {}
    for slug, group, language, title, body, variants in FAQ:
        article = KbArticle(slug=slug, group_key=group, kind="faq", language=language, title=title, body=body,
                            status="published")
        session.add(article)
        session.flush()
        session.add_all(KbVariant(article_id=article.id, text=v, position=i) for i, v in enumerate(variants))
        ids[slug] = article.id
    session.flush()
    return ids


def start(session: Session, now: datetime | None = None, **fields: object) -> tuple[Conversation, str]:
    return start_conversation(session, KEY, StartIn.model_validate(fields), now=now)
