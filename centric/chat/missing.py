"""The missing-answers queue: what customers asked that the knowledge base does not answer yet.

A customer question is on the queue when, in a conversation started in the period,

* the bot **abstained** on it ("I don't know that one"),
* the customer said the bot's answer to it **did not help** ("no"), or
* the customer **asked for a person** after the bot replied to it (the last question the
  bot replied to before the hand-off).

A question is the customer's message the bot replied to; a bot message is tied to the last
question before it, so the customer's own "no" or "thanks" (:data:`NOT_QUESTIONS`) never
becomes a question. The questions are grouped by what they ask, across English and Chinese
(:func:`centric.text.question_groups.group_questions`: the existing theme discovery checked
with sentence embeddings), and each group links to the KB editor with its wordings as the
new article's question variants.

Staff dismiss questions that need no article (spam, one-off requests). A dismissal is one
``app_setting`` row per question (key ``chat.missing.dismissed.<message id>``, value who
and when) — no table of its own yet; see docs/kb-and-chat.md.

Customers' words: only callers with ``kb:write`` may read it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from urllib.parse import quote, urlencode

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.orm import Session, aliased

from centric.accounts.models import AppSetting
from centric.chat.metrics import scope_of
from centric.chat.missing_schemas import DismissOut, MissingGroup, MissingQuestion, WriteLink
from centric.chat.models import ChatMessage as Message
from centric.chat.models import Conversation
from centric.db import utcnow
from centric.errors import NotFound
from centric.maps.cache import TimedCache
from centric.text.question_groups import QuestionGroup, group_questions

#: Most recent questions grouped at once (grouping 1,000 takes a few seconds on two cores; the result is cached).
MAX_QUESTIONS = 1000
DISMISSED = "chat.missing.dismissed."
#: Replies to "did this help?" and courtesies: never a question of their own.
NOT_QUESTIONS = frozenset(
    "yes no y n yep nope yeah nah ok okay thanks thank you thx ty great perfect cool fine no thanks yes thanks "
    "是 是的 对 不 不是 没有 否 好 好的 嗯 谢谢 多谢 感谢 有用 没用 有帮助 没帮助 没有帮助 可以 行".split(" ")
) | {"thank you", "no thanks", "yes thanks", "no thank you", "not really", "没有帮助"}
EXAMPLES_PER_LANGUAGE = 3
MAX_VARIANTS = 8
VARIANT_CHARS = 160
MAX_LINK = 4000  # characters of a "write an article" link, so that it stays a valid request line
EDITOR_PATH = "/kb/articles/new"
MAX_MESSAGE_ID = 2**31 - 1
CACHE_SECONDS = 600.0
_groups_cache = TimedCache(max_entries=32)
_WORD = re.compile(r"[\w\u4e00-\u9fff]+")


@dataclass(frozen=True)
class _Row:
    id: int
    conversation_id: int
    author: str
    body: str
    language: str
    abstained: bool
    helpful: bool | None
    created_at: datetime
    handed_off_at: datetime | None
    handoff_reason: str | None


def is_question(text: str) -> bool:
    """Whether a customer's message can be a question (not empty, not only "no", "thanks", "好的")."""
    words = " ".join(_WORD.findall(text.casefold()))
    return bool(words) and words not in NOT_QUESTIONS


def missing_questions(session: Session, *, since: datetime | None = None, until: datetime | None = None,
                      language: str | None = None, channel: str | None = None,
                      include_dismissed: bool = False) -> list[MissingQuestion]:
    """The queue's questions in the period, oldest first (two queries: the messages, the dismissals)."""
    questions = _questions(session, since, until, language, channel)
    if include_dismissed:
        return questions
    dismissed = dismissed_ids(session, [q.message_id for q in questions])
    return [q for q in questions if q.message_id not in dismissed]


def missing_groups(session: Session, *, since: datetime | None = None, until: datetime | None = None,
                   language: str | None = None, channel: str | None = None) -> list[MissingGroup]:
    """The queue grouped by what the questions ask: the largest group first, then the most recent.

    The :data:`MAX_QUESTIONS` most recent questions of the period are grouped (dismissed ones
    too, so that a dismissal does not regroup the rest); groups are cached per set of
    questions for :data:`CACHE_SECONDS`.
    """
    questions = _questions(session, since, until, language, channel)[-MAX_QUESTIONS:]
    dismissed = dismissed_ids(session, [q.message_id for q in questions])
    ids = [q.message_id for q in questions]
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()
    grouped: list[QuestionGroup] = _groups_cache.get(
        session, ("missing", digest), lambda: group_questions([q.text for q in questions]), CACHE_SECONDS)
    out = []
    for group in grouped:
        members = [questions[i] for i in group.members if questions[i].message_id not in dismissed]
        if members:
            out.append(_group_out(group, members))
    return sorted(out, key=lambda g: (-g.size, -g.last_seen.timestamp(), g.key))


