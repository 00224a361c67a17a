"""NPS and eNPS: hand-computed values, interval properties, coverage, comparison."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from centric.stats import (
    compare_nps,
    enps_estimate,
    enps_from_scores,
    nps_estimate,
    nps_from_scores,
)

Z95 = 1.959963984540054


@st.composite
def counts(draw: st.DrawFn, min_n: int = 0) -> tuple[int, int, int]:
    n = draw(st.integers(min_n, 5000))
    promoters = draw(st.integers(0, n))
    detractors = draw(st.integers(0, n - promoters))
    return n, promoters, detractors


def test_wald_by_hand() -> None:
    # 50 promoters, 20 detractors of 100: NPS 30, Var = 0.5 + 0.2 − 0.3² = 0.61.
    est = nps_estimate(100, 50, 20)
    se = 100 * math.sqrt(0.61 / 100)
    assert est.value == pytest.approx(30.0)
    assert est.se == pytest.approx(se)
    assert est.low == pytest.approx(30 - Z95 * se)
    assert est.high == pytest.approx(30 + Z95 * se)
    assert est.method == "trinomial Wald"


def test_adjusted_wald_by_hand_and_auto_rule() -> None:
    # n = 10, 5 promoters, 2 detractors -> n' = 13, p' = 5.75/13, d' = 2.75/13.
    p, d = 5.75 / 13, 2.75 / 13
    centre, se = 100 * (p - d), 100 * math.sqrt((p + d - (p - d) ** 2) / 13)
    est = nps_estimate(10, 5, 2)
    assert est.method.startswith("adjusted Wald")
    assert est.value == pytest.approx(30.0)
    assert est.low == pytest.approx(centre - Z95 * se)
    assert est.high == pytest.approx(centre + Z95 * se)
    assert nps_estimate(29, 10, 5).method.startswith("adjusted")
    assert nps_estimate(30, 10, 5).method == "trinomial Wald"
    assert nps_estimate(30, 10, 5, method="adjusted_wald").method.startswith("adjusted")


def test_single_category_gets_a_real_interval() -> None:
    est = nps_estimate(500, 500, 0)
    assert est.value == 100.0
    assert est.high == 100.0 and est.low < 100.0
    assert nps_estimate(500, 500, 0, method="wald").low == 100.0


def test_empty_and_single_response() -> None:
    empty = nps_estimate(0, 0, 0)
    assert (empty.value, empty.low, empty.high, empty.se, empty.n) == (None, None, None, None, 0)
    one = nps_estimate(1, 1, 0)
    assert one.value == 100.0 and one.low is not None and one.low <= 100.0 <= one.high  # type: ignore[operator]


@pytest.mark.parametrize(
    "args",
    [(-1, 0, 0), (10, 6, 5), (10, -1, 0), (10.5, 1, 1), ("10", 1, 1), (True, 0, 0)],
)
def test_bad_counts(args: tuple) -> None:
    with pytest.raises(ValueError):
        nps_estimate(*args)


def test_bad_options() -> None:
    with pytest.raises(ValueError, match="confidence"):
        nps_estimate(10, 1, 1, confidence=1.5)
    with pytest.raises(ValueError, match="method"):
        nps_estimate(10, 1, 1, method="exact")  # type: ignore[arg-type]


def test_from_scores_counts_categories() -> None:
    est = nps_from_scores([10, 9, 8, 7, 6, 0, "9", 3.0])
    # promoters 10, 9, "9" = 3; detractors 6, 0, 3 = 3 -> NPS 0.
    assert est.n == 8 and est.value == 0.0


@pytest.mark.parametrize("bad", [[5, 11], [5, -1], [5, 7.5], [5, "x"], [5, None], [5, float("nan")]])
def test_from_scores_rejects_bad_cells(bad: list) -> None:
    with pytest.raises(ValueError, match="position 1"):
        nps_from_scores(bad)


@given(st.lists(st.integers(0, 10), max_size=200), st.randoms())
def test_permutation_invariance(scores: list[int], rnd) -> None:  # type: ignore[no-untyped-def]
    shuffled = scores[:]
    rnd.shuffle(shuffled)
    assert nps_from_scores(scores) == nps_from_scores(shuffled)


@given(counts(), st.sampled_from(["auto", "wald", "adjusted_wald"]))
def test_interval_bounds(c: tuple[int, int, int], method: str) -> None:
    est = nps_estimate(*c, method=method)  # type: ignore[arg-type]
    if c[0] == 0:
        assert est.value is None
        return
    assert -100.0 <= est.low <= est.value <= est.high <= 100.0  # type: ignore[operator]


@given(counts(min_n=1), counts(min_n=1))
def test_compare_is_antisymmetric(a: tuple[int, int, int], b: tuple[int, int, int]) -> None:
    ab, ba = compare_nps(a, b), compare_nps(b, a)
    assert ab.difference == pytest.approx(-ba.difference)  # type: ignore[operator]
    assert ab.low == pytest.approx(-ba.high)  # type: ignore[operator]
    assert ab.p_value == pytest.approx(ba.p_value)
    assert 0.0 <= ab.p_value <= 1.0  # type: ignore[operator]


def test_compare_by_hand() -> None:
    # a: 100 answers, NPS 30, Var 0.61; b: 80 answers, 30 P and 30 D, NPS 0, Var 0.75.
    c = compare_nps((100, 50, 20), (80, 30, 30))
    se = 100 * math.sqrt(0.61 / 100 + 0.75 / 80)
    assert c.difference == pytest.approx(30.0)
    assert c.statistic == pytest.approx(30.0 / se)
    assert c.p_value == pytest.approx(math.erfc(30.0 / se / math.sqrt(2)))
    assert (c.n_a, c.n_b) == (100, 80)


def test_compare_edge_cases() -> None:
    assert compare_nps((0, 0, 0), (10, 5, 1)).difference is None
    same = compare_nps((50, 50, 0), (40, 40, 0))
    assert same.difference == 0.0 and same.p_value == pytest.approx(1.0)
    apart = compare_nps((50, 50, 0), (40, 0, 40))
    assert apart.difference == 200.0 and apart.p_value < 1e-6  # type: ignore[operator]


@pytest.mark.parametrize(
    ("n", "p", "d"),
    [(200, 0.45, 0.20), (50, 0.30, 0.30), (15, 0.50, 0.20)],
)
def test_coverage_close_to_nominal(n: int, p: float, d: float) -> None:
    rng = np.random.default_rng(20240601 + n)
    draws = rng.multinomial(n, [p, d, 1 - p - d], size=2000)
    truth = 100 * (p - d)
    hits = 0
    for promoters, detractors, _ in draws:
        est = nps_estimate(n, int(promoters), int(detractors))
        hits += est.low <= truth <= est.high  # type: ignore[operator]
    assert 0.93 <= hits / 2000 <= 0.97


@settings(max_examples=50)
@given(counts())
def test_enps_is_nps_maths(c: tuple[int, int, int]) -> None:
    e, n = enps_estimate(*c), nps_estimate(*c)
    assert (e.value, e.low, e.high, e.se) == (n.value, n.low, n.high, n.se)
    assert e.method.startswith("eNPS")


def test_enps_from_scores() -> None:
    assert enps_from_scores([10, 10, 0, 8]).value == 25.0
