"""Discovering themes the taxonomy does not cover yet: :func:`discover_themes`.

Texts are grouped by language; each group is embedded with TF-IDF (English word
1-2-grams without stop words; Chinese words from jieba), reduced with truncated SVD
(latent semantic analysis, Deerwester et al. 1990) and clustered with k-means. When
``n_themes`` is not given, k is chosen by the silhouette coefficient (Rousseeuw 1987).
Each cluster is labelled with its most *distinctive* terms: the largest differences
between the cluster's mean TF-IDF weight and the corpus mean.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from centric.text.clean import clean_text
from centric.text.language import profile_clean
from centric.text.taxonomy import Taxonomy, default_taxonomy
from centric.text.themes import matcher_for

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

_ZH_STOP = frozenset(
    "的 了 是 我 也 都 就 很 还 在 有 和 这 那 不 吧 啊 呢 吗 没 你 他 她 它 们 一个 就是 还是 但是 "
    "可以 我们 感觉 非常 比较 真的 这个 那个 没有 什么 因为 所以 而且 已经 一下 一些 自己".split()
)


@dataclass(frozen=True, slots=True)
class ProposedTheme:
    """A candidate theme: readable label, distinctive terms and the member text indices."""

    label: str
    terms: tuple[str, ...]
    members: tuple[int, ...]
    language: str
    cohesion: float
    examples: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.members)


def discover_themes(
    texts: Sequence[str],
    n_themes: int | None = None,
    exclude_tagged: bool = False,
    taxonomy: Taxonomy | None = None,
    min_size: int = 3,
    max_themes: int = 12,
    random_state: int = 0,
) -> list[ProposedTheme]:
    """Cluster ``texts`` into candidate themes, largest first.

    ``exclude_tagged`` leaves out texts that already match a keyword of ``taxonomy``
    (the default taxonomy when ``None``), so only uncovered topics are proposed.
    Member indices refer to positions in ``texts``. Clusters smaller than ``min_size``
    are dropped.
    """
    matcher = matcher_for(taxonomy or default_taxonomy()) if exclude_tagged else None
    groups: dict[str, list[tuple[int, str]]] = {"en": [], "zh": []}
    for i, raw in enumerate(texts):
        text = clean_text(raw).text
        language = profile_clean(text).language
        if language not in groups or (matcher is not None and matcher.keyword_matches(text)):
            continue
        groups[language].append((i, text))
    out: list[ProposedTheme] = []
    for language, items in groups.items():
        if len(items) >= 2 * min_size:
            out += _cluster(items, language, n_themes, min_size, max_themes, random_state)
    return sorted(out, key=lambda t: (-t.size, t.label))


def _vectorizer(language: str, n: int) -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer  # at use: scikit-learn costs ~1.5 s to import

    min_df = 2 if n >= 20 else 1
    if language == "zh":
        import jieba  # imported lazily: loading its dictionary takes about a second

        jieba.setLogLevel(logging.WARNING)

        def words(text: str) -> list[str]:
            return [
                w for w in jieba.lcut(text) if len(w) > 1 and w not in _ZH_STOP and not w.isspace()
            ]

        return TfidfVectorizer(
            tokenizer=words,
            token_pattern=None,
            lowercase=False,
            min_df=min_df,
            max_df=0.5,
            sublinear_tf=True,
        )
    return TfidfVectorizer(
        stop_words="english", ngram_range=(1, 2), min_df=min_df, max_df=0.5, sublinear_tf=True
    )


def _cluster(
    items: list[tuple[int, str]],
    language: str,
    n_themes: int | None,
    min_size: int,
    max_themes: int,
    random_state: int,
) -> list[ProposedTheme]:
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    indices = [i for i, _ in items]
    docs = [t for _, t in items]
    vectorizer = _vectorizer(language, len(docs))
    try:
        x = vectorizer.fit_transform(docs)
    except ValueError:  # empty vocabulary: nothing to cluster
        return []
    keep = np.asarray(x.sum(axis=1)).ravel() > 0
    if keep.sum() < 2 * min_size:
        return []
    x, indices, docs = (
        x[keep],
        [i for i, k in zip(indices, keep, strict=True) if k],
        [d for d, k in zip(docs, keep, strict=True) if k],
    )
    dims = min(100, x.shape[1] - 1, x.shape[0] - 1)
    z = (
        normalize(TruncatedSVD(dims, random_state=random_state).fit_transform(x))
        if dims >= 2
        else normalize(x.toarray())
    )
    labels = _kmeans(z, n_themes, min_size, max_themes, random_state)
    terms = np.asarray(vectorizer.get_feature_names_out())
    dense_mean = np.asarray(x.mean(axis=0)).ravel()
    out = []
    for c in sorted(set(labels.tolist())):
        rows = np.flatnonzero(labels == c)
        if len(rows) < min_size:
            continue
        lift = np.asarray(x[rows].mean(axis=0)).ravel() - dense_mean
        top = tuple(str(t) for t in terms[np.argsort(-lift)[:5]] if t)
        centroid = normalize(z[rows].mean(axis=0, keepdims=True))
        sims = (z[rows] @ centroid.T).ravel()
        nearest = rows[np.argsort(-sims)[:3]]
        out.append(
            ProposedTheme(
                label=" / ".join(top[:3]),
                terms=top,
                members=tuple(indices[r] for r in rows),
                language=language,
                cohesion=round(float(sims.mean()), 4),
                examples=tuple(docs[r] for r in nearest),
            )
        )
    return out


def _kmeans(
    z: np.ndarray, n_themes: int | None, min_size: int, max_themes: int, seed: int
) -> np.ndarray:
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    n = z.shape[0]
    if n_themes is not None:
        k = max(1, min(n_themes, n))
        return KMeans(k, n_init=4, random_state=seed).fit_predict(z)
    best, best_score = np.zeros(n, dtype=int), -1.0
    for k in range(2, max(2, min(max_themes, n // min_size)) + 1):
        labels = KMeans(k, n_init=4, random_state=seed).fit_predict(z)
        if len(set(labels.tolist())) < 2:
            continue
        score = silhouette_score(
            z, labels, metric="cosine", sample_size=min(n, 2000), random_state=seed
        )
        if score > best_score:
            best, best_score = labels, score
    return best
