"""The FAQ bot's answering engine: the entry a customer's question asks, or an abstention.

Built from FAQ entries (a title, question variants, a body) and pure: no database, no web.

1. Question texts (each entry's title and variants) and bodies (Markdown, as plain text) are
   embedded with the shared multilingual sentence encoder (:mod:`centric.text.embeddings`) and
   indexed for BM25 (:class:`centric.text.retrieval.TextIndex`: English stems, jieba words and
   character n-grams; Robertson & Zaragoza 2009).
2. An anchored softmax regression over the entries (:mod:`centric.text.answer_model`) is
   fitted on the question texts' embeddings.
3. A question's shortlist is the union of the entries ranked highest by that regression and by
   BM25 plus character n-grams over question texts.
4. Each shortlisted entry gets features (:data:`FEATURES`): its log-probability among the
   shortlist, its raw logit (absolute evidence, which a softmax discards: an out-of-scope
   question has low logits everywhere; cf. the energy score of Liu et al. 2020, "Energy-based
   Out-of-distribution Detection", NeurIPS), its best question-text cosine, its best BM25 and
   character n-gram scores over question texts, and its body's BM25 score and cosine (article
   text is the weaker field). A conditional logit with a "none
   of these" alternative (McFadden 1974, "Conditional logit analysis of qualitative choice
   behavior"; the null option as in open-set classification) turns them into probabilities:
   ``P(entry) = exp(theta . f) / (exp(theta_0) + sum exp(theta . f'))``.
5. The confidence is the best entry's probability; below the calibrated threshold the engine
   abstains (the max-probability rule of Hendrycks & Gimpel 2017, "A Baseline for Detecting
   Misclassified and Out-of-Distribution Examples", ICLR, as evaluated on CLINC150 by Larson
   et al. 2019).

The weights ``theta`` and the threshold come from :mod:`centric.text.answer_calibration`:
either from labelled questions the caller holds out (a benchmark's validation split) or, for a
live knowledge base, from its own variants held out in turn plus a shipped set of off-topic
questions. Never from the questions being evaluated.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from centric.text import answer_model
from centric.text.embeddings import DIMS
from centric.text.retrieval import TextIndex, content

#: The features of a (question, entry) pair, in the order of the fusion weights.
FEATURES = ("log_p", "logit", "cosine", "bm25", "characters", "body_bm25", "body_cosine")
#: Entries each ranking contributes to a question's shortlist.
SHORTLIST = 10
#: Characters of an entry's body that are embedded and indexed.
BODY_CHARS = 1_000
#: Characters of a question looked at.
MAX_QUESTION_CHARS = 1_000
#: Questions embedded and scored per batch in :meth:`AnswerEngine.answer_many`.
BATCH = 256

Embedder = Callable[[Sequence[str]], np.ndarray]

_MARKDOWN = [
    (re.compile(r"```.*?```", re.S), " "),
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"<[^>]{0,200}>"), " "),
    (re.compile(r"(?m)^\s{0,3}(#{1,6}|>|[-*+]|\d+[.)])\s+"), ""),
    (re.compile(r"[*_`~|]+"), " "),
    (re.compile(r"\s+"), " "),
]


@dataclass(frozen=True)
class Entry:
    """One FAQ entry: its id, its canonical question, other ways to ask it, and its answer."""

    id: int | str
    title: str
    variants: tuple[str, ...] = ()
    body: str = ""
    language: str = "en"

    def questions(self) -> list[str]:
        """The title and the variants, trimmed, without blanks or repeats (the title first)."""
        out: list[str] = []
        seen: set[str] = set()
        for text in (self.title, *self.variants):
            tidy = clean(text, MAX_QUESTION_CHARS)
            if tidy and tidy.lower() not in seen:
                seen.add(tidy.lower())
                out.append(tidy)
        return out


@dataclass(frozen=True)
class Match:
    """An entry weighed for a question and its probability of being the one asked."""

    entry_id: int | str
    confidence: float


@dataclass(frozen=True)
class Answer:
    """The best entry and alternatives, or an abstention (``best`` None) below ``threshold``."""

    abstained: bool
    confidence: float
    threshold: float
    best: Match | None
    alternatives: tuple[Match, ...]


@dataclass(frozen=True)
class Fusion:
    """Weights of the conditional logit over :data:`FEATURES`, the null utility and the threshold."""

    weights: tuple[float, ...]
    null: float
    threshold: float
    source: str = "default"


#: Fusion used before calibration, and the prior that calibration shrinks towards: what
#: self-calibration fitted on CLINC150 with three question texts per entry, as a typical FAQ has
#: (held-out variants and the shipped off-topic questions; ``centric kb evaluate --dataset
#: clinc150 --variants 3 --json`` shows them), rounded. These matter most where a base has too
#: few variants to calibrate itself. The body weights are guesses (no benchmark has bodies).
DEFAULT_FUSION = Fusion(weights=(0.4, 0.9, 6.5, 0.5, 1.75, 0.5, 1.0), null=9.9, threshold=0.35)


@dataclass(frozen=True)
class Scored:
    """A question's shortlist (entry indices) and their features (rows follow :data:`FEATURES`)."""

    entries: np.ndarray
    features: np.ndarray  # (len(entries), len(FEATURES)) float64


