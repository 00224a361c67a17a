"""A spam and profanity score from 0 to 1 for short public posts (ideas and comments), in English and Chinese.

Pure and explainable: each signal gives a partial score in [0, 1] and the signals
combine like independent probabilities, ``1 - Π(1 - sᵢ)``, so one strong signal is enough
and weak ones add up without passing 1. The signals:

* **links**: each URL (``http://``, ``www.``, a bare ``name.com``-like domain) adds 0.35;
* **contact details**: an e-mail address, a phone number (8+ digits), or a messenger
  handle ("WeChat", "微信", "QQ", "WhatsApp", "Telegram") — 0.45, the usual bait of spam;
* **spam and profanity words**: a small list in each language (see ``SPAM_WORDS`` and
  ``PROFANITY``); each hit adds 0.35 (profanity 0.5);
* **repeated characters**: a run of 6+ identical characters ("!!!!!!", "哈哈哈哈哈哈") — 0.25;
* **shouting**: at least 12 Latin letters of which 70 % or more are capitals — 0.3.

A post whose score reaches :data:`PENDING_THRESHOLD` (0.6) waits for a moderator instead of
being shown: two links, or a link and a contact detail, or one profanity plus shouting.
The lists are deliberately short; moderators and the report-abuse form catch the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PENDING_THRESHOLD = 0.6

_URL = re.compile(r"(?:https?://|www\.)\S+|\b[a-z0-9-]{2,}\.(?:com|net|org|info|biz|xyz|top|ru|cn|io|co)\b",
                  re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_PHONE = re.compile(r"(?:\+?\d[\s().-]?){8,}")
_MESSENGER = re.compile(r"\b(?:wechat|whatsapp|telegram|qq|line id|kakao)\b|微信|加微|薇信|扣扣|vx", re.IGNORECASE)
_REPEAT = re.compile(r"(.)\1{5,}", re.DOTALL)
_LATIN = re.compile(r"[A-Za-z]")

SPAM_WORDS = (
    "buy now", "cheap", "discount code", "free money", "casino", "viagra", "crypto", "bitcoin", "forex",
    "loan", "click here", "earn money", "work from home", "limited offer", "promo code", "seo services",
    "代购", "刷单", "兼职", "赚钱", "贷款", "博彩", "赌场", "发票", "代开", "优惠码", "点击链接", "加我",
)
PROFANITY = (
    "fuck", "shit", "bitch", "bastard", "asshole", "dickhead", "cunt", "idiot", "moron",
    "傻逼", "他妈的", "操你", "妈的", "滚蛋", "混蛋", "王八蛋", "白痴", "废物",
)


@dataclass(frozen=True)
class SpamScore:
    score: float
    reasons: tuple[str, ...]

    @property
    def pending(self) -> bool:
        return self.score >= PENDING_THRESHOLD


def spam_score(text: str) -> SpamScore:
    """The score of ``text`` and the signals that raised it."""
    partial: list[tuple[str, float]] = []
    lowered = text.lower()
    links = len(_URL.findall(text))
    if links:
        partial.append(("links", min(1.0, 0.35 * links)))
    if _EMAIL.search(text) or _PHONE.search(text) or _MESSENGER.search(text):
        partial.append(("contact", 0.45))
    spam_hits = sum(lowered.count(word) for word in SPAM_WORDS)
    if spam_hits:
        partial.append(("spam_words", min(1.0, 0.35 * spam_hits)))
    swear_hits = sum(lowered.count(word) for word in PROFANITY)
    if swear_hits:
        partial.append(("profanity", min(1.0, 0.5 * swear_hits)))
    if _REPEAT.search(text):
        partial.append(("repeats", 0.25))
    if _shouting(text):
        partial.append(("caps", 0.3))
    remaining = 1.0
    for _name, value in partial:
        remaining *= 1.0 - value
    return SpamScore(round(1.0 - remaining, 3), tuple(name for name, _ in partial))


def _shouting(text: str) -> bool:
    letters = _LATIN.findall(text)
    if len(letters) < 12:
        return False
    return sum(1 for c in letters if c.isupper()) / len(letters) >= 0.7
