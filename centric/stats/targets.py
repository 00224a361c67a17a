"""Targets judged against noise: a verdict per target and ranks that ignore insignificant gaps.

Verdict of an estimate against a threshold (``target_verdict``). The estimate carries its
95% interval from the metric's own method — NPS: trinomial Wald / adjusted Wald (Rocks
2016, "Interval estimation for the 'Net Promoter Score'", The American Statistician 70(4);
Sauro & Lewis 2021); shares (CSAT, loop KPIs, churn): Wilson score (Wilson 1927, JASA 22);
means (CES): Student t. Then, for a target "at least T" (and mirrored for "at most T"):

* **met** — the whole interval lies on the good side: ``low > T``;
* **missed** — the whole interval lies on the bad side: ``high < T``;
* **not distinguishable** — the interval contains T, or n is below the target's minimum,
  or there is no estimate.

Because "missed" needs the upper bound of a two-sided 95% interval below T, a team whose
true value equals its target is called "missed" only when the interval misses the truth on
one side: about 2.5% of periods at nominal coverage, and never more than 5%.

Ranks (``significance_ranks``): every pair of estimates is compared with a two-sided
z-test on the difference, z = (a − b) / sqrt(se_a² + se_b²); the p-values of all pairs are
Holm-adjusted together (Holm 1979, "A simple sequentially rejective multiple test
procedure", Scandinavian Journal of Statistics 6), which keeps the chance of any false
"significantly better" among all pairs at or below ``alpha``. An estimate's rank is one
plus the number of others that are significantly better than it, so estimates whose
differences are not significant share a rank (competition-style ranks with ties).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from centric.stats.estimate import Estimate, check_count, check_finite, two_sided_normal_p
from centric.stats.multiplicity import adjust_p_values

Direction = Literal["at_least", "at_most"]
VERDICT_RULE = (
    "met when the whole 95% interval is on the good side of the threshold, missed when it is wholly on the "
    "bad side, otherwise (the interval contains the threshold, or n is below the target's minimum) "
    "not distinguishable from the target"
)
RANK_RULE = (
    "rank = 1 + the number of others significantly better, by two-sided z-tests on every pair "
    "(difference ÷ its standard error), Holm-adjusted over all pairs at alpha 0.05 (Holm 1979); "
    "differences that are not significant share a rank"
)


@dataclass(frozen=True)
class TargetVerdict:
    """``verdict`` is ``met``, ``missed`` or ``not_distinguishable``; ``reason`` says why in words."""

    verdict: str
    reason: str


def _fmt(x: float) -> str:
    return f"{x:.1f}" if abs(x) >= 10 else f"{x:.2f}"


def target_verdict(estimate: Estimate, threshold: float, direction: Direction = "at_least",
                   min_n: int = 30) -> TargetVerdict:
    """Met, missed or not distinguishable: the interval of ``estimate`` against ``threshold``.

    A threshold inside the closed interval [low, high] is never met nor missed. See the
    module docstring for the rule and its sources.
    """
    threshold = check_finite("threshold", threshold)
    min_n = check_count("min_n", min_n)
    if direction not in ("at_least", "at_most"):
        raise ValueError(f"direction must be 'at_least' or 'at_most', got {direction!r}")
    if estimate.value is None or estimate.n == 0:
        return TargetVerdict("not_distinguishable", "no data in the period")
    if estimate.n < min_n:
        return TargetVerdict("not_distinguishable", f"n {estimate.n} below the minimum {min_n}")
    if estimate.low is None or estimate.high is None:
        return TargetVerdict("not_distinguishable", f"no interval can be formed from n {estimate.n}")
    low, high = estimate.low, estimate.high
    interval = f"interval {_fmt(low)}–{_fmt(high)}"
    if low <= threshold <= high:
        return TargetVerdict("not_distinguishable", f"{interval} contains the target {_fmt(threshold)}")
    above = low > threshold
    good = above if direction == "at_least" else not above
    side = "above" if above else "below"
    return TargetVerdict("met" if good else "missed", f"{interval} is wholly {side} the target {_fmt(threshold)}")


def pairwise_p_value(a: Estimate, b: Estimate) -> float | None:
    """Two-sided z-test p-value of ``a.value − b.value`` with se sqrt(se_a² + se_b²).

    ``None`` when either value or standard error is missing; 1.0 when the combined
    standard error is zero (no test is possible, so no difference is claimed).
    """
    if a.value is None or b.value is None or a.se is None or b.se is None:
        return None
    se = math.sqrt(a.se**2 + b.se**2)
    if se == 0.0:
        return 1.0
    return two_sided_normal_p((a.value - b.value) / se)


def significance_ranks(estimates: Sequence[Estimate], higher_is_better: bool = True,
                       alpha: float = 0.05) -> list[int | None]:
    """Ranks that separate only significantly different estimates (Holm-corrected pairwise z-tests).

    rank_i = 1 + number of others significantly better than i; estimates without a value
    or a standard error get ``None`` and take no part in the comparisons.
    """
    if not 0.0 < float(alpha) < 1.0:
        raise ValueError(f"alpha must be strictly between 0 and 1, got {alpha!r}")
    defined = [i for i, e in enumerate(estimates) if e.value is not None and e.se is not None]
    ranks: list[int | None] = [None] * len(estimates)
    pairs: list[tuple[int, int]] = []
    p_values: list[float] = []
    for k, i in enumerate(defined):
        for j in defined[k + 1:]:
            p = pairwise_p_value(estimates[i], estimates[j])
            pairs.append((i, j))
            p_values.append(1.0 if p is None else p)
    better = {i: 0 for i in defined}
    for (i, j), adjusted in zip(pairs, adjust_p_values(p_values, "holm"), strict=True):
        if adjusted >= alpha:
            continue
        a, b = estimates[i].value or 0.0, estimates[j].value or 0.0  # both defined (see above)
        i_better = a > b if higher_is_better else a < b
        better[j if i_better else i] += 1
    for i in defined:
        ranks[i] = 1 + better[i]
    return ranks
