"""Retrieval of short texts (idea titles) in English and Chinese: :class:`TextIndex`.

Ranking is Okapi BM25 (Robertson & Zaragoza 2009, "The Probabilistic Relevance Framework:
BM25 and Beyond", Foundations and Trends in IR 3(4)), computed by the ``bm25s`` library
(Lù 2024) over tokens made here:

* English: NFKC, lower-cased words, a small stop-word list, a light suffix stemmer
  (:func:`stem`: plurals, -ing, -ed, -ly, a final -e) and the bigrams of consecutive
  content words, so that "card arrive" outranks a text that has both words apart.
* Chinese: jieba words (without function words) plus the character bigrams inside words of
  three characters or more ("无线网络" also gives "无线", "网络"), which match even where jieba
  segments the query and the document differently.

A second field (an idea's body) may be indexed beside the first (its title) and weighted
less, in the manner of BM25F (Robertson, Zaragoza & Taylor 2004). Scores are reported
*relative to the query*: each field's BM25 score divided by the sum of the IDFs of the query's
distinct tokens in that field (a document that holds every query token once, at average
length, scores about 1),
so one minimum score means the same for short and long queries.

A character 3-5-gram TF-IDF cosine of the first field (sublinear, within word boundaries)
is blended in with weight :data:`CHAR_WEIGHT`; it catches misspellings and word forms the
stemmer misses. On the training splits of BANKING77 and CLINC150 (one idea per intent)
it raised the share of same-intent ideas in the top 3 from 53-54% to 58-61% over BM25
alone; ``bench/bench_ideas.py --tune`` shows the grid, docs/ideas.md the test figures.

An optional :class:`SemanticSpace` adds what no shared word can: word vectors learned without
labels from the installation's own texts (word co-occurrence within a text, positive PMI with
context smoothing 0.75, truncated SVD; Levy, Goldberg & Dagan 2015, "Improving Distributional
Similarity with Lessons Learned from Word Embeddings", TACL 3), a text being the IDF-weighted
sum of its words' vectors less the common component (Arora, Liang & Ma 2017, "A Simple but
Tough-to-Beat Baseline for Sentence Embeddings", ICLR). Its cosine is blended in with weight
:data:`SEMANTIC_WEIGHT`. Dimensions and weight were chosen on held-out training data only.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any, Generic, TypeVar, cast

import bm25s
import numpy as np

K = TypeVar("K", bound=Hashable)

#: BM25 parameters (k1: term-frequency saturation, b: length normalisation), tuned on train data.
K1 = 1.2
B = 0.75
#: Weight of the second field (body) beside the first (title).
BODY_WEIGHT = 0.5
#: Weight of the character n-gram cosine in the blend (0: BM25 only).
CHAR_WEIGHT = 0.3
#: Weight of the semantic cosine in the blend, when a :class:`SemanticSpace` is given.
SEMANTIC_WEIGHT = 0.2
#: Dimensions of the semantic word vectors.
SEMANTIC_DIMS = 100
#: Characters of a query or document looked at.
MAX_CHARS = 2_000

_EN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_TOKEN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

EN_STOP = frozenset(
    "a an the and or of to in on at for from by with about as into is are was were be been being am "
    "i me my we our us you your he she it its they them their this that these those there here "
    "do does did doing done have has had can could would should will shall may might must "
    "what which who whom whose when where why how if then than so too very just also please "
    "get got any some all more most other such only own same s t let i'm it's i'd i've".split()
)
ZH_STOP = frozenset(
    "的 了 是 我 也 都 就 很 还 在 有 和 这 那 吧 啊 呢 吗 你 他 她 它 们 一个 就是 还是 可以 我们 "
    "感觉 非常 比较 真的 这个 那个 什么 因为 所以 而且 已经 一下 一些 自己 希望 能 请 把 给 让 被".split()
)


def stem(word: str) -> str:
    """Light English suffix stripping: plurals, -ing, -ed, -ly, then a final -e.

    Not a full Porter stemmer: it only conflates the forms an idea title commonly varies by
    ("charges", "charged", "charging" -> "charg"; "cities" -> "city"; "quickly" -> "quick").
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "zes", "ches", "shes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix, keep in (("ing", 3), ("ed", 3), ("ly", 4)):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
                word = word[:-1]  # running -> run, stopped -> stop
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def normalise(text: str) -> str:
    """NFKC and lower case, bounded to :data:`MAX_CHARS`."""
    return unicodedata.normalize("NFKC", text[:MAX_CHARS]).lower().replace("\u2019", "'")