def _questions(session: Session, since: datetime | None, until: datetime | None, language: str | None,
               channel: str | None) -> list[MissingQuestion]:
    scope = scope_of(since, until, language, channel)
    conv = Conversation
    reply = aliased(Message)
    went_wrong = exists().where(reply.conversation_id == conv.id, reply.author == "bot",
                                or_(reply.abstained.is_(True), reply.helpful.is_(False)))
    query = select(
        Message.id, Message.conversation_id, Message.author, Message.body, Message.language, Message.abstained,
        Message.helpful, Message.created_at, conv.handed_off_at, conv.handoff_reason,
    ).join(conv, Message.conversation_id == conv.id).where(
        *scope.where(), or_(went_wrong, conv.handoff_reason == "requested"), Message.author.in_(("customer", "bot")),
    ).order_by(Message.conversation_id, Message.id)
    rows = [_Row(**row._mapping) for row in session.execute(query)]
    found: list[MissingQuestion] = []
    for _, messages in groupby(rows, key=lambda r: r.conversation_id):
        found += _flagged(list(messages))
    return sorted(found, key=lambda q: (q.asked_at, q.message_id))


def _flagged(messages: Sequence[_Row]) -> list[MissingQuestion]:
    """One conversation's questions that went wrong, each once with all its reasons."""
    reasons: dict[int, list[str]] = {}
    by_id = {m.id: m for m in messages}
    current: _Row | None = None  # the question the bot's messages now reply to
    before_handoff: _Row | None = None  # the last question the bot replied to before the hand-off
    for message in messages:
        if message.author == "customer":
            if is_question(message.body):
                current = message
            continue
        if current is None:
            continue
        if message.handed_off_at is None or message.created_at <= message.handed_off_at:
            before_handoff = current
        said = reasons.setdefault(current.id, [])
        if message.abstained and "abstained" not in said:
            said.append("abstained")
        if message.helpful is False and "unhelpful" not in said:
            said.append("unhelpful")
    if before_handoff is not None and before_handoff.handoff_reason == "requested":
        reasons.setdefault(before_handoff.id, []).append("handoff")
    return [MissingQuestion(message_id=i, conversation_id=by_id[i].conversation_id, text=by_id[i].body,
                            language=by_id[i].language, asked_at=by_id[i].created_at, reasons=said)
            for i, said in reasons.items() if said]


def _group_out(group: QuestionGroup, members: list[MissingQuestion]) -> MissingGroup:
    languages = sorted({q.language for q in members})
    reasons: dict[str, int] = {}
    for q in members:
        for reason in q.reasons:
            reasons[reason] = reasons.get(reason, 0) + 1
    examples = [q for lang in languages for q in [m for m in members if m.language == lang][:EXAMPLES_PER_LANGUAGE]]
    return MissingGroup(
        key=f"q{min(q.message_id for q in members)}", label=group.label, size=len(members), languages=languages,
        reasons=reasons, first_seen=min(q.asked_at for q in members), last_seen=max(q.asked_at for q in members),
        examples=examples, message_ids=sorted(q.message_id for q in members),
        write=[WriteLink(language=lang, url=write_link([m.text for m in members if m.language == lang], lang))
               for lang in languages],
    )


def write_link(texts: Sequence[str], language: str) -> str:
    """The KB editor's "new article" address: the first text as title, the others as variants (one per line)."""
    wordings: list[str] = []
    for text in texts:
        wording = " ".join(text.split())[:VARIANT_CHARS]
        if wording and wording.casefold() not in {w.casefold() for w in wordings}:
            wordings.append(wording)
    title, variants = (wordings[0] if wordings else ""), wordings[1:1 + MAX_VARIANTS]
    while True:
        link = EDITOR_PATH + "?" + urlencode({"title": title, "language": language, "variants": "\n".join(variants)},
                                             quote_via=quote, safe="")
        if len(link) <= MAX_LINK or not variants:
            return link
        variants = variants[:-1]


def _key(message_id: int) -> str:
    return f"{DISMISSED}{message_id}"


def dismissed_ids(session: Session, message_ids: Iterable[int]) -> set[int]:
    """Which of ``message_ids`` staff dismissed from the queue (one query)."""
    keys = [_key(i) for i in set(message_ids)]
    if not keys:
        return set()
    found = session.scalars(select(AppSetting.key).where(AppSetting.key.in_(keys)))
    return {int(key[len(DISMISSED):]) for key in found}


def _customer_messages(session: Session, message_ids: Iterable[int]) -> list[int]:
    ids = sorted(set(message_ids))
    storable = [i for i in ids if 1 <= i <= MAX_MESSAGE_ID]  # no other id can exist (and PostgreSQL refuses it)
    known = set(session.scalars(select(Message.id).where(Message.id.in_(storable), Message.author == "customer")))
    missing = [i for i in ids if i not in known]
    if missing:
        raise NotFound(f"no customer chat message with id {missing[0]}", field="message_ids")
    return ids


def dismiss(session: Session, message_ids: Iterable[int], user_id: int | None) -> DismissOut:
    """Take customer questions off the queue; a question already dismissed stays as it was (idempotent)."""
    ids = _customer_messages(session, message_ids)
    already = dismissed_ids(session, ids)
    value = json.dumps({"by": user_id, "at": utcnow().isoformat(timespec="seconds")})
    session.add_all([AppSetting(key=_key(i), value=value) for i in ids if i not in already])
    session.flush()
    return DismissOut(dismissed=len(ids) - len(already))


def restore(session: Session, message_ids: Iterable[int]) -> DismissOut:
    """Put dismissed questions back on the queue."""
    ids = _customer_messages(session, message_ids)
    result = session.execute(delete(AppSetting).where(AppSetting.key.in_([_key(i) for i in ids])))
    session.flush()
    return DismissOut(dismissed=0, restored=int(getattr(result, "rowcount", 0) or 0))
