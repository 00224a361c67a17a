"""Which FAQ entry a question asks: a prototype-anchored multinomial logistic regression.

Each entry ``c`` gets a weight vector ``w_c = s * m_c + d_c`` over the sentence embeddings
(:mod:`centric.text.embeddings`), where ``m_c`` is the unit mean ("prototype", Snell, Swersky &
Zemel 2017, "Prototypical Networks for Few-shot Learning", NeurIPS) of the entry's question
texts and ``d_c`` is learned by maximum likelihood of the multinomial logit (softmax regression)
with an L2 penalty ``lam / 2 * |d|^2`` that pulls ``w_c`` back to the scaled prototype rather than
to zero. An entry with a single question text is then a cosine classifier with temperature
``1 / s``; one with a hundred variants learns discriminative directions, as plain logistic
regression on the embeddings does (the strong baseline of Larson et al. 2019, "An Evaluation
Dataset for Intent Classification and Out-of-Scope Prediction", EMNLP, Table 2 "MLP/SVM on
USE"). On CLINC150's validation split the anchor also separates out-of-scope questions better
than the unanchored fit at the same accuracy (see ``bench/bench_kb.py --tune``).

Large knowledge bases: the softmax of a training text runs over its own entry and the
``neighbours - 1`` entries whose prototypes are nearest (a fixed, hard-negative "sampled
softmax", Jean et al. 2015, "On Using Very Large Target Vocabulary for Neural Machine
Translation", ACL), so a fit costs ``texts x neighbours x 512`` per iteration instead of
``texts x entries x 512``; below :data:`DENSE_COST` the softmax is over all entries (exact).
The optimiser is L-BFGS (scipy), started at ``d = 0``, i.e. at the prototype classifier, so a
few dozen iterations suffice. Measured on CLINC150 (``bench/bench_kb.py``): with 100 texts per
entry the departure lifts top-1 accuracy from about 90% (prototypes) to 94.6% (and the
shortlisted fit with 10 neighbours reaches 92.5%); with 3 texts per entry it changes nothing,
which is why large bases, whose entries have few texts, get the cheaper shortlisted fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import scipy.sparse as sp

#: Scale of the prototype in each weight vector (an inverse temperature for cosines).
ANCHOR_SCALE = 10.0
#: L2 penalty on the learned departure from the prototype (per-sample loss summed).
PENALTY = 0.1
#: L-BFGS iterations; the fit starts at the prototype classifier and is near its optimum by then.
MAX_ITER = 40
#: Up to this many (texts x entries) every training softmax runs over all entries (CLINC150's
#: 15,000 texts x 150 entries: a few seconds on two cores).
DENSE_COST = 4_000_000
#: Beyond that: entries in each training softmax (the entry and its nearest), and iterations.
NEIGHBOURS = 10
SHORTLIST_MAX_ITER = 20
_CHUNK_FLOATS = 4_000_000  # bounds the memory of one batched product (about 16 MB)


@dataclass(frozen=True)
class EntryModel:
    """Fitted weights: ``logits(x) = x @ weights.T + bias`` and the entries' unit prototypes."""

    weights: np.ndarray  # (entries, dims) float32
    bias: np.ndarray  # (entries,) float32
    prototypes: np.ndarray  # (entries, dims) float32, unit rows (zero for an entry without text)
    iterations: int

    def logits(self, vectors: np.ndarray) -> np.ndarray:
        return np.asarray(vectors @ self.weights.T + self.bias, dtype=np.float32)


def prototypes(vectors: np.ndarray, owner: np.ndarray, entries: int) -> np.ndarray:
    """The unit mean of each entry's vectors (``owner[i]`` is the entry of row ``i``)."""
    sums = np.zeros((entries, vectors.shape[1]), dtype=np.float32)
    np.add.at(sums, owner, vectors)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return np.asarray(sums / np.where(norms > 0, norms, 1.0), dtype=np.float32)


def fit(vectors: np.ndarray, owner: np.ndarray, entries: int, *, scale: float = ANCHOR_SCALE,
        penalty: float = PENALTY, max_iter: int | None = None, neighbours: int = NEIGHBOURS,
        dense_cost: int = DENSE_COST) -> EntryModel:
    """Fit the anchored softmax regression of ``owner`` (entry index per row) on ``vectors``."""
    from scipy.optimize import minimize  # at use: SciPy costs each process ~0.5 s to import
    x = np.ascontiguousarray(vectors, dtype=np.float32)
    owner = np.asarray(owner, dtype=np.int64)
    protos = prototypes(x, owner, entries)
    anchor = scale * protos
    if entries < 2 or not len(x):
        return EntryModel(anchor, np.zeros(entries, dtype=np.float32), protos, 0)
    objective: _DenseObjective | _ShortlistObjective
    if len(x) * entries <= dense_cost:
        objective = _DenseObjective(x, owner, anchor, penalty)
        iterations = MAX_ITER if max_iter is None else max_iter
    else:
        objective = _ShortlistObjective(x, owner, anchor, penalty, _nearest(protos, neighbours))
        iterations = SHORTLIST_MAX_ITER if max_iter is None else max_iter
    if iterations <= 0:
        return EntryModel(anchor, np.zeros(entries, dtype=np.float32), protos, 0)
    dims = x.shape[1]
    result = minimize(objective, np.zeros(entries * dims + entries), jac=True, method="L-BFGS-B",
                      options={"maxiter": iterations})
    departure = result.x[: entries * dims].reshape(entries, dims).astype(np.float32)
    bias = result.x[entries * dims:].astype(np.float32)
    return EntryModel(anchor + departure, bias, protos, int(result.nit))


