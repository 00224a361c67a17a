"""Customer Happiness Score (CHS): one 0–100 number built from the listening metrics.

Definition (Centric's own composite; the weights are a configurable policy, not a law):

    CHS = Σ wᵢ · sᵢ / Σ wᵢ   over the components that have data

with every component first put on 0–100:

* NPS (−100..100)            → s = (NPS + 100) / 2
* CSAT (% top-box, 0..100)   → s = CSAT
* CES mean on [lo, hi]       → s = 100 · (CES − lo) / (hi − lo)   (1–7 by default;
  higher CES = easier)
* sentiment mean in [−1, 1]  → s = 100 · (sentiment + 1) / 2

Default weights: NPS 0.4, CSAT 0.3, CES 0.2, sentiment 0.1. A component without data
(``None`` or ``value=None``) is dropped and the remaining weights renormalised. The
components come from different answers, so they are treated as independent: the
standard error is sqrt(Σ (wᵢ/Σw)² seᵢ²) on the 0–100 scale, and the interval is the
normal one, clipped to [0, 100]; it is ``None`` when a used component has no standard
error. ``n`` is the smallest number of responses behind a used component.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from centric.stats.estimate import Estimate, z_quantile


@dataclass(frozen=True)
class HappinessWeights:
    """Relative weights of the CHS components (any non-negative numbers, not all zero)."""

    nps: float = 0.4
    csat: float = 0.3
    ces: float = 0.2
    sentiment: float = 0.1

    def __post_init__(self) -> None:
        values = (self.nps, self.csat, self.ces, self.sentiment)
        if any(not math.isfinite(w) or w < 0 for w in values) or sum(values) == 0:
            raise ValueError(f"weights must be finite, >= 0 and not all zero, got {values}")


def happiness_score(
    *,
    nps: Estimate | None = None,
    csat: Estimate | None = None,
    ces: Estimate | None = None,
    sentiment: Estimate | None = None,
    weights: HappinessWeights | None = None,
    ces_scale: tuple[float, float] = (1.0, 7.0),
    confidence: float = 0.95,
) -> Estimate:
    """Customer Happiness Score on 0–100 from component estimates (module docstring).

    Returns an undefined estimate (``value=None``) when no component has data, or when
    every component with data has weight zero.
    """
    weights = weights or HappinessWeights()
    low_ces, high_ces = ces_scale
    if not high_ces > low_ces:
        raise ValueError(f"ces_scale must be (low, high) with high > low, got {ces_scale!r}")
    z = z_quantile(confidence)
    # (weight, score on 0–100, se on 0–100, n) for each component with data.
    parts: list[tuple[float, float, float | None, int]] = []
    scalings = (
        (nps, weights.nps, lambda v: (v + 100.0) / 2.0, 0.5),
        (csat, weights.csat, lambda v: v, 1.0),
        (ces, weights.ces, lambda v: 100.0 * (v - low_ces) / (high_ces - low_ces),
         100.0 / (high_ces - low_ces)),
        (sentiment, weights.sentiment, lambda v: 100.0 * (v + 1.0) / 2.0, 50.0),
    )
    for component, weight, to_score, slope in scalings:
        if component is None or component.value is None or weight == 0:
            continue
        score = min(100.0, max(0.0, to_score(component.value)))
        se = None if component.se is None else slope * component.se
        parts.append((weight, score, se, component.n))
    if not parts:
        return Estimate(None, None, None, 0, None, "Customer Happiness Score: no component has data")
    total_weight = sum(weight for weight, _, _, _ in parts)
    value = sum(weight * score for weight, score, _, _ in parts) / total_weight
    n = min(count for _, _, _, count in parts)
    method = "Customer Happiness Score: weighted mean of components on 0–100"
    errors = [(weight, se) for weight, _, se, _ in parts if se is not None]
    if len(errors) < len(parts):
        return Estimate(value, None, None, n, None, method)
    se = math.sqrt(sum((weight / total_weight) ** 2 * s * s for weight, s in errors))
    return Estimate(value, max(0.0, value - z * se), min(100.0, value + z * se), n, se, method)