class Memo:
    """An embedder with a per-text memory (up to ``limit`` texts), so rebuilds embed only new texts."""

    def __init__(self, embedder: Embedder, limit: int = 200_000) -> None:
        self.embedder = embedder
        self.limit = limit
        self._known: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMS), dtype=np.float32)
        with self._lock:
            found = {t: v for t in texts if (v := self._known.get(t)) is not None}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            fresh = dict(zip(missing, self.embedder(missing), strict=True))
            found.update(fresh)
            with self._lock:
                if len(self._known) + len(fresh) > self.limit:
                    self._known.clear()
                self._known.update(fresh)
        return np.stack([found[t] for t in texts]).astype(np.float32)


def sanitise(text: str | None, limit: int) -> str:
    """``text`` cut to ``limit`` characters without control characters or lone surrogates (which
    the encoder's tokenizer cannot encode); line breaks stay."""
    cut = (text or "")[:limit]
    if cut.isprintable():
        return cut
    cut = cut.encode("utf-8", "replace").decode("utf-8")
    return "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in cut)


def clean(text: str | None, limit: int) -> str:
    """:func:`sanitise`, whitespace collapsed."""
    return " ".join(sanitise(text, limit).split())


def plain_text(markdown: str) -> str:
    """Markdown as plain text for matching: links keep their words, markup and code go."""
    text = sanitise(markdown, BODY_CHARS * 4)
    for pattern, repl in _MARKDOWN:
        text = pattern.sub(repl, text)
    return text.strip()[:BODY_CHARS]


