"""The FAQ bot's answers from the published knowledge base: :func:`ask`.

The engine is :class:`centric.text.answers.AnswerEngine` (hybrid retrieval: an anchored softmax
regression and cosines over multilingual sentence embeddings, BM25 and character n-grams, a
conditional logit with a "none of these" option), one per language, built from the published
entries (title + question variants + body) and calibrated on the base's own variants held out in
turn plus the shipped off-topic questions (:mod:`centric.text.answer_calibration`). Below the
calibrated threshold the bot abstains and says so.

The engines are cached per process and database, keyed by a cheap revision of the knowledge base
(:func:`revision`: one aggregate query per question), so an edit saved by any process is seen by
every process at its next question. While one thread rebuilds, the others keep answering from the
previous engines. Embeddings of texts already seen are remembered, so a rebuild after an edit
embeds only the changed texts.

A question in a language without published entries is answered from the other language's
entries (the embeddings are cross-lingual; the candidates' ``language`` says which).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from centric.kb.models import LANGUAGES, KbArticle, KbVariant
from centric.text import answer_calibration, embeddings
from centric.text.answers import MAX_QUESTION_CHARS, AnswerEngine, Entry, Memo, clean
from centric.text.language import detect_language

#: The most alternatives one answer carries.
MAX_ALTERNATIVES = 10


@dataclass(frozen=True)
class Candidate:
    """A published entry the bot weighed for a question, with its confidence in [0, 1]."""

    article_id: int
    slug: str
    title: str
    language: str
    score: float


@dataclass(frozen=True)
class BotAnswer:
    """What the bot answers: the best entry and up to ``k`` alternatives, or an abstention.

    ``abstained`` is True when the best confidence is under the calibrated threshold (then
    ``best`` is None and ``alternatives`` may still hold the nearest entries, for staff and
    for "did you mean"). ``language`` is the question's detected language ("en", "zh").
    ``confidence`` is the engine's probability that the best entry answers the question;
    ``threshold`` the calibrated confidence under which it abstains. ``cross_lingual`` is True
    when no entry exists in the question's language and the other language's entries answered.
    """

    question: str
    language: str
    abstained: bool
    confidence: float
    best: Candidate | None
    alternatives: tuple[Candidate, ...]
    threshold: float = 0.0
    cross_lingual: bool = False


Revision = tuple[Any, ...]


@dataclass(frozen=True)
class _Snapshot:
    revision: Revision
    engines: dict[str, AnswerEngine]  # language -> engine over that language's published entries
    articles: dict[int, tuple[str, str, str]]  # id -> (slug, title, language)


class _Cache:
    """The per-process engines, one set per database (engine)."""

    def __init__(self) -> None:
        self._snapshots: dict[Any, _Snapshot] = {}
        self._building: dict[Any, threading.Lock] = {}
        self._lock = threading.Lock()
        self.embedder = Memo(embeddings.embed)

    def snapshot(self, session: Session) -> _Snapshot:
        bind = session.get_bind()
        key = (id(bind), str(getattr(bind, "url", "")))
        current = revision(session)
        with self._lock:
            snap = self._snapshots.get(key)
            builder = self._building.setdefault(key, threading.Lock())
        if snap is not None and snap.revision == current:
            return snap
        # One thread rebuilds; the others answer from the previous engines when there are some.
        if not builder.acquire(blocking=snap is None):
            assert snap is not None
            return snap
        try:
            with self._lock:
                latest = self._snapshots.get(key)
            if latest is not None and latest.revision == current:
                return latest
            fresh = _build(session, current, self.embedder)
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
    """Forget every engine (the next question rebuilds)."""
    _CACHE.clear()


def revision(session: Session) -> Revision:
    """What changes whenever a published entry or a variant does: one query of aggregates.

    Published articles: count, highest id, sum of versions, latest ``updated_at``; variants: count
    and highest id (a variant added, removed or replaced changes one of them). The sum of versions
    grows with every save whatever the clock of the machine that saved it (web processes on
    several machines: a clock behind the others would leave the latest ``updated_at`` unchanged).
    """
    count, top, versions, changed, n_variants, top_variant = session.execute(
        select(func.count(KbArticle.id), func.max(KbArticle.id), func.coalesce(func.sum(KbArticle.version), 0),
               func.max(KbArticle.updated_at),
               select(func.count(KbVariant.id)).scalar_subquery(), select(func.max(KbVariant.id)).scalar_subquery())
        .where(KbArticle.status == "published")
    ).one()
    return (int(count or 0), int(top or 0), int(versions), _stamp(changed), int(n_variants or 0),
            int(top_variant or 0))


def _stamp(value: datetime | str | None) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


def _build(session: Session, current: Revision, embedder: Memo) -> _Snapshot:
    rows = session.execute(
        select(KbArticle.id, KbArticle.slug, KbArticle.title, KbArticle.body, KbArticle.language)
        .where(KbArticle.status == "published").order_by(KbArticle.id)
    ).all()
    variants: dict[int, list[str]] = {}
    for article_id, text in session.execute(
        select(KbVariant.article_id, KbVariant.text).join(KbArticle, KbArticle.id == KbVariant.article_id)
        .where(KbArticle.status == "published").order_by(KbVariant.article_id, KbVariant.position, KbVariant.id)
    ):
        variants.setdefault(article_id, []).append(text)
    by_language: dict[str, list[Entry]] = {}
    for row in rows:
        by_language.setdefault(row.language, []).append(
            Entry(row.id, row.title, tuple(variants.get(row.id, ())), row.body or "", row.language))
    engines = {}
    for language, entries in by_language.items():
        engine = AnswerEngine.build(entries, embedder)
        if len(engine):
            engines[language] = answer_calibration.self_calibrate(
                engine, answer_calibration.off_topic_questions(language))
    return _Snapshot(current, engines, {row.id: (row.slug, row.title, row.language) for row in rows})


def question_language(question: str) -> str:
    """The question's language among the knowledge base's ("en" when undetermined)."""
    detected = detect_language(question)
    return detected if detected in LANGUAGES else "en"


def ask(session: Session, question: str, language: str | None = None, *, k: int = 3) -> BotAnswer:
    """Answer ``question`` from the published entries in ``language`` (detected when None)."""
    question = clean(question, MAX_QUESTION_CHARS)  # no control characters or lone surrogates
    lang = language if language in LANGUAGES else question_language(question)
    k = max(0, min(k, MAX_ALTERNATIVES))
    snap = _CACHE.snapshot(session)
    engine = snap.engines.get(lang)
    cross = engine is None and bool(snap.engines)
    if engine is None and snap.engines:
        engine = next(e for language_, e in sorted(snap.engines.items()) if language_ != lang)
    if engine is None or not question.strip():
        threshold = engine.fusion.threshold if engine is not None else 0.0
        return BotAnswer(question, lang, True, 0.0, None, (), threshold, cross)
    answer = engine.answer(question, k)

    def candidate(entry_id: int | str, score: float) -> Candidate:
        slug, title, entry_language = snap.articles[int(entry_id)]
        return Candidate(int(entry_id), slug, title, entry_language, score)

    best = candidate(answer.best.entry_id, answer.best.confidence) if answer.best is not None else None
    alternatives = tuple(candidate(m.entry_id, m.confidence) for m in answer.alternatives)
    return BotAnswer(question, lang, answer.abstained, answer.confidence, best, alternatives[:k],
                     answer.threshold, cross)
