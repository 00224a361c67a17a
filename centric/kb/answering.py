"""The FAQ bot's answers from the published knowledge base: :func:`ask`.

INTERIM (foundation): a plain BM25 match of the question against each published entry's
title and question variants, with a fixed abstention score. The answering helper replaces
the internals (hybrid retrieval, calibrated abstention, cached index); the signature and
the result types below are the contract the chat domain codes against.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.kb.models import KbArticle, KbVariant
from centric.text.language import detect_language
from centric.text.retrieval import TextIndex

#: Relative BM25 score under which the interim bot abstains.
MIN_SCORE = 0.5


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
    """

    question: str
    language: str
    abstained: bool
    confidence: float
    best: Candidate | None
    alternatives: tuple[Candidate, ...]


def ask(session: Session, question: str, language: str | None = None, *, k: int = 3) -> BotAnswer:
    """Answer ``question`` from the published entries in ``language`` (detected when None)."""
    lang = language or _language(question)
    rows = session.execute(
        select(KbArticle).where(KbArticle.status == "published", KbArticle.language == lang)
    ).scalars().all()
    variants: dict[int, list[str]] = {}
    for variant in session.execute(
        select(KbVariant).where(KbVariant.article_id.in_([row.id for row in rows]))
    ).scalars():
        variants.setdefault(variant.article_id, []).append(variant.text)
    by_id = {row.id: row for row in rows}
    pairs = [(row.id, text) for row in rows for text in [row.title, *variants.get(row.id, [])]]
    best_scores: dict[int, float] = {}
    if pairs:
        for key, score in TextIndex(pairs).search(question, k=50):
            best_scores[key] = max(best_scores.get(key, 0.0), score)
    ranked = sorted(best_scores.items(), key=lambda item: -item[1])[: k + 1]
    found = [Candidate(i, by_id[i].slug, by_id[i].title, lang, round(min(1.0, s), 4)) for i, s in ranked]
    confidence = found[0].score if found else 0.0
    abstained = confidence < MIN_SCORE
    best = None if abstained or not found else found[0]
    alternatives = tuple(found[1:] if best else found[:k])
    return BotAnswer(question, lang, abstained, confidence, best, alternatives[:k])


def _language(question: str) -> str:
    detected = detect_language(question)
    return detected if detected in ("en", "zh") else "en"