class Lexical:
    """Lexical scores of questions against short texts: BM25 and a character n-gram cosine.

    BM25 as in :class:`centric.text.retrieval.TextIndex` (relative to the query). The character
    3-5-gram TF-IDF cosine (within word boundaries, sublinear term frequencies) catches
    misspellings and word forms; it is computed here for a whole batch of questions at once,
    since one vectoriser call per question costs more than the rest of the scoring.
    """

    def __init__(self, texts: Sequence[str], characters: bool = True) -> None:
        self.size = len(texts)
        self.bm25: TextIndex[int] = TextIndex(list(enumerate(texts)), char_weight=0.0)
        self.vectoriser: Any = None
        self.matrix: Any = None
        if characters and any(content(t) for t in texts):
            from sklearn.feature_extraction.text import TfidfVectorizer

            vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, dtype=np.float32)
            try:
                self.matrix = vectoriser.fit_transform([content(t) for t in texts]).T.tocsr()
                self.vectoriser = vectoriser
            except ValueError:  # no n-gram at all (punctuation only)
                self.matrix = None

    def scores(self, questions: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """``(bm25, characters)``: two ``(questions, texts)`` matrices of scores."""
        bm25 = np.zeros((len(questions), self.size), dtype=np.float32)
        for n, question in enumerate(questions):
            if self.size and question.strip():
                bm25[n] = self.bm25.scores(question)
        chars = np.zeros_like(bm25)
        if self.vectoriser is not None and len(questions):
            queries = self.vectoriser.transform([content(q) for q in questions])
            chars = np.asarray((queries @ self.matrix).todense(), dtype=np.float32)
        return bm25, chars


@dataclass(frozen=True)
class AnswerEngine:
    """Matches questions to entries (see the module docstring). Immutable once built."""

    entries: list[Entry]
    texts: list[str]
    owner: np.ndarray  # entry index of each question text (texts are grouped by entry)
    starts: np.ndarray  # position of each entry's first question text
    ends: np.ndarray  # one past each entry's last question text
    text_vectors: np.ndarray
    body_vectors: np.ndarray
    model: answer_model.EntryModel
    lexical: Lexical
    body_lexical: Lexical | None
    body_rows: np.ndarray  # entry index of each indexed (non-empty) body
    embedder: Embedder
    fusion: Fusion = DEFAULT_FUSION

    @classmethod
    def build(cls, entries: Sequence[Entry], embedder: Embedder, *, fusion: Fusion = DEFAULT_FUSION,
              **fit_options: Any) -> AnswerEngine:
        """Index and fit ``entries`` (those without a title or variant are left out)."""
        kept = [e for e in entries if e.questions()]
        texts: list[str] = []
        owner: list[int] = []
        for n, entry in enumerate(kept):
            questions = entry.questions()
            texts += questions
            owner += [n] * len(questions)
        bodies = [plain_text(e.body) for e in kept]
        vectors = embedder(texts + bodies) if texts else np.zeros((0, DIMS), dtype=np.float32)
        text_vectors = np.ascontiguousarray(vectors[: len(texts)], dtype=np.float32)
        body_vectors = np.ascontiguousarray(vectors[len(texts):], dtype=np.float32)
        owner_array = np.asarray(owner, dtype=np.int64)
        counts = np.bincount(owner_array, minlength=len(kept))
        ends = np.cumsum(counts).astype(np.int64)
        starts = ends - counts
        model = answer_model.fit(text_vectors, owner_array, len(kept), **fit_options)
        body_rows = np.array([n for n, b in enumerate(bodies) if b], dtype=np.int64)
        body_lexical = Lexical([bodies[n] for n in body_rows], characters=False) if len(body_rows) else None
        return cls(list(kept), texts, owner_array, starts, ends, text_vectors, body_vectors, model, Lexical(texts),
                   body_lexical, body_rows, embedder, fusion)

    def __len__(self) -> int:
        return len(self.entries)

    def with_fusion(self, fusion: Fusion) -> AnswerEngine:
        """The same index with other fusion weights and threshold."""
        return replace(self, fusion=fusion)

    def per_entry(self, text_scores: np.ndarray) -> np.ndarray:
        """The best score of each entry's question texts (rows: questions)."""
        return np.asarray(np.maximum.reduceat(text_scores, self.starts, axis=-1), dtype=np.float32)

    # ---- scoring ----

    def score(self, questions: Sequence[str], vectors: np.ndarray | None = None) -> list[Scored]:
        """Shortlists and features of ``questions`` (embedded here unless ``vectors`` are given)."""
        questions = [clean(q, MAX_QUESTION_CHARS) for q in questions]
        if vectors is None:
            vectors = self.embedder(questions)
        out: list[Scored] = []
        for start in range(0, len(questions), BATCH):
            out += self._score_batch(questions[start:start + BATCH], vectors[start:start + BATCH])
        return out

    def _score_batch(self, questions: Sequence[str], vectors: np.ndarray) -> list[Scored]:
        if not self.entries:
            return [Scored(np.zeros(0, np.int64), np.zeros((0, len(FEATURES)))) for _ in questions]
        q = np.asarray(vectors, dtype=np.float32)
        logits = self.model.logits(q)
        bm25, chars = (self.per_entry(m) for m in self.lexical.scores(questions))
        body_bm25 = np.zeros_like(logits)
        if self.body_lexical is not None:
            body_bm25[:, self.body_rows] = self.body_lexical.scores(questions)[0]
        out = []
        for n in range(len(questions)):
            shortlist = _union_top(SHORTLIST, logits[n], bm25[n] + chars[n])
            # Cosines only for the shortlisted entries' texts: one question's full scan of every
            # text vector would read tens of megabytes in a large base.
            first, last = self.starts[shortlist], self.ends[shortlist]
            rows = np.concatenate([np.arange(a, b) for a, b in zip(first, last, strict=True)])
            cosine = np.maximum.reduceat(self.text_vectors[rows] @ q[n], np.cumsum(last - first) - (last - first))
            body_cosine = np.clip(self.body_vectors[shortlist] @ q[n], 0.0, None)
            z = logits[n][shortlist].astype(np.float64)
            log_p = z - z.max() - np.log(np.exp(z - z.max()).sum())
            features = np.column_stack([log_p, z, cosine, bm25[n][shortlist], chars[n][shortlist],
                                        body_bm25[n][shortlist], body_cosine])
            out.append(Scored(shortlist, features.astype(np.float64)))
        return out

    # ---- answering ----

    def answer(self, question: str, k: int = 3) -> Answer:
        """The best entry for ``question`` and up to ``k`` alternatives, or an abstention."""
        return self.decide(self.score([question])[0], k)

    def answer_many(self, questions: Sequence[str], k: int = 3, vectors: np.ndarray | None = None) -> list[Answer]:
        return [self.decide(s, k) for s in self.score(questions, vectors)]

    def decide(self, scored: Scored, k: int = 3, fusion: Fusion | None = None) -> Answer:
        """Turn a shortlist's features into probabilities and apply the threshold."""
        fusion = fusion or self.fusion
        if not len(scored.entries):
            return Answer(True, 0.0, fusion.threshold, None, ())
        probabilities = probabilities_of(scored.features, fusion)
        order = np.argsort(-probabilities, kind="stable")
        matches = [Match(self.entries[int(scored.entries[i])].id, round(float(probabilities[i]), 4))
                   for i in order[: k + 1]]
        confidence = float(probabilities[order[0]])
        if confidence < fusion.threshold:
            return Answer(True, round(confidence, 4), fusion.threshold, None, tuple(matches[:k]))
        return Answer(False, round(confidence, 4), fusion.threshold, matches[0], tuple(matches[1: k + 1]))


def probabilities_of(features: np.ndarray, fusion: Fusion) -> np.ndarray:
    """The conditional logit's probability of each shortlisted entry (the null option takes the rest)."""
    utility = features @ np.asarray(fusion.weights, dtype=np.float64)
    top = max(float(utility.max()), fusion.null)
    e = np.exp(utility - top)
    return np.asarray(e / (e.sum() + np.exp(fusion.null - top)), dtype=np.float64)


def _union_top(k: int, *rankings: np.ndarray) -> np.ndarray:
    """Indices in the top ``k`` of any ranking (zero-scored lexical entries excluded), ascending."""
    chosen: set[int] = set()
    for n, scores in enumerate(rankings):
        if not len(scores):
            continue
        take = min(k, len(scores))
        top = np.argpartition(-scores, take - 1)[:take] if take < len(scores) else np.arange(len(scores))
        if n == len(rankings) - 1:  # lexical: only entries sharing a token with the question
            top = top[scores[top] > 0]
        chosen.update(int(i) for i in top)
    return np.array(sorted(chosen), dtype=np.int64)
