"""Difference-in-differences of means with a percentile bootstrap interval.

The effect of a change on a treated group is the change in its mean from before to after,
minus the change over the same windows in a comparable control group:

    DiD = (ȳ_treated,after − ȳ_treated,before) − (ȳ_control,after − ȳ_control,before)

(Angrist & Pischke 2009, *Mostly Harmless Econometrics*, ch. 5.2). Subtracting the control
group's change removes a trend common to both groups; the estimate is causal only under
*parallel trends* (without the change, both groups would have moved alike) and no
spill-over of the change into the controls.

Interval: percentile bootstrap (Efron & Tibshirani 1993, *An Introduction to the
Bootstrap*, ch. 13): each of the four cells is resampled with replacement within itself
(the cells are independent samples of respondents), the DiD recomputed per resample, and
the ``(1 − confidence)/2`` and ``(1 + confidence)/2`` quantiles taken. Vectorised and
seeded, so a result is reproducible.

For NPS pass per-response contributions (+100 promoter, −100 detractor, 0 passive): their
mean is the NPS, so the DiD is in NPS points (:func:`nps_contributions`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from centric.stats.estimate import check_confidence, check_count
from centric.stats.scales import DETRACTOR_MAX, PROMOTER_MIN

MIN_CELL = 2  # fewer responses in any cell: the effect is undefined
CHUNK = 256  # bootstrap resamples drawn per vectorised batch (bounds memory)


@dataclass(frozen=True)
class DiffInDiff:
    """A difference-in-differences estimate; ``None`` where undefined (a cell below ``MIN_CELL``)."""

    effect: float | None
    low: float | None
    high: float | None
    treated_before: float | None
    treated_after: float | None
    control_before: float | None
    control_after: float | None
    n_treated_before: int
    n_treated_after: int
    n_control_before: int
    n_control_after: int
    confidence: float
    method: str

    @property
    def n_treated(self) -> int:
        return self.n_treated_before + self.n_treated_after

    @property
    def n_control(self) -> int:
        return self.n_control_before + self.n_control_after


METHOD = ("difference-in-differences of means (Angrist & Pischke 2009, ch. 5); "
          "percentile bootstrap within each cell (Efron & Tibshirani 1993)")


def nps_contributions(scores: ArrayLike) -> NDArray[np.float64]:
    """Per-response NPS contributions of 0–10 scores: +100 promoter, −100 detractor, 0 passive."""
    values = _sample(scores, "scores")
    if ((values < 0) | (values > 10)).any():
        raise ValueError("NPS scores run from 0 to 10")
    return np.where(values >= PROMOTER_MIN, 100.0, np.where(values <= DETRACTOR_MAX, -100.0, 0.0))


def diff_in_diff(treated_before: ArrayLike, treated_after: ArrayLike, control_before: ArrayLike,
                 control_after: ArrayLike, *, confidence: float = 0.95, n_boot: int = 2000,
                 seed: int = 0) -> DiffInDiff:
    """DiD of the four cells' means with a percentile bootstrap interval (module docstring).

    Cells with fewer than two values leave the effect and interval undefined (``None``);
    the means of non-empty cells are still reported.
    """
    check_confidence(confidence)
    n_boot = check_count("n_boot", n_boot, minimum=1)
    cells = [_sample(treated_before, "treated_before"), _sample(treated_after, "treated_after"),
             _sample(control_before, "control_before"), _sample(control_after, "control_after")]
    ns = [int(c.shape[0]) for c in cells]
    means = [float(c.mean()) if c.shape[0] else None for c in cells]
    effect = low = high = None
    if min(ns) >= MIN_CELL:
        tb, ta, cb, ca = (m for m in means if m is not None)
        effect = (ta - tb) - (ca - cb)
        boot = _bootstrap(cells, n_boot, np.random.default_rng(seed))
        alpha = (1.0 - confidence) / 2.0
        low, high = (float(q) for q in np.quantile(boot, [alpha, 1.0 - alpha]))
    return DiffInDiff(effect, low, high, means[0], means[1], means[2], means[3], ns[0], ns[1], ns[2], ns[3],
                      confidence=confidence, method=METHOD)


def _bootstrap(cells: list[NDArray[np.float64]], n_boot: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """``n_boot`` DiD values, each from one resample of every cell (drawn in vectorised batches)."""
    out = np.empty(n_boot)
    signs = (-1.0, 1.0, 1.0, -1.0)  # −tb + ta + cb − ca
    for start in range(0, n_boot, CHUNK):
        size = min(CHUNK, n_boot - start)
        total = np.zeros(size)
        for cell, sign in zip(cells, signs, strict=True):
            picks = rng.integers(0, cell.shape[0], size=(size, cell.shape[0]))
            total += sign * cell[picks].mean(axis=1)
        out[start:start + size] = total
    return out


def _sample(values: ArrayLike, name: str) -> NDArray[np.float64]:
    array = np.asarray(values, dtype=np.float64).ravel()
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must hold finite numbers only")
    return array
