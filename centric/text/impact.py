"""Pure statistics linking themes to outcomes: NPS impact and emerging themes.

* :func:`theme_impact` — how many NPS points a theme costs (or earns): NPS of all
  respondents minus NPS of those who did not mention it. With theme share ``s = n_t/n``
  this equals ``s * (NPS_t - NPS_rest)``; its standard error follows from the multinomial
  variance of NPS per group, ``(p + d - (p - d)^2) / n_g`` (Rocks 2016, "Interval
  estimation for the Net Promoter Score"), treating ``s`` as fixed.
* :func:`emerging_themes` — themes whose share of comments grew against the previous
  period: one-sided two-proportion z-test with pooled variance, with Benjamini-Hochberg
  adjusted q-values across themes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True, slots=True)
class ThemeImpact:
    """NPS points attributable to a theme, with a confidence interval (points, -200..200)."""

    theme: str
    impact: float
    low: float
    high: float
    nps_all: float
    nps_without: float
    nps_theme: float
    n_theme: int
    n: int


@dataclass(frozen=True, slots=True)
class EmergingTheme:
    """A theme's share now vs before, the one-sided z-test of growth and its q-value."""

    theme: str
    current_count: int
    previous_count: int
    current_share: float
    previous_share: float
    growth: float
    z: float
    p_value: float
    q_value: float
    emerging: bool


def _nps(promoters: int, detractors: int, n: int) -> tuple[float, float]:
    """NPS as a fraction in [-1, 1] and the per-response variance of its estimator."""
    if n == 0:
        return math.nan, math.nan
    p, d = promoters / n, detractors / n
    return p - d, p + d - (p - d) ** 2


def theme_impact_from_counts(
    theme: str,
    n_theme: int,
    promoters_theme: int,
    detractors_theme: int,
    n_rest: int,
    promoters_rest: int,
    detractors_rest: int,
    confidence: float = 0.95,
) -> ThemeImpact:
    """:func:`theme_impact` from sufficient statistics (counts per group)."""
    from scipy.stats import norm  # at use: scipy.stats costs each process ~1 s to import
    n = n_theme + n_rest
    nps_t, var_t = _nps(promoters_theme, detractors_theme, n_theme)
    nps_r, var_r = _nps(promoters_rest, detractors_rest, n_rest)
    nps_all, _ = _nps(promoters_theme + promoters_rest, detractors_theme + detractors_rest, n)
    if n_theme == 0 or n_rest == 0:
        impact = 0.0 if n_theme == 0 else math.nan
        low = high = impact
    else:
        share = n_theme / n
        impact = share * (nps_t - nps_r)
        se = share * math.sqrt(var_t / n_theme + var_r / n_rest)
        z = norm.ppf(0.5 + confidence / 2)
        low, high = impact - z * se, impact + z * se
    return ThemeImpact(
        theme,
        100 * impact,
        100 * low,
        100 * high,
        100 * nps_all,
        100 * nps_r,
        100 * nps_t,
        n_theme,
        n,
    )


def theme_impact(
    scores: ArrayLike, mentions: ArrayLike, theme: str = "", confidence: float = 0.95
) -> ThemeImpact:
    """NPS(all) - NPS(without the theme's comments) from 0-10 ``scores`` and a boolean ``mentions`` mask."""
    s = np.asarray(scores, dtype=float)
    m = np.asarray(mentions, dtype=bool)
    if s.shape != m.shape:
        raise ValueError("scores and mentions must have the same shape")
    valid = ~np.isnan(s)
    s, m = s[valid], m[valid]
    promoter, detractor = s >= 9, s <= 6
    return theme_impact_from_counts(
        theme,
        int(m.sum()),
        int((promoter & m).sum()),
        int((detractor & m).sum()),
        int((~m).sum()),
        int((promoter & ~m).sum()),
        int((detractor & ~m).sum()),
        confidence,
    )


def emerging_themes(
    current: Mapping[str, int],
    current_total: int,
    previous: Mapping[str, int],
    previous_total: int,
    alpha: float = 0.05,
    min_count: int = 5,
) -> list[EmergingTheme]:
    """Themes ranked by evidence that their share grew; ``emerging`` when q <= ``alpha``."""
    from scipy.stats import norm  # at use: scipy.stats costs each process ~1 s to import
    # (theme, x1, x0, p1, p0, growth, z, p)
    rows: list[tuple[str, int, int, float, float, float, float, float]] = []
    for theme in sorted(set(current) | set(previous)):
        x1, x0 = int(current.get(theme, 0)), int(previous.get(theme, 0))
        p1 = x1 / current_total if current_total else 0.0
        p0 = x0 / previous_total if previous_total else 0.0
        pooled = (
            (x1 + x0) / (current_total + previous_total) if current_total + previous_total else 0.0
        )
        se = math.sqrt(
            pooled * (1 - pooled) * (1 / max(current_total, 1) + 1 / max(previous_total, 1))
        )
        z = (p1 - p0) / se if se > 0 else 0.0
        growth = p1 / p0 if p0 > 0 else (math.inf if p1 > 0 else 1.0)
        rows.append((theme, x1, x0, p1, p0, growth, z, float(norm.sf(z))))
    # Benjamini-Hochberg step-up q-values
    order = sorted(range(len(rows)), key=lambda i: rows[i][7])
    q = [1.0] * len(rows)
    running = 1.0
    for rank in range(len(order), 0, -1):
        i = order[rank - 1]
        running = min(running, rows[i][7] * len(rows) / rank)
        q[i] = running
    out = [
        EmergingTheme(t, x1, x0, p1, p0, g, z, p, q[i], q[i] <= alpha and x1 >= min_count and z > 0)
        for i, (t, x1, x0, p1, p0, g, z, p) in enumerate(rows)
    ]
    return sorted(out, key=lambda e: (-e.z, e.theme))
