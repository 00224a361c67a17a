"""Conversion funnels and paths from a customer's event log, and quantiles of durations.

Method: the *ordered conversion funnel with a conversion window* of product analytics
(Mixpanel's and PostHog's "funnels", "sequential, within N days"). Stages are numbered
0 … S−1 in the journey's order. Step 1 is the customer's first event at stage 0; step k
is the first event at stage k−1 that happens at or after step k−1 and at most ``window``
after step 1. Events at the same moment count in stage order, so a customer who does two
stages in one second progresses through both. The customer's *depth* is the number of
steps reached; the funnel count of step k is the number of customers with depth ≥ k.

A *path* is the stages in the order the customer first reached them (each once, every
event counts, window or not). Path reports keep the top N (path, depth) groups of the
funnel's entrants and put the rest in "other" buckets split by depth, so that for every
step k the funnel count equals the sum of path counts with depth ≥ k (exact reconciliation).

Quantiles: of raw values, linear interpolation between order statistics (Hyndman & Fan
1996, definition 7 — NumPy's default); of a histogram, the grouped-data quantile that
interpolates linearly inside the bucket holding the rank q·n (the textbook "median of
grouped data" formula), exact up to the bucket's width.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class StepReached:
    """Step ``step`` (1-based) reached at stage index ``stage`` at time ``at`` (seconds)."""

    step: int
    stage: int
    at: float
    since_previous_s: float | None


@dataclass(frozen=True)
class Progression:
    """A customer's ordered steps within the window, and the path of stages in order of first reach."""

    steps: tuple[StepReached, ...]
    path: tuple[int, ...]

    @property
    def depth(self) -> int:
        return len(self.steps)


def progression(events: Iterable[tuple[int, float]], n_stages: int, window_s: float) -> Progression:
    """The in-order progression through ``n_stages`` stages of events ``(stage index, time in seconds)``.

    Events may come in any order; stage indices outside ``0 … n_stages−1`` are ignored.
    """
    ordered = sorted((t, s) for s, t in events if 0 <= s < n_stages)
    path: list[int] = []
    seen: set[int] = set()
    steps: list[StepReached] = []
    for at, stage in ordered:
        if stage not in seen:
            seen.add(stage)
            path.append(stage)
        wanted = len(steps)
        if stage != wanted or wanted >= n_stages:
            continue
        if wanted == 0:
            steps.append(StepReached(1, stage, at, None))
        elif at - steps[0].at <= window_s:
            steps.append(StepReached(wanted + 1, stage, at, at - steps[-1].at))
    return Progression(tuple(steps), tuple(path))


def funnel_counts(depths: Iterable[int], n_stages: int) -> list[int]:
    """Customers reaching each step 1 … n_stages: the number of depths ≥ k."""
    at_depth = Counter(depths)
    return [sum(n for depth, n in at_depth.items() if depth >= k) for k in range(1, n_stages + 1)]


@dataclass(frozen=True)
class PathCount:
    """``customers`` entrants with this path and depth; ``path`` is None for an "other" bucket of that depth."""

    path: str | None
    steps: int
    customers: int

    @property
    def other(self) -> bool:
        return self.path is None


def top_paths(groups: Mapping[tuple[str, int], int], top: int) -> list[PathCount]:
    """The ``top`` largest (path, depth) groups of entrants, then one "other" bucket per depth.

    Groups with depth 0 (not entrants) are left out. Ties are broken by path, then depth.
    """
    entrants = [(path, steps, n) for (path, steps), n in groups.items() if steps >= 1 and n > 0]
    entrants.sort(key=lambda g: (-g[2], g[0], g[1]))
    shown = [PathCount(path, steps, n) for path, steps, n in entrants[:top]]
    by_depth: Counter[int] = Counter()
    for _path, steps, n in entrants:
        by_depth[steps] += n
    return shown + other_buckets(by_depth, shown)


def other_buckets(entrants_by_depth: Mapping[int, int], shown: Sequence[PathCount]) -> list[PathCount]:
    """"Other" buckets: per depth, the entrants not in the ``shown`` paths (empty buckets left out)."""
    left = Counter({d: n for d, n in entrants_by_depth.items() if d >= 1})
    for row in shown:
        left[row.steps] -= row.customers
    if any(n < 0 for n in left.values()):
        raise ValueError("shown paths count more customers than there are at their depth")
    return [PathCount(None, depth, n) for depth, n in sorted(left.items()) if n > 0]


def funnel_from_paths(rows: Iterable[PathCount], n_stages: int) -> list[int]:
    """The funnel the path rows imply: for step k the customers of rows with depth ≥ k."""
    totals = [0] * n_stages
    for row in rows:
        for k in range(min(row.steps, n_stages)):
            totals[k] += row.customers
    return totals


def quantile_of_values(values: Sequence[float], q: float) -> float | None:
    """The q-quantile (0 ≤ q ≤ 1) of ``values`` (Hyndman & Fan definition 7); None when empty."""
    if not 0 <= q <= 1:
        raise ValueError("q must lie in [0, 1]")
    if len(values) == 0:
        return None
    return float(np.quantile(np.asarray(values, dtype=float), q))


def quantile_of_histogram(buckets: Sequence[tuple[float, float, int]], q: float) -> float | None:
    """The q-quantile of grouped data: ``buckets`` are (lower edge, upper edge, count), in any order.

    The rank r = q·n falls into the bucket whose cumulative count first reaches it; the answer
    interpolates linearly inside that bucket: L + (r − F) / f · (U − L), with F the count below
    the bucket and f its own count. None when the histogram is empty.
    """
    if not 0 <= q <= 1:
        raise ValueError("q must lie in [0, 1]")
    ordered = sorted(b for b in buckets if b[2] > 0)
    n = sum(b[2] for b in ordered)
    if n == 0:
        return None
    rank = q * n
    below = 0
    for lower, upper, count in ordered:
        if below + count >= rank:
            return lower + (rank - below) / count * (upper - lower)
        below += count
    return ordered[-1][1]