def _nearest(protos: np.ndarray, k: int) -> np.ndarray:
    """Per entry, itself then its ``k - 1`` nearest entries by prototype cosine (rows of indices)."""
    entries = len(protos)
    k = min(k, entries)
    out = np.empty((entries, k), dtype=np.int64)
    step = max(1, _CHUNK_FLOATS // entries)
    for start in range(0, entries, step):
        sims = protos[start:start + step] @ protos.T
        rows = np.arange(len(sims))
        sims[rows, rows + start] = np.inf  # itself first
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(sims, top, axis=1), axis=1, kind="stable")
        out[start:start + step] = np.take_along_axis(top, order, axis=1)
    return out


class _DenseObjective:
    """Penalised negative log-likelihood of the softmax over all entries, and its gradient."""

    def __init__(self, x: np.ndarray, owner: np.ndarray, anchor: np.ndarray, penalty: float) -> None:
        self.x, self.owner, self.anchor, self.penalty = x, owner, anchor, penalty
        self.rows = np.arange(len(x))

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        entries, dims = self.anchor.shape
        departure = theta[: entries * dims].reshape(entries, dims).astype(np.float32)
        bias = theta[entries * dims:].astype(np.float32)
        z = self.x @ (self.anchor + departure).T + bias
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        total = e.sum(axis=1)
        loss = float(np.log(total).sum() - z[self.rows, self.owner].sum())
        g = e / total[:, None]
        g[self.rows, self.owner] -= 1.0
        grad_w = g.T @ self.x + self.penalty * departure
        loss += 0.5 * self.penalty * float(np.dot(departure.ravel(), departure.ravel()))
        return loss, np.concatenate([grad_w.ravel(), g.sum(axis=0)]).astype(np.float64)


class _ShortlistObjective:
    """The same likelihood with each text's softmax over its entry's nearest entries.

    Texts are grouped by entry (all texts of an entry share its shortlist) and entries by their
    number of texts, so each group is one batched product ``(B, m, d) @ (B, d, K)``.
    """

    def __init__(self, x: np.ndarray, owner: np.ndarray, anchor: np.ndarray, penalty: float,
                 nearest: np.ndarray) -> None:
        import scipy.sparse as sp  # at use: SciPy costs each process ~0.5 s to import

        self.anchor, self.penalty = anchor, penalty
        entries, dims = anchor.shape
        k = nearest.shape[1]
        counts = np.bincount(owner, minlength=entries)
        order = np.argsort(owner, kind="stable")
        starts = np.concatenate([[0], np.cumsum(counts)])
        self.groups: list[tuple[np.ndarray, np.ndarray, sp.csr_matrix]] = []
        for size in sorted(set(counts[counts > 0].tolist())):
            members = np.flatnonzero(counts == size)
            texts = np.stack([order[starts[c]:starts[c] + size] for c in members])
            step = max(1, _CHUNK_FLOATS // (max(k, size) * dims))
            for at in range(0, len(members), step):
                shortlist = nearest[members[at:at + step]]
                scatter = sp.csr_matrix((np.ones(shortlist.size, dtype=np.float32),
                                         (shortlist.ravel(), np.arange(shortlist.size))),
                                        shape=(entries, shortlist.size))
                self.groups.append((np.ascontiguousarray(x[texts[at:at + step]]), shortlist, scatter))

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        entries, dims = self.anchor.shape
        departure = theta[: entries * dims].reshape(entries, dims).astype(np.float32)
        bias = theta[entries * dims:].astype(np.float32)
        weights = self.anchor + departure
        loss = 0.0
        grad_w = self.penalty * departure
        grad_b = np.zeros(entries, dtype=np.float32)
        for texts, shortlist, scatter in self.groups:
            z = texts @ np.ascontiguousarray(weights[shortlist].transpose(0, 2, 1)) + bias[shortlist][:, None, :]
            z -= z.max(axis=2, keepdims=True)
            e = np.exp(z)
            total = e.sum(axis=2, keepdims=True)
            loss += float(np.log(total[..., 0]).sum() - z[..., 0].sum())  # the entry itself is column 0
            g = e / total
            g[..., 0] -= 1.0
            grad_w += scatter @ (np.ascontiguousarray(g.transpose(0, 2, 1)) @ texts).reshape(-1, dims)
            grad_b += scatter @ g.sum(axis=1).ravel()
        loss += 0.5 * self.penalty * float(np.dot(departure.ravel(), departure.ravel()))
        return loss, np.concatenate([grad_w.ravel(), grad_b]).astype(np.float64)
