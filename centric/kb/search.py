"""Searching the published entries of one language for the help centre: :func:`search`.

Ranking is Okapi BM25 with a character n-gram blend, as :class:`centric.text.retrieval.TextIndex`
computes it (its docstring gives the method and sources): the first field is the title with
the question variants, the second (weighted less) the body. The index is built once per
language and kept until the knowledge base's revision (:func:`centric.kb.articles.kb_revision`)
moves, so every process sees an edit at its next search.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.kb.articles import category_keys, kb_revision, variants_of
from centric.kb.markdown import plain_text
from centric.kb.models import KbArticle
from centric.text.retrieval import TextIndex

#: Scores under this (relative BM25 blended with character n-grams) are noise, not matches.
MIN_SCORE = 0.08
MAX_QUERY = 200
SNIPPET = 200
MAX_INDEXES = 8  # languages × databases kept per process


@dataclass(frozen=True)
class SearchHit:
    article_id: int
    slug: str
    title: str
    snippet: str
    kind: str
    category: str | None
    language: str
    score: float


@dataclass(frozen=True)
class _Built:
    revision: str
    index: TextIndex[int]
    entries: dict[int, SearchHit]


_cache: dict[str, _Built] = {}
_lock = threading.Lock()


def _build(session: Session, language: str, revision: str) -> _Built:
    rows = list(session.scalars(select(KbArticle).where(KbArticle.status == "published",
                                                        KbArticle.language == language).order_by(KbArticle.id)))
    variants = variants_of(session, [row.id for row in rows])
    categories = category_keys(session, [row.category_id for row in rows])
    index = TextIndex([(row.id, " \n".join([row.title, *variants.get(row.id, [])])) for row in rows],
                      bodies={row.id: row.body for row in rows})
    entries = {row.id: SearchHit(row.id, row.slug, row.title, row.body, row.kind,
                                 categories.get(row.category_id) if row.category_id else None, row.language, 0.0)
               for row in rows}  # the snippet holds the body until a search finds the entry
    return _Built(revision, index, entries)


def search(session: Session, q: str, language: str, limit: int = 20) -> list[SearchHit]:
    """The published entries in ``language`` that best match ``q``, best first (at most ``limit``)."""
    q = q.strip()[:MAX_QUERY]
    if not q:
        return []
    revision = kb_revision(session)
    key = f"{session.get_bind().engine.url}|{language}"  # one index per database and language
    with _lock:
        built = _cache.get(key)
    if built is None or built.revision != revision:
        built = _build(session, language, revision)
        with _lock:
            _cache.pop(key, None)
            _cache[key] = built
            while len(_cache) > MAX_INDEXES:
                _cache.pop(next(iter(_cache)))
    found = built.index.search(q, k=limit, min_score=MIN_SCORE)
    return [replace(hit, snippet=plain_text(hit.snippet, SNIPPET), score=score)
            for hit, score in ((built.entries[key], score) for key, score in found)]
