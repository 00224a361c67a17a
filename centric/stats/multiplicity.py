"""Adjusting p-values when many groups or drivers are tested at once."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np


def adjust_p_values(
    p_values: Sequence[float], method: Literal["holm", "bh"] = "holm"
) -> list[float]:
    """Adjusted p-values, in the input order.

    * ``"holm"`` — Holm–Bonferroni step-down, controls the family-wise error rate
      (Holm 1979, "A simple sequentially rejective multiple test procedure",
      Scandinavian Journal of Statistics 6).
    * ``"bh"`` — Benjamini–Hochberg step-up, controls the false discovery rate
      (Benjamini & Hochberg 1995, JRSS B 57).
    """
    if method not in ("holm", "bh"):
        raise ValueError(f"method must be 'holm' or 'bh', got {method!r}")
    values = []
    for index, given in enumerate(p_values):
        try:
            value = float(given)
        except (TypeError, ValueError):
            raise ValueError(f"p-value at position {index} is not a number: {given!r}") from None
        if isinstance(given, bool) or not math.isfinite(value) or not 0.0 <= value <= 1.0:
            raise ValueError(f"p-value at position {index} must be between 0 and 1, got {given!r}")
        values.append(value)
    m = len(values)
    if m == 0:
        return []
    p = np.asarray(values)
    if method == "holm":
        order = np.argsort(p, kind="stable")
        stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
    else:
        order = np.argsort(p, kind="stable")[::-1]
        stepped = np.minimum.accumulate(m / np.arange(m, 0, -1) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(stepped, 1.0)
    return [float(x) for x in adjusted]