def tokens(text: str) -> list[str]:
    """The retrieval tokens of ``text`` (English stems and bigrams; Chinese words and bigrams)."""
    out: list[str] = []
    for run in _TOKEN_RUN.findall(normalise(text)):
        if _HAN_RUN.fullmatch(run):
            out += _zh_tokens(run)
        else:
            out += _en_tokens(run)
    return out


def content(text: str) -> str:
    """``text`` normalised without English stop words (the input of the character n-grams)."""
    return " ".join(w for w in normalise(text).split() if w.strip(".,;:!?\"'()") not in EN_STOP)


def _en_tokens(text: str) -> list[str]:
    words = [stem(w.split("'")[0]) for w in _EN_WORD.findall(text) if w not in EN_STOP]
    words = [w for w in words if w and w not in EN_STOP]
    return words + [f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)]


def _zh_tokens(run: str) -> list[str]:
    words = [w for w in _jieba().lcut(run) if w not in ZH_STOP and not w.isspace()]
    bigrams = [w[i : i + 2] for w in words if len(w) > 2 for i in range(len(w) - 1)]
    return words + [b for b in bigrams if b not in words]


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba  # imported lazily: loading its dictionary takes about a second

    jieba.setLogLevel(logging.WARNING)
    return jieba


class SemanticSpace:
    """Word vectors from co-occurrence in unlabelled texts (PPMI + SVD); texts embed as SIF sums.

    Fitted once with :meth:`fit`; immutable afterwards, so one space may serve many indexes and
    threads. Words (stems, jieba words; no bigrams) seen in fewer than ``min_df`` texts are
    ignored. A space fitted on too few texts or words is empty and embeds everything as zero.
    """

    def __init__(self, vocab: dict[str, int], vectors: np.ndarray, idf: np.ndarray,
                 common: np.ndarray | None) -> None:
        self.vocab = vocab
        self.vectors = vectors
        self.idf = idf
        self.common = common

    @property
    def dims(self) -> int:
        return int(self.vectors.shape[1])

    @classmethod
    def fit(cls, texts: Iterable[str], *, dims: int = SEMANTIC_DIMS, min_df: int = 2,
            smoothing: float = 0.75) -> SemanticSpace:
        import scipy.sparse as sp
        from sklearn.utils.extmath import randomized_svd

        docs = [sorted({t for t in tokens(text) if "_" not in t}) for text in texts]
        df: Counter[str] = Counter()
        for doc in docs:
            df.update(doc)
        words = sorted(t for t, n in df.items() if n >= min_df)
        vocab = {t: n for n, t in enumerate(words)}
        empty = cls({}, np.zeros((0, 1), dtype=np.float32), np.zeros(0, dtype=np.float32), None)
        if len(words) < 3:
            return empty
        rows = [n for n, doc in enumerate(docs) for t in doc if t in vocab]
        cols = [vocab[t] for doc in docs for t in doc if t in vocab]
        presence = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                                 shape=(len(docs), len(words)))
        pairs = (presence.T @ presence).tocoo()
        off = pairs.row != pairs.col
        r, c, v = pairs.row[off], pairs.col[off], pairs.data[off].astype(np.float64)
        if not len(v):
            return empty
        total = v.sum()
        word_p = np.bincount(r, weights=v, minlength=len(words)) / total
        context = np.bincount(r, weights=v, minlength=len(words)) ** smoothing
        context /= context.sum()
        pmi = np.log(v / total / word_p[r] / context[c])
        keep = pmi > 0
        ppmi = sp.csr_matrix((pmi[keep].astype(np.float32), (r[keep], c[keep])), shape=(len(words),) * 2)
        rank = max(1, min(dims, len(words) - 1))
        u, sigma, _ = randomized_svd(ppmi, rank, random_state=0, n_iter=5)
        vectors = (u * np.sqrt(sigma)).astype(np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        idf = np.log((1 + len(docs)) / (1 + np.array([df[t] for t in words], dtype=np.float64)))
        space = cls(vocab, vectors, idf.astype(np.float32), None)
        sample = space._sums(docs[:20_000])
        if np.any(sample):
            space.common = np.linalg.svd(sample, full_matrices=False)[2][0].astype(np.float32)
        return space

    def _sums(self, docs: Sequence[Iterable[str]]) -> np.ndarray:
        out = np.zeros((len(docs), self.vectors.shape[1]), dtype=np.float32)
        for n, doc in enumerate(docs):
            ids = sorted({self.vocab[t] for t in doc if t in self.vocab})
            if ids:
                out[n] = self.idf[ids] @ self.vectors[ids]
        return out

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of ``texts`` (rows; zero for a text without a known word)."""
        sums = self._sums([tokens(text) for text in texts])
        if self.common is not None:
            sums -= np.outer(sums @ self.common, self.common)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        return cast(np.ndarray, sums / np.where(norms > 0, norms, 1.0))


class _Field:
    """One BM25 index over one field of every document, with its document frequencies.

    Only documents with tokens in the field are indexed (an empty body neither matches nor
    shortens the average length that BM25 normalises by); scores are scattered back.
    """

    def __init__(self, docs: list[list[str]]) -> None:
        self.total = len(docs)
        self.rows = np.array([n for n, doc in enumerate(docs) if doc], dtype=np.int64)
        self.size = len(self.rows)
        self.df: Counter[str] = Counter()
        for doc in docs:
            self.df.update(set(doc))
        self.model: Any = None
        if self.size:
            self.model = bm25s.BM25(k1=K1, b=B, method="lucene")
            self.model.index([docs[n] for n in self.rows], show_progress=False)

    def idf(self, token: str) -> float:
        df = self.df.get(token, 0)
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def relative_scores(self, query: list[str], mask: np.ndarray | None) -> np.ndarray:
        """BM25 scores divided by the sum of the query tokens' IDFs in this field."""
        return self.scores(query, mask) / (sum(self.idf(t) for t in query) or 1.0)

    def scores(self, query: list[str], mask: np.ndarray | None) -> np.ndarray:
        out = np.zeros(self.total, dtype=np.float32)
        if self.model is None:
            return out
        vocab = cast(dict[str, int], self.model.vocab_dict)
        ids = [vocab[t] for t in query if t in vocab]
        if ids:
            local_mask = mask[self.rows] if mask is not None else None
            out[self.rows] = self.model.get_scores(ids, weight_mask=local_mask)
        return out


class TextIndex(Generic[K]):
    """A BM25 index over short texts, built from ``(id, text)`` pairs.

    ``bodies`` (id -> longer text) adds a second field weighted :data:`BODY_WEIGHT`.
    ``char_weight`` > 0 blends in a character n-gram TF-IDF cosine (see the module docstring).
    ``semantic`` (a fitted :class:`SemanticSpace`) blends in the cosine of the first field's
    embeddings with weight ``semantic_weight``.
    """

    def __init__(self, pairs: Iterable[tuple[K, str]], *, bodies: Mapping[K, str] | None = None,
                 char_weight: float = CHAR_WEIGHT, body_weight: float = BODY_WEIGHT,
                 semantic: SemanticSpace | None = None, semantic_weight: float = SEMANTIC_WEIGHT) -> None:
        items = list(pairs)
        self.ids: list[K] = [i for i, _ in items]
        self._position = {key: n for n, key in enumerate(self.ids)}
        self._title = _Field([tokens(text) for _, text in items])
        body_texts = [(bodies or {}).get(i, "") for i in self.ids]
        self._body = _Field([tokens(t) for t in body_texts]) if any(body_texts) else None
        self.body_weight = body_weight
        self.char_weight = char_weight
        self._chars: Any = None
        self._char_matrix: Any = None
        if char_weight > 0 and any(content(text) for _, text in items):
            self._fit_chars([text for _, text in items])  # the first field only: short texts match by form
        self.semantic = semantic if semantic is not None and semantic.vocab and semantic_weight > 0 else None
        self.semantic_weight = semantic_weight
        self._embedded: np.ndarray | None = None
        if self.semantic is not None:
            self._embedded = self.semantic.embed([text for _, text in items])

    def __len__(self) -> int:
        return len(self.ids)

    def _fit_chars(self, texts: list[str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                                      lowercase=True, min_df=1, dtype=np.float32)
        try:
            self._char_matrix = self._chars.fit_transform([content(t) for t in texts]).T.tocsr()
        except ValueError:  # no character n-gram at all (punctuation only): BM25 alone
            self._chars = None

    def mask(self, ids: Iterable[K]) -> np.ndarray:
        """A 0/1 vector selecting the documents ``ids`` (for :meth:`search`'s ``mask``)."""
        out = np.zeros(len(self.ids), dtype=np.float32)
        positions = [self._position[i] for i in ids if i in self._position]
        out[positions] = 1.0
        return out

    def scores(self, query: str, mask: np.ndarray | None = None) -> np.ndarray:
        """Every document's relative score for ``query`` (0 where ``mask`` is 0)."""
        if not self.ids:
            return np.zeros(0, dtype=np.float32)
        unique = list(dict.fromkeys(tokens(query)))
        total: np.ndarray = np.zeros(len(self.ids), dtype=np.float32)
        if not unique:  # only stop words, punctuation or nothing at all
            return total
        total += self._title.relative_scores(unique, mask)
        if self._body is not None and self.body_weight:
            total += self.body_weight * self._body.relative_scores(unique, mask)
        if self.char_weight and self._chars is not None:
            total = (1 - self.char_weight) * total + self.char_weight * self._char_scores(query, mask)
        if self.semantic is not None and self._embedded is not None:
            cosine = np.clip(self._embedded @ self.semantic.embed([query])[0], 0.0, None)
            if mask is not None:
                cosine *= mask
            total = (1 - self.semantic_weight) * total + self.semantic_weight * cosine
        return total

    def _char_scores(self, query: str, mask: np.ndarray | None) -> np.ndarray:
        vector = self._chars.transform([content(query)])
        if vector.nnz == 0:
            return np.zeros(len(self.ids), dtype=np.float32)
        dense = np.asarray((vector @ self._char_matrix).todense(), dtype=np.float32).ravel()
        return cast(np.ndarray, dense * mask) if mask is not None else dense

    def search(self, query: str, k: int = 5, *, mask: np.ndarray | None = None, min_score: float = 0.0,
               exclude: Sequence[K] = ()) -> list[tuple[K, float]]:
        """The ``k`` best ``(id, score)`` pairs above ``min_score``, best first (ties: index order).

        An empty or meaningless query returns ``[]``.
        """
        if k <= 0 or not self.ids or not query or not query.strip():
            return []
        scores = self.scores(query, mask)
        for key in exclude:
            if key in self._position:
                scores[self._position[key]] = 0.0
        wanted = min(k, len(scores))
        top = np.argpartition(-scores, wanted - 1)[:wanted] if wanted < len(scores) else np.arange(len(scores))
        ranked = sorted(top.tolist(), key=lambda n: (-float(scores[n]), n))
        threshold = max(min_score, 1e-9)
        return [(self.ids[n], round(float(scores[n]), 4)) for n in ranked if scores[n] > threshold]
