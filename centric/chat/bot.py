"""The bot's turn: answer from the knowledge base, or say honestly that it does not know.

It calls only :func:`centric.kb.answering.ask`. An answer is the best published entry's
title, its first paragraph as plain text and a link to ``/help/a/{slug}``, plus up to three
alternatives; the widget then asks "Did this answer your question?". Below the calibrated
confidence ``ask`` abstains, and the bot says it does not know and offers a person; it hands
off only when the customer accepts (typing yes, "agent", or the button), so a customer who
rephrases is not queued for a person they did not want.

Short replies are read as intents before anything is looked up: a yes or no (English or
Chinese) to the answer waiting for one, and a request for a person ("agent", "human",
"人工", "转人工"...). Longer messages are questions, whatever words they contain.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from centric.chat.locale import say
from centric.chat.models import ChatMessage, Conversation
from centric.kb.answering import ask
from centric.kb.models import KbArticle
from centric.text.language import detect_language

#: The second "no" to an answer hands the conversation to a person.
UNHELPFUL_BEFORE_HANDOFF = 2
SNIPPET_CHARS = 400
Intent = Literal["handoff", "yes", "no"]
SORRY_KEY = "bot:not_helped:"

_PUNCTUATION = re.compile(r"[\s.,!?;:~'\"()\[\]，。！？；：、～“”‘’（）…]+")
YES = frozenset("yes y yeah yep yup sure yesitdid itdid ithelped thatshelpful helpful thanks thankyou thx perfect "
                "great 是 是的 对 对的 有 有用 有帮助 解决了 好的 好 谢谢 可以 嗯 行".split())
NO = frozenset("no n nope nah notreally notquite itdidnt itdidnot didnt notatall nothelpful unhelpful "
               "不 不是 没有 没用 没有用 没解决 不对 不行 没帮助 没有帮助 不是这个".split())
YES_FIRST = frozenset("yes yeah yep yup sure thanks".split())  # "yes it did", "thanks, that helps"
NO_FIRST = frozenset("no nope nah".split())  # "no it didn't", "no, not really"
ZH_YES_FIRST = ("是的", "对的", "有用", "有帮助", "解决了", "谢谢")
ZH_NO_FIRST = ("不是", "不对", "没用", "没有用", "没解决", "没有解决", "没帮助", "不行")
_HANDOFF_EN = re.compile(
    r"^(?:(?:please|pls|i want(?: to)?|i ?d like(?: to)?|i would like(?: to)?|can i|could i|let me|may i)\s+)*"
    r"(?:(?:talk|speak|chat)\s+(?:to|with)\s+)?(?:a\s+|an\s+|the\s+|some\s+)?"
    r"(?:real\s+|live\s+)?(?:human(?:\s+being)?|person|agent|human agent|someone|somebody|representative|rep|"
    r"operator|staff|support|customer service)(?:\s+please)?$")
_HANDOFF_ZH = re.compile(r"^(?:请|我要|我想|帮我|麻烦)?(?:转|找|接)?(?:人工|人工客服|真人|客服|人工服务|真人客服)"
                         r"(?:吧|谢谢|服务)?$")


def _normalised(text: str) -> str:
    return _PUNCTUATION.sub(" ", text.lower()).strip()


def intent(text: str) -> Intent | None:
    """What a short message means beyond a question, if anything."""
    if len(text) > 60:
        return None
    words = _normalised(text)
    if _HANDOFF_EN.match(words) or _HANDOFF_ZH.match(words.replace(" ", "")):
        return "handoff"
    squeezed = words.replace(" ", "")
    if squeezed in YES:
        return "yes"
    if squeezed in NO:
        return "no"
    first = words.split(" ", 1)[0]
    short = len(words.split()) <= 6 and len(squeezed) <= 30 and not text.rstrip().endswith(("?", "？"))
    if short and (first in YES_FIRST or squeezed.startswith(ZH_YES_FIRST)):
        return "yes"
    if short and (first in NO_FIRST or squeezed.startswith(ZH_NO_FIRST)):
        return "no"
    return None


def language_of(text: str, fallback: str) -> str:
    detected = detect_language(text)
    return detected if detected in ("en", "zh") else fallback


def pending(session: Session, conversation: Conversation) -> ChatMessage | None:
    """The bot's last message if it still waits for the customer's word on it.

    That is an answer not rated yet, an abstention (offering a person), or the "sorry, ask
    another way, or talk to a person" after a "no" — as long as the customer said nothing since.
    """
    last_customer = select(func.max(ChatMessage.id)).where(
        ChatMessage.conversation_id == conversation.id, ChatMessage.author == "customer").scalar_subquery()
    message = session.scalar(
        select(ChatMessage).where(ChatMessage.conversation_id == conversation.id, ChatMessage.author == "bot",
                                  ChatMessage.id > func.coalesce(last_customer, 0))
        .order_by(ChatMessage.id.desc()).limit(1))
    if message is None or not (is_answer(message) and message.helpful is None or message.abstained
                               or is_sorry(message)):
        return None
    return message


def is_answer(message: ChatMessage) -> bool:
    return message.author == "bot" and message.article_id is not None


def is_sorry(message: ChatMessage) -> bool:
    """The bot's reply to a first "no": ask another way, or talk to a person."""
    return (message.client_key or "").startswith(SORRY_KEY)


