"""Rating scales: validation of raw scores and the thresholds that turn them into counts.

Conventions (also in ``docs/statistics.md``):

* NPS / eNPS, 0–10 "how likely are you to recommend": promoters 9–10, passives 7–8,
  detractors 0–6 (Reichheld 2003, "The one number you need to grow").
* CSAT: the share of "top-box" answers. By default the top two boxes of the scale,
  so 4–5 on a 1–5 scale, 6–7 on 1–7 and 9–10 on 1–10 (:func:`top_box_threshold`).
* CES 2.0, 1–7 agreement with "the company made it easy to handle my issue": reported
  as the mean, and as the share agreeing — every answer strictly above the midpoint of
  the scale, i.e. 5–7 on 1–7 (:func:`agreement_threshold`).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from centric.stats.estimate import check_count

PROMOTER_MIN = 9
DETRACTOR_MAX = 6


def nps_category(score: int) -> str:
    """``"promoter"`` (9–10), ``"passive"`` (7–8) or ``"detractor"`` (0–6) for one 0–10 score."""
    value = validated_scores([score], scale_min=0, scale_max=10, label="NPS score")[0]
    if value >= PROMOTER_MIN:
        return "promoter"
    if value <= DETRACTOR_MAX:
        return "detractor"
    return "passive"


def top_box_threshold(scale_max: int, *, scale_min: int = 1, boxes: int = 2) -> int:
    """Smallest score counted as satisfied when the top ``boxes`` answers are "top box".

    ``top_box_threshold(5) == 4`` (top-2-box on 1–5), ``top_box_threshold(10, boxes=3) == 8``.
    """
    scale_min, scale_max = _checked_scale(scale_min, scale_max)
    boxes = check_count("boxes", boxes, minimum=1)
    if boxes > scale_max - scale_min + 1:
        raise ValueError(
            f"boxes={boxes} is more than the {scale_max - scale_min + 1} points of a "
            f"{scale_min}–{scale_max} scale"
        )
    return scale_max - boxes + 1


def agreement_threshold(scale_max: int = 7, *, scale_min: int = 1) -> int:
    """Smallest score strictly above the scale's midpoint (5 on 1–7, 4 on 1–5)."""
    scale_min, scale_max = _checked_scale(scale_min, scale_max)
    return math.floor((scale_min + scale_max) / 2) + 1


def validated_scores(
    scores: ArrayLike,
    *,
    scale_min: float,
    scale_max: float,
    integer: bool = True,
    label: str = "score",
) -> NDArray[np.float64]:
    """Scores as a float array after checking each is a number within the scale.

    Raises ``ValueError`` naming the first offending position and value: a missing or
    non-numeric cell, a value outside ``scale_min..scale_max``, or (with ``integer``) a
    fractional value.
    """
    raw = np.asarray(scores)
    if raw.dtype.kind in "iuf":
        raw = raw.ravel()
        values = raw.astype(np.float64)
    else:
        raw = np.asarray(scores, dtype=object).ravel()
        values = np.empty(raw.shape[0], dtype=np.float64)
        for index, cell in enumerate(raw):
            if cell is None or isinstance(cell, (bool, np.bool_)):
                raise ValueError(f"{label} at position {index} is not a number: {cell!r}")
            try:
                values[index] = float(cell)
            except (TypeError, ValueError):
                raise ValueError(f"{label} at position {index} is not a number: {cell!r}") from None
    bad = ~np.isfinite(values) | (values < scale_min) | (values > scale_max)
    if integer:
        bad |= np.isfinite(values) & (values != np.round(values))
    if bad.any():
        index = int(np.argmax(bad))
        cell = raw[index].item() if hasattr(raw[index], "item") else raw[index]
        kind = "a whole number " if integer else ""
        raise ValueError(
            f"{label} at position {index} must be {kind}between {scale_min:g} and "
            f"{scale_max:g}, got {cell!r}"
        )
    return values


def _checked_scale(scale_min: int, scale_max: int) -> tuple[int, int]:
    low = check_count("scale_min", scale_min, minimum=None)
    high = check_count("scale_max", scale_max)
    if high <= low:
        raise ValueError(f"scale_max ({scale_max}) must be greater than scale_min ({scale_min})")
    return low, high
