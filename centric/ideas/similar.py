"""Duplicate suggestions: the existing ideas most like a title being typed (English and Chinese).

Visible ideas (approved, not merged away) are indexed with :class:`centric.text.retrieval.TextIndex`:
BM25 over titles, bodies as a second field weighted less, blended with a character n-gram
cosine of the titles and with the cosine in a :class:`~centric.text.retrieval.SemanticSpace`
fitted (without labels) on the visible ideas plus up to :data:`SEMANTIC_FEEDBACK` recent
feedback texts, so that paraphrases sharing no word can still meet. The index (and the space)
is built once per process and database, and rebuilt when a
cheap fingerprint of the idea table (count, max id, max ``updated_at``) changes; while one
thread rebuilds, the others keep answering from the previous index. The ideas found are read
again by id, so status, votes and visibility are always current. Suggestions score at least
:data:`MIN_SCORE` (relative to the query), so unrelated ideas are not proposed.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from centric.db import intend_to_write
from centric.errors import NotFound, TooManyRequests
from centric.feedback.models import Feedback
from centric.ideas.models import Idea
from centric.ideas.service import get_board, public_path
from centric.surveys import ratelimit
from centric.text.retrieval import SemanticSpace, TextIndex

#: Relative score below which an idea is not proposed. On CLINC150's training split it keeps
#: 61 of the 67 in every 100 queries whose same-intent idea is in the top 3, while
#: out-of-scope queries get any suggestion about half as often (55% instead of 100%).
MIN_SCORE = 0.1
#: Characters of the typed text looked at.
MAX_QUERY_CHARS = 300
#: Suggestion requests one address may make per rate-limit window (an hour): typing a title
#: with the script's 250 ms pause sends one per word or so.
PORTAL_LIMIT = 1_200
PORTAL_ITEMS = 5
#: Most recent feedback texts the semantic space learns from, beside the ideas themselves.
SEMANTIC_FEEDBACK = 50_000
#: How long a fitted semantic space serves before it is fitted again (new ideas only re-embed).
SPACE_REFIT_S = 86_400.0
_BOARD_KEY = re.compile(r"[A-Za-z0-9_.-]{1,60}")

Fingerprint = tuple[int, int, datetime | None]


@dataclass(frozen=True)
class Suggestion:
    idea_id: int
    title: str
    status: str
    votes: int
    score: float


@dataclass
class _Snapshot:
    fingerprint: Fingerprint
    index: TextIndex[int]
    board_of: dict[int, int]
    space: SemanticSpace | None = None
    space_fitted: float = 0.0  # time.monotonic() when the space was fitted
    masks: dict[int, np.ndarray] = field(default_factory=dict)

    def mask(self, board_id: int) -> np.ndarray:
        mask = self.masks.get(board_id)
        if mask is None:
            mask = self.masks[board_id] = self.index.mask(i for i, b in self.board_of.items() if b == board_id)
        return mask


class _Cache:
    """The per-process indexes, one per database (engine)."""

    def __init__(self) -> None:
        self._snapshots: dict[Any, _Snapshot] = {}
        self._lock = threading.Lock()  # guards _snapshots and _building
        self._building: dict[Any, threading.Lock] = {}

    def snapshot(self, session: Session) -> _Snapshot:
        bind = session.get_bind()
        key = (id(bind), str(getattr(bind, "url", "")))
        current = fingerprint(session)
        with self._lock:
            snap = self._snapshots.get(key)
            builder = self._building.setdefault(key, threading.Lock())
        if snap is not None and snap.fingerprint == current:
            return snap
        # One thread rebuilds; the others answer from the previous index when there is one.
        if not builder.acquire(blocking=snap is None):
            assert snap is not None
            return snap
        try:
            with self._lock:
                latest = self._snapshots.get(key)
            if latest is not None and latest.fingerprint == current:
                return latest
            fresh = _build(session, current, latest)
            with self._lock:
                self._snapshots[key] = fresh
            return fresh
        finally:
            builder.release()

    def clear(self) -> None:
        with self._lock:
            self._snapshots.clear()


_CACHE = _Cache()


def clear_cache() -> None:
    """Forget every index (the next suggestion rebuilds)."""
    _CACHE.clear()


def fingerprint(session: Session) -> Fingerprint:
    """Count, max id and latest change of the idea table: one aggregate query."""
    count, top, changed = session.execute(
        select(func.count(Idea.id), func.max(Idea.id), func.max(Idea.updated_at))).one()
    return int(count or 0), int(top or 0), changed


def _visible() -> Any:
    return select(Idea.id, Idea.board_id, Idea.title, Idea.body).where(
        Idea.moderation == "approved", Idea.status != "duplicate").order_by(Idea.id)


def _build(session: Session, current: Fingerprint, previous: _Snapshot | None = None) -> _Snapshot:
    """A fresh index of the visible ideas; the semantic space is reused while younger than a day.

    Fitting the space reads up to :data:`SEMANTIC_FEEDBACK` texts and takes seconds, so it is
    not redone for every new idea: the index only embeds the ideas in the current space.
    """
    rows = session.execute(_visible()).all()
    space, fitted = (previous.space, previous.space_fitted) if previous is not None else (None, 0.0)
    if space is None or time.monotonic() - fitted > SPACE_REFIT_S:
        feedback = session.scalars(select(Feedback.text).order_by(Feedback.occurred_at.desc(), Feedback.id.desc())
                                   .limit(SEMANTIC_FEEDBACK)).all()
        texts = [title for _, _, title, _ in rows] + [body for _, _, _, body in rows if body] + list(feedback)
        space, fitted = SemanticSpace.fit(texts), time.monotonic()
    index = TextIndex([(i, title) for i, _, title, _ in rows], bodies={i: body for i, _, _, body in rows if body},
                      semantic=space)
    return _Snapshot(current, index, {i: board for i, board, _, _ in rows}, space, fitted)


def suggest(session: Session, text: str, *, board_id: int | None = None, limit: int = 5,
            exclude: int | None = None) -> list[Suggestion]:
    """Up to ``limit`` visible ideas (approved, not merged away) most like ``text``, best first."""
    text = (text or "")[:MAX_QUERY_CHARS]
    if limit <= 0 or not text.strip():
        return []
    snap = _CACHE.snapshot(session)
    mask = snap.mask(board_id) if board_id is not None else None
    excluded = (exclude,) if exclude is not None else ()
    found = snap.index.search(text, limit + 5, mask=mask, min_score=MIN_SCORE, exclude=excluded)
    if not found:
        return []
    current = {row.id: row for row in session.execute(
        select(Idea.id, Idea.board_id, Idea.title, Idea.status, Idea.vote_count, Idea.moderation)
        .where(Idea.id.in_([i for i, _ in found])))}
    out: list[Suggestion] = []
    for idea_id, score in found:
        row = current.get(idea_id)
        if row is None or row.moderation != "approved" or row.status == "duplicate":
            continue
        if board_id is not None and row.board_id != board_id:
            continue
        out.append(Suggestion(idea_id, row.title, row.status, row.vote_count, score))
    return out[:limit]


def portal_suggestions(session: Session, key_of: Callable[[], bytes], address: str, text: str,
                       board_key: str = "") -> list[dict]:
    """The portal's typing suggestions: rate-limited per address, restricted to ``board_key``'s board.

    The hit is counted and committed first, so the search (and a rebuild of the index) never
    holds SQLite's write lock. Raises ``TooManyRequests`` past :data:`PORTAL_LIMIT` hits in
    the window, ``NotFound`` for an unknown board. Items: id, title, status, votes, page url.
    """
    intend_to_write(session)
    hits = ratelimit.hit(session, ratelimit.bucket_for(key_of(), address, "ideas-suggest"))
    session.commit()
    if hits > PORTAL_LIMIT:
        raise TooManyRequests("too many suggestion requests; try again later",
                              retry_after=int(ratelimit.WINDOW.total_seconds()))
    if board_key and not _BOARD_KEY.fullmatch(board_key):
        raise NotFound(f"no idea board with key {board_key[:60]!r}")
    board_id = get_board(session, board_key).id if board_key else None
    found = suggest(session, text.replace("\x00", " "), board_id=board_id, limit=PORTAL_ITEMS)
    return [{"id": s.idea_id, "title": s.title, "status": s.status, "votes": s.votes, "url": public_path(s.idea_id)}
            for s in found]