def unhelpful_answers(session: Session, conversation_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(ChatMessage).where(
        ChatMessage.conversation_id == conversation_id, ChatMessage.helpful.is_(False))) or 0)


def answer(session: Session, conversation: Conversation, question: str, at: datetime) -> ChatMessage:
    """Ask the knowledge base; store the answer (or the abstention) with what was weighed."""
    found = ask(session, question, None)
    conversation.language = found.language if found.language in ("en", "zh") else conversation.language
    weighed = [c for c in (found.best, *found.alternatives) if c is not None]
    candidates = [{"article_id": c.article_id, "slug": c.slug, "title": c.title, "score": round(c.score, 4)}
                  for c in weighed]
    best = found.best
    if found.abstained or best is None:
        body, article_id = say(conversation.language, "abstain"), None
    else:
        article = session.get(KbArticle, best.article_id)
        body, article_id = snippet(article.body if article else "") or best.title, best.article_id
    message = ChatMessage(conversation_id=conversation.id, author="bot", body=body, language=conversation.language,
                          article_id=article_id, candidates=candidates, confidence=round(found.confidence, 4),
                          abstained=article_id is None, created_at=at)
    session.add(message)
    conversation.last_message_at = max(conversation.last_message_at, at)
    session.flush()
    return message


def article_path(slug: str) -> str:
    """Where the help centre shows a published entry."""
    return f"/help/a/{slug}"


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARKS = re.compile(r"(\*\*|__|`+|~~|^#{1,6}\s+|^>\s?|^\s*[-*+]\s+|^\s*\d+\.\s+)", re.MULTILINE)
_TAGS = re.compile(r"<[^>]{0,200}>")


def snippet(markdown: str, limit: int = SNIPPET_CHARS) -> str:
    """The first paragraph of a Markdown answer (headings skipped) as plain text, cut at a word near ``limit``."""
    for block in re.split(r"\n\s*\n", markdown.strip()):
        if re.fullmatch(r"\s*#{1,6}\s[^\n]*", block):
            continue  # a heading is no answer
        text = _TAGS.sub("", _MD_MARKS.sub("", _MD_LINK.sub(r"\1", block)))
        text = " ".join(text.split())
        if text:
            if len(text) <= limit:
                return text
            cut = text[:limit]
            space = cut.rfind(" ")
            return (cut[:space] if space > limit // 2 else cut).rstrip(",;:") + "…"
    return ""
