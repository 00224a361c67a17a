"""CSAT and other shares: Wilson interval, Newcombe difference, scale helpers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from centric.stats import (
    ces_agreement_from_scores,
    compare_proportions,
    csat_estimate,
    csat_from_scores,
)

Z95 = 1.959963984540054


@st.composite
def share(draw: st.DrawFn, min_n: int = 0) -> tuple[int, int]:
    n = draw(st.integers(min_n, 10_000))
    return n, draw(st.integers(0, n))


def test_wilson_by_hand() -> None:
    # 8 of 10: centre (0.8 + z²/20)/(1 + z²/10), half-width z/(1 + z²/10)·sqrt(0.016 + z²/400).
    z2 = Z95**2
    centre = (0.8 + z2 / 20) / (1 + z2 / 10)
    half = Z95 / (1 + z2 / 10) * math.sqrt(0.8 * 0.2 / 10 + z2 / 400)
    est = csat_estimate(10, 8)
    assert est.value == pytest.approx(80.0)
    assert est.low == pytest.approx(100 * (centre - half))
    assert est.high == pytest.approx(100 * (centre + half))
    assert est.method == "Wilson"


def test_newcombe_published_example() -> None:
    # Newcombe (1998), Statistics in Medicine 17, Table II: 56/70 − 48/80, method 10:
    # difference 0.2000, 95% interval 0.0524 to 0.3339.
    c = compare_proportions((70, 56), (80, 48))
    assert c.difference == pytest.approx(20.0)
    assert c.low == pytest.approx(5.24, abs=0.01)
    assert c.high == pytest.approx(33.39, abs=0.01)


def test_pooled_z_by_hand() -> None:
    c = compare_proportions((100, 50), (100, 40))
    pooled = 0.45
    z = 0.10 / math.sqrt(pooled * (1 - pooled) * (2 / 100))
    assert c.statistic == pytest.approx(z)
    assert c.p_value == pytest.approx(math.erfc(z / math.sqrt(2)))


def test_edge_cases() -> None:
    assert csat_estimate(0, 0).value is None
    all_yes = csat_estimate(5, 5)
    assert all_yes.value == 100.0 and all_yes.high == 100.0 and all_yes.low < 100.0  # type: ignore[operator]
    both_zero = compare_proportions((10, 0), (20, 0))
    assert both_zero.difference == 0.0 and both_zero.p_value == 1.0
    assert compare_proportions((0, 0), (5, 1)).p_value is None
    with pytest.raises(ValueError, match="cannot exceed"):
        csat_estimate(3, 4)


@given(share())
def test_wilson_bounds(s: tuple[int, int]) -> None:
    est = csat_estimate(*s)
    if s[0] == 0:
        assert est.low is None
    else:
        assert 0.0 <= est.low <= est.value <= est.high <= 100.0  # type: ignore[operator]


@given(share(min_n=1), share(min_n=1))
def test_compare_antisymmetric(a: tuple[int, int], b: tuple[int, int]) -> None:
    ab, ba = compare_proportions(a, b), compare_proportions(b, a)
    assert ab.difference == pytest.approx(-ba.difference)  # type: ignore[operator]
    assert ab.low == pytest.approx(-ba.high)  # type: ignore[operator]
    assert ab.p_value == pytest.approx(ba.p_value)
    assert -100.0 <= ab.low <= ab.difference <= ab.high <= 100.0  # type: ignore[operator]


@pytest.mark.parametrize(("n", "p"), [(50, 0.8), (400, 0.65)])
def test_wilson_coverage(n: int, p: float) -> None:
    rng = np.random.default_rng(7 + n)
    hits = sum(
        est.low <= 100 * p <= est.high  # type: ignore[operator]
        for est in (csat_estimate(n, int(k)) for k in rng.binomial(n, p, size=2000))
    )
    assert 0.93 <= hits / 2000 <= 0.97


def test_csat_scales() -> None:
    assert csat_from_scores([1, 2, 3, 4, 5]).value == pytest.approx(40.0)  # 4–5 of 1–5
    assert csat_from_scores([7, 6, 5, 1], scale_max=7).value == pytest.approx(50.0)  # 6–7
    assert csat_from_scores([10, 9, 8, 1], scale_max=10, boxes=3).value == pytest.approx(75.0)
    with pytest.raises(ValueError, match="position 1"):
        csat_from_scores([5, 6])


def test_ces_agreement_is_above_midpoint() -> None:
    est = ces_agreement_from_scores([1, 2, 3, 4, 5, 6, 7, 7])
    assert est.value == pytest.approx(50.0)  # 5, 6, 7, 7 of 8
