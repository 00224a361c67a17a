"""A customer-experience index from three agreement items, weighted by the company's own data.

Each response rates three statements on 1–5 (agreement): the company met my needs, it was
easy, it was enjoyable. The index of a group is

    index = Σⱼ wⱼ · top2ⱼ,   top2ⱼ = % of the group's answers to item j that are 4 or 5,

on 0–100. The weights wⱼ are not a fixed industry weighting: they are the items' relative
importance for the same respondents' likelihood-to-recommend answer (0–10), estimated with
Johnson's relative weights (Johnson 2000, Multivariate Behavioral Research 35(1); see
:mod:`centric.stats.drivers`), which split the R² of the regression of that answer on the
three items among them, normalised here to sum to 1. Intervals: percentile bootstrap over
respondents (Efron & Tibshirani 1993) of the normalised weights.

With fewer than ``min_n`` complete responses (default 100), or when the items explain
nothing of the answer, the weights fall back to equal thirds and the method says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from centric.stats.drivers import relative_weights

MIN_N = 100
TOP_BOX_FROM = 4  # 4 or 5 on a 1–5 agreement scale counts as "top 2 box"
N_BOOT = 200


@dataclass(frozen=True)
class IndexWeights:
    """The items' weights (sum 1) with bootstrap intervals, how many responses estimated them, and how."""

    names: tuple[str, ...]
    weights: tuple[float, ...]
    low: tuple[float | None, ...]
    high: tuple[float | None, ...]
    n: int
    estimated: bool  # False: equal weights (too few responses or no relation to the outcome)
    r_squared: float | None
    method: str


def _equal(names: Sequence[str], n: int, reason: str) -> IndexWeights:
    p = len(names)
    return IndexWeights(tuple(names), tuple(1.0 / p for _ in names), tuple(None for _ in names),
                        tuple(None for _ in names), n, False, None,
                        f"equal weights ({reason}); estimated weights need at least {MIN_N} complete responses")


def index_weights(items: ArrayLike, outcome: ArrayLike, names: Sequence[str], *, min_n: int = MIN_N,
                  n_boot: int = N_BOOT, confidence: float = 0.95, seed: int = 0) -> IndexWeights:
    """Weights of the items from their relative importance for ``outcome`` (module docstring)."""
    x = _matrix(items, len(names))
    y = np.asarray(outcome, dtype=np.float64)
    if x.ndim != 2 or y.ndim != 1 or x.shape[0] != y.shape[0] or x.shape[1] != len(names) or not names:
        raise ValueError(f"items must be (n × {len(names)}) and outcome n long; got {x.shape} and {y.shape}")
    n = int(x.shape[0])
    if n < min_n:
        return _equal(names, n, f"only {n} complete responses")
    if not np.isfinite(x).all() or not np.isfinite(y).all():
        raise ValueError("items and outcome must be finite numbers")
    try:
        raw = relative_weights(x, y)
    except ValueError as exc:
        return _equal(names, n, str(exc))
    total = float(raw.sum())
    if not total > 1e-9:
        return _equal(names, n, "the items explain nothing of the outcome")
    weights = raw / total
    low: tuple[float | None, ...] = tuple(None for _ in names)
    high: tuple[float | None, ...] = low
    if n_boot > 0:
        rng = np.random.default_rng(seed)
        samples = []
        for _ in range(n_boot):
            rows = rng.integers(0, n, n)
            try:
                sample = relative_weights(x[rows], y[rows])
            except ValueError:
                continue
            if sample.sum() > 1e-9:
                samples.append(sample / sample.sum())
        if len(samples) >= max(10, n_boot // 2):
            tail = (1.0 - confidence) / 2.0
            lo, hi = np.quantile(np.array(samples), [tail, 1.0 - tail], axis=0)
            low, high = tuple(float(v) for v in lo), tuple(float(v) for v in hi)
    return IndexWeights(tuple(names), tuple(float(w) for w in weights), low, high, n, True, total,
                        f"relative weights (Johnson 2000) of the 0–10 recommendation answer on the items, normalised "
                        f"to sum to 1; R² {total:.2f}; {n} complete responses; "
                        f"{round(confidence * 100)}% percentile bootstrap intervals ({n_boot} samples)")


def top_two_box(answers: ArrayLike) -> float | None:
    """% of 1–5 answers that are 4 or 5 (None without answers)."""
    values = np.asarray(answers, dtype=np.float64)
    if values.size == 0:
        return None
    return float(100.0 * np.mean(values >= TOP_BOX_FROM))


def cx_index(items: ArrayLike, weights: Sequence[float]) -> float | None:
    """Σ weight × top-2-box % over the item columns of ``items`` (n × p); None without responses."""
    x = _matrix(items, len(weights))
    if x.ndim != 2 or x.shape[1] != len(weights):
        raise ValueError(f"items must be (n × {len(weights)})")
    if x.shape[0] == 0:
        return None
    return float(sum(w * float(100.0 * np.mean(x[:, j] >= TOP_BOX_FROM)) for j, w in enumerate(weights)))


def _matrix(items: ArrayLike, p: int) -> np.ndarray:
    """The items as an (n × p) array; an empty list is (0 × p)."""
    x = np.asarray(items, dtype=np.float64)
    return x.reshape(0, p) if x.size == 0 else x
