"""Matching texts to taxonomy themes: keyword rules plus nearest-centroid examples.

Two complementary methods, both compiled once per :class:`~centric.text.taxonomy.Taxonomy`:

* **Keywords** — English keywords and phrases (up to four words) match whole tokens after
  light suffix stripping (:func:`stem`); Chinese keywords match as substrings. Every hit
  keeps its matched term and character span, so a theme can take the sentiment of the
  clause it was mentioned in.
* **Examples** — each theme's example phrases form a TF-IDF centroid (word 1-2-grams for
  English, character 1-2-grams for Chinese; Rocchio / nearest-centroid classification,
  Manning et al., *Introduction to IR*, ch. 14). A text is assigned the most similar
  theme when the cosine similarity reaches ``example_similarity``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from centric.text.taxonomy import Taxonomy

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_MAX_PHRASE = 4


_STEMS: dict[str, str] = {}


def stem(word: str) -> str:
    """Light English suffix stripping: plural -s/-ies, then -ing, -ed or a final -e."""
    cached = _STEMS.get(word)
    if cached is None:
        if len(_STEMS) > 200_000:  # bound the memo on endless novel tokens
            _STEMS.clear()
        cached = _STEMS[word] = _stem(word)
    return cached


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed", "e"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True, slots=True)
class KeywordMatch:
    """A keyword of theme ``path`` found at ``start:end`` of the cleaned text."""

    path: str
    term: str
    start: int
    end: int


class ThemeMatcher:
    """Compiled keyword tables and example centroids of one taxonomy."""

    def __init__(self, taxonomy: Taxonomy, example_similarity: float | None = None) -> None:
        self.taxonomy = taxonomy
        self.example_similarity = (
            taxonomy.example_similarity if example_similarity is None else example_similarity
        )
        self._en: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        self._en_prefixes: set[tuple[str, ...]] = set()
        self._zh: dict[str, list[str]] = {}
        for theme in taxonomy.themes:
            for keyword in theme.keywords_for("en"):
                key = tuple(stem(w) for w in _WORD.findall(keyword.lower()))
                if 0 < len(key) <= _MAX_PHRASE:
                    self._en.setdefault(key, []).append((theme.path, keyword))
                    self._en_prefixes.update(key[:n] for n in range(1, len(key)))
            for keyword in theme.keywords_for("zh"):
                self._zh.setdefault(keyword.lower(), []).append(theme.path)
        self._zh_keys = sorted(self._zh, key=len, reverse=True)
        self._centroids = {lang: self._fit_centroids(lang) for lang in ("en", "zh")}

    # --- keywords ------------------------------------------------------------------
    def keyword_matches(self, text: str) -> list[KeywordMatch]:
        """All keyword hits in cleaned ``text`` (English and Chinese tables alike)."""
        out: list[KeywordMatch] = []
        if self._en:
            out.extend(self._en_matches(text))
        if self._zh and not text.isascii():
            out.extend(self._zh_matches(text))
        return out

    def _en_matches(self, text: str) -> list[KeywordMatch]:
        spans = [(m.start(), m.end()) for m in _WORD.finditer(text.lower())]
        stems = [stem(text[a:b].lower()) for a, b in spans]
        out: list[KeywordMatch] = []
        table, prefixes = self._en, self._en_prefixes
        for i in range(len(stems)):
            key: tuple[str, ...] = ()
            for j in range(i, min(i + _MAX_PHRASE, len(stems))):
                key = (*key, stems[j])
                hits = table.get(key)
                if hits:
                    start, end = spans[i][0], spans[j][1]
                    out.extend(KeywordMatch(path, text[start:end], start, end) for path, _ in hits)
                if key not in prefixes:
                    break
        return out

    def _zh_matches(self, text: str) -> list[KeywordMatch]:
        lowered = text.lower()
        out: list[KeywordMatch] = []
        for keyword in self._zh_keys:
            start = lowered.find(keyword)
            while start >= 0:
                end = start + len(keyword)
                out.extend(
                    KeywordMatch(path, text[start:end], start, end) for path in self._zh[keyword]
                )
                start = lowered.find(keyword, end)
        return out

    # --- examples ------------------------------------------------------------------
    def _fit_centroids(self, language: str) -> tuple[TfidfVectorizer, np.ndarray, list[str]] | None:
        texts, owners = [], []
        for theme in self.taxonomy.themes:
            for example in theme.examples_for(language):
                texts.append(example)
                owners.append(theme.path)
        if not texts:
            return None
        from sklearn.feature_extraction.text import TfidfVectorizer  # at use: scikit-learn costs ~1.5 s to import
        from sklearn.preprocessing import normalize

        if language == "zh":
            vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True)
        else:
            vectorizer = TfidfVectorizer(
                ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b"
            )
        x = vectorizer.fit_transform(texts)
        paths = sorted(set(owners))
        row = {p: i for i, p in enumerate(paths)}
        membership = np.zeros((len(paths), len(texts)))
        for j, owner in enumerate(owners):
            membership[row[owner], j] = 1.0
        centroids = normalize(np.asarray((membership @ x) / membership.sum(1, keepdims=True)))
        return vectorizer, centroids, paths

    def classify(
        self, texts: Sequence[str], languages: Sequence[str]
    ) -> list[tuple[str, float] | None]:
        """Nearest example centroid per text, or ``None`` below ``example_similarity``."""
        out: list[tuple[str, float] | None] = [None] * len(texts)
        for language, fitted in self._centroids.items():
            if fitted is None:
                continue
            rows = [i for i, lang in enumerate(languages) if lang == language]
            if not rows:
                continue
            vectorizer, centroids, paths = fitted
            sims = np.asarray(vectorizer.transform([texts[i] for i in rows]) @ centroids.T)
            best = sims.argmax(axis=1)
            for r, i in enumerate(rows):
                similarity = float(sims[r, best[r]])
                if similarity > 0 and similarity >= self.example_similarity:
                    out[i] = (paths[best[r]], similarity)
        return out


@lru_cache(maxsize=16)
def matcher_for(taxonomy: Taxonomy) -> ThemeMatcher:
    """The compiled matcher of ``taxonomy``, built once per distinct taxonomy (the 16 most recent are kept)."""
    return ThemeMatcher(taxonomy)
