"""Grouping customers' questions by what they ask, across English and Chinese: :func:`group_questions`.

Used by the chat's "missing answers" queue: the questions the bot could not answer, grouped,
so that one article is written per group. Three steps:

1. **Theme discovery** (:func:`centric.text.discovery.discover_themes`: TF-IDF, latent
   semantic analysis and k-means, per language, with k fixed by the number of questions)
   proposes clusters and their distinctive terms, which label the groups.
2. **Checked with sentence embeddings** (:func:`centric.text.embeddings.embed`, the
   multilingual Universal Sentence Encoder; Yang et al. 2020): questions are a few words
   long, so word overlap alone puts "有托儿服务吗" (babysitting) beside "有KTV吗" (karaoke)
   for their common "有…服务吗". Each discovered cluster is split by average-linkage
   agglomeration on cosine similarity, stopping where the parts are less than :data:`KEEP`
   alike on average; parts of one question are released.
3. **Merged and completed**: clusters whose mean vectors have a cosine of at least
   :data:`MERGE` become one group — the English and the Chinese wording of one need, or
   two halves k-means split — greedily, closest pair first (centroid-linkage agglomeration;
   e.g. Manning, Raghavan & Schütze 2008, *Introduction to Information Retrieval*, ch. 17).
   Each question left over joins the nearest group at least :data:`ATTACH` close, in the
   order given, else starts its own (a leader algorithm; Hartigan 1975, *Clustering
   Algorithms*, ch. 3).

The three thresholds were chosen by a grid search on the development set
bench/data/missing_questions_dev.json (112 questions, 12 needs; adjusted Rand index 0.85 —
bench/bench_missing.py prints it); the tests use other questions. Group labels come
from discovery's distinctive terms that the group's own questions use, else from the
group's most central question.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from centric.text.discovery import discover_themes
from centric.text.embeddings import embed

KEEP = 0.55
MERGE = 0.55
ATTACH = 0.40
#: Discovery's k-means clusters per language: one per this many questions (all languages counted), at most MAX_THEMES.
QUESTIONS_PER_THEME = 6
MAX_THEMES = 40


@dataclass(frozen=True, slots=True)
class QuestionGroup:
    """Questions asking the same thing: member indices (most central first), a label and its terms."""

    members: tuple[int, ...]
    label: str
    terms: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass
class _Draft:
    members: list[int]
    labels: dict[str, tuple[int, str, tuple[str, ...]]]  # language -> (size, label, terms) of its largest proposal


def group_questions(texts: Sequence[str], *, random_state: int = 0) -> list[QuestionGroup]:
    """Group ``texts`` (indices into it); the largest group first, every text in exactly one group."""
    if not texts:
        return []
    vectors = _embedded(texts)
    drafts: list[_Draft] = []
    placed: set[int] = set()
    # a fixed k (about one cluster per six questions of a language) instead of discovery's silhouette
    # search: as good on the development set and over ten times faster; step 2 and 3 fix the granularity
    n_themes = max(2, min(MAX_THEMES, len(texts) // QUESTIONS_PER_THEME))
    for proposal in discover_themes(texts, n_themes=n_themes, min_size=2, random_state=random_state):
        for kept in _split(vectors, list(proposal.members)):
            drafts.append(_Draft(kept, {proposal.language: (len(kept), proposal.label, proposal.terms)}))
            placed.update(kept)
    drafts = _merged(drafts, vectors)
    sums = [vectors[d.members].sum(axis=0) for d in drafts]
    centres = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)  # row k: draft k's unit mean
    for k, total in enumerate(sums):
        centres[k] = _unit(total)
    for i in range(len(texts)):
        if i in placed:
            continue
        similarity = centres[:len(drafts)] @ vectors[i]
        if len(drafts) and float(similarity.max()) >= ATTACH:
            k = int(similarity.argmax())
            drafts[k].members.append(i)
            sums[k] = sums[k] + vectors[i]
        else:
            k = len(drafts)
            drafts.append(_Draft([i], {}))
            sums.append(vectors[i].copy())
        centres[k] = _unit(sums[k])
    out = [_finished(d, vectors, texts) for d in drafts]
    return sorted(out, key=lambda g: (-g.size, g.members[0]))


def _embedded(texts: Sequence[str]) -> np.ndarray:
    """Sentence vectors of ``texts``, each distinct wording embedded once (queues repeat "wifi password")."""
    first: dict[str, int] = {}  # the same text (spacing aside) -> its row among the distinct ones
    rows = [first.setdefault(" ".join(text.split()), len(first)) for text in texts]
    return embed(list(first))[rows]


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def _centre(vectors: np.ndarray, members: list[int]) -> np.ndarray:
    return _unit(vectors[members].sum(axis=0))


def _split(vectors: np.ndarray, members: list[int]) -> list[list[int]]:
    """The parts of a discovered cluster whose members are, on average, at least :data:`KEEP` alike
    (average-linkage agglomeration on cosine similarity); parts of one question are dropped."""
    if len(members) < 2:
        return []
    from sklearn.cluster import AgglomerativeClustering  # at use: scikit-learn costs ~1.5 s to import

    labels = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                     distance_threshold=1.0 - KEEP).fit_predict(vectors[members])
    parts: dict[int, list[int]] = {}
    for member, label in zip(members, labels.tolist(), strict=True):
        parts.setdefault(label, []).append(member)
    return [part for part in parts.values() if len(part) >= 2]


def _merged(drafts: list[_Draft], vectors: np.ndarray) -> list[_Draft]:
    if len(drafts) < 2:
        return drafts
    centres = np.array([_centre(vectors, d.members) for d in drafts])
    similarity = centres @ centres.T
    np.fill_diagonal(similarity, -np.inf)
    alive = list(range(len(drafts)))
    while len(alive) > 1:
        sub = similarity[np.ix_(alive, alive)]
        a, b = (alive[k] for k in np.unravel_index(int(sub.argmax()), sub.shape))
        if similarity[a, b] < MERGE:
            break
        keep, gone = min(a, b), max(a, b)
        first, second = drafts[keep], drafts[gone]
        labels = dict(first.labels)
        for language, proposal in second.labels.items():
            if language not in labels or proposal[0] > labels[language][0]:
                labels[language] = proposal
        drafts[keep] = _Draft(first.members + second.members, labels)
        alive.remove(gone)
        centre = _centre(vectors, drafts[keep].members)
        similarity[keep, :] = similarity[:, keep] = centres @ centre
        centres[keep] = centre
        similarity[keep, keep] = -np.inf
    return [drafts[k] for k in alive]


def _finished(draft: _Draft, vectors: np.ndarray, texts: Sequence[str]) -> QuestionGroup:
    centre = _centre(vectors, draft.members)
    ranked = sorted(draft.members, key=lambda i: (-float(vectors[i] @ centre), i))
    said = " ".join(texts[i].casefold() for i in draft.members)
    # a part split off a discovered cluster keeps only the cluster's terms its own questions use
    kept = [[term for term in draft.labels[language][2] if term.casefold() in said]
            for language in sorted(draft.labels)]
    label = " · ".join(" / ".join(terms[:3]) for terms in kept if terms)
    label = label or " ".join(texts[ranked[0]].split())[:80] or "(no words)"
    return QuestionGroup(members=tuple(ranked), label=label,
                         terms=tuple(term for terms in kept for term in terms))
