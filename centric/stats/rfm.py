"""RFM scoring: recency, frequency and monetary quintile scores and named segments.

Scores (after Hughes 1994, "Strategic database marketing"): each measure is scored 1–5
by quintile of its average rank, score = 1 + ⌊5 · (rank − ½) / n⌋ with ``rank`` the
average rank (1 = worst) of the customer's value among n. Tied values share a score (all
equal values score 3) and the result does not depend on row order. Recency is days since the
last purchase, so it is inverted: the most recent customers score 5. The FM score is ⌈(F + M) / 2⌉, rounding halves up.

Segments are read from this grid of recency score (rows) × FM score (columns):

    R\\FM  1               2                   3                   4                5
    5     New             Potential loyalist  Potential loyalist  Champions        Champions
    4     Promising       Potential loyalist  Potential loyalist  Loyal            Champions
    3     About to sleep  Need attention      Need attention      Loyal            Loyal
    2     Hibernating     About to sleep      At risk             At risk          Can't lose them
    1     Lost            Hibernating         At risk             Can't lose them  Can't lose them
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

SEGMENT_GRID: dict[int, tuple[str, str, str, str, str]] = {
    5: ("New", "Potential loyalist", "Potential loyalist", "Champions", "Champions"),
    4: ("Promising", "Potential loyalist", "Potential loyalist", "Loyal", "Champions"),
    3: ("About to sleep", "Need attention", "Need attention", "Loyal", "Loyal"),
    2: ("Hibernating", "About to sleep", "At risk", "At risk", "Can't lose them"),
    1: ("Lost", "Hibernating", "At risk", "Can't lose them", "Can't lose them"),
}
SEGMENTS = (
    "Champions", "Loyal", "Potential loyalist", "New", "Promising", "Need attention",
    "About to sleep", "At risk", "Can't lose them", "Hibernating", "Lost",
)


@dataclass(frozen=True)
class RfmScores:
    """Per-customer R, F, M and FM scores (1–5) and segment names, in input order."""

    recency_score: NDArray[np.int64]
    frequency_score: NDArray[np.int64]
    monetary_score: NDArray[np.int64]
    fm_score: NDArray[np.int64]
    segment: NDArray[np.object_]

    @property
    def codes(self) -> list[str]:
        """Three-digit RFM codes such as ``"545"``."""
        return [f"{r}{f}{m}" for r, f, m in
                zip(self.recency_score, self.frequency_score, self.monetary_score, strict=True)]

    def segment_counts(self) -> dict[str, int]:
        """Number of customers in each of the eleven segments (zeros included)."""
        names, counts = np.unique(self.segment.astype(str), return_counts=True)
        found = dict(zip(names.tolist(), counts.tolist(), strict=True))
        return {name: int(found.get(name, 0)) for name in SEGMENTS}


def quintile_scores(values: ArrayLike, *, higher_is_better: bool = True) -> NDArray[np.int64]:
    """Scores 1–5 by quintile of average rank; ties share a score (see module docstring)."""
    from scipy.stats import rankdata  # at use: scipy.stats costs each process ~1 s to import
    array = _column(values, "values")
    if array.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    ranks = rankdata(array if higher_is_better else -array, method="average")
    return (1 + np.floor(5.0 * (ranks - 0.5) / array.shape[0])).clip(1, 5).astype(np.int64)


def rfm_segments(recency_days: ArrayLike, frequency: ArrayLike, monetary: ArrayLike) -> RfmScores:
    """Score customers 1–5 on recency (inverted), frequency and monetary value; name segments.

    Inputs: days since last purchase, number of purchases, and spend per customer (all
    ≥ 0, same length). Method: quintiles of average rank (Hughes 1994); segment grid in
    the module docstring.
    """
    recency = _column(recency_days, "recency_days")
    count = _column(frequency, "frequency")
    spend = _column(monetary, "monetary")
    if not recency.shape == count.shape == spend.shape:
        raise ValueError(
            f"recency_days, frequency and monetary must have the same length "
            f"({recency.shape[0]}, {count.shape[0]}, {spend.shape[0]})"
        )
    r = quintile_scores(recency, higher_is_better=False)
    f = quintile_scores(count)
    m = quintile_scores(spend)
    fm = (f + m + 1) // 2
    grid = np.array([SEGMENT_GRID[score] for score in (1, 2, 3, 4, 5)], dtype=object)
    segment = grid[r - 1, fm - 1] if r.shape[0] else np.zeros(0, dtype=object)
    return RfmScores(r, f, m, fm, np.asarray(segment, dtype=object))


def _column(values: ArrayLike, name: str) -> NDArray[np.float64]:
    try:
        array = np.atleast_1d(np.asarray(values, dtype=np.float64))
    except (TypeError, ValueError):
        raise ValueError(f"{name} must contain only numbers") from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    bad = ~np.isfinite(array) | (array < 0)
    if bad.any():
        row = int(np.argmax(bad))
        raise ValueError(f"{name} in row {row} must be a finite number >= 0, got {array[row]!r}")
    return array
