"""CES and other means from sufficient statistics."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as sp

from centric.stats import ces_estimate, ces_from_scores, compare_means, mean_estimate


def _suff(values: list[float]) -> tuple[int, float, float]:
    a = np.asarray(values, dtype=float)
    return a.size, float(a.sum()), float((a * a).sum())


def test_by_hand() -> None:
    # 2, 4, 6: mean 4, s² = 4, se = 2/√3, t(2, 0.975) = 4.302652729911275.
    est = ces_estimate(*_suff([2, 4, 6]))
    se = 2 / np.sqrt(3)
    assert est.value == pytest.approx(4.0)
    assert est.se == pytest.approx(se)
    assert est.low == pytest.approx(4 - 4.302652729911275 * se)


def test_edge_cases() -> None:
    assert ces_estimate(0, 0, 0).value is None
    one = ces_estimate(1, 5, 25)
    assert one.value == 5 and one.low is None and one.se is None
    same = ces_estimate(*_suff([3.1] * 7))
    assert same.low == pytest.approx(3.1) and same.high == pytest.approx(3.1)
    with pytest.raises(ValueError, match="inconsistent"):
        ces_estimate(3, 12, 10)
    with pytest.raises(ValueError, match="n = 0"):
        ces_estimate(0, 1, 1)
    with pytest.raises(ValueError, match="finite"):
        ces_estimate(2, float("nan"), 1)


def test_from_scores_validates_scale() -> None:
    assert ces_from_scores([1, 7, 4]).value == pytest.approx(4.0)
    with pytest.raises(ValueError, match="position 0"):
        ces_from_scores([8])


def test_welch_matches_scipy() -> None:
    a, b = [5, 6, 7, 5, 6, 7, 7, 4], [3, 4, 5, 4, 2, 6, 5, 4, 3, 3]
    c = compare_means(_suff(a), _suff(b))
    reference = sp.ttest_ind(a, b, equal_var=False)
    assert c.statistic == pytest.approx(reference.statistic)
    assert c.p_value == pytest.approx(reference.pvalue)
    assert c.difference == pytest.approx(np.mean(a) - np.mean(b))


def test_compare_edge_cases() -> None:
    assert compare_means((0, 0, 0), _suff([1, 2])).difference is None
    single = compare_means((1, 3, 9), _suff([1, 2]))
    assert single.difference == pytest.approx(1.5) and single.p_value is None
    flat = compare_means(_suff([2, 2]), _suff([3, 3, 3]))
    assert flat.difference == pytest.approx(-1.0) and flat.statistic is None


values = st.lists(st.integers(1, 7), min_size=2, max_size=60)


@given(values, values)
def test_compare_antisymmetric(a: list[int], b: list[int]) -> None:
    ab, ba = compare_means(_suff(a), _suff(b)), compare_means(_suff(b), _suff(a))
    assert ab.difference == pytest.approx(-ba.difference, abs=1e-12)  # type: ignore[operator]
    assert ab.p_value == pytest.approx(ba.p_value)


@given(st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=60))
def test_interval_contains_mean(xs: list[float]) -> None:
    est = mean_estimate(*_suff(xs))
    assert est.low <= est.value + 1e-9 and est.value <= est.high + 1e-9  # type: ignore[operator]


def test_t_interval_coverage() -> None:
    rng = np.random.default_rng(11)
    samples = rng.integers(1, 8, size=(2000, 25)).astype(float)  # uniform on 1..7, mean 4
    hits = sum(
        est.low <= 4.0 <= est.high  # type: ignore[operator]
        for est in (ces_estimate(*_suff(row.tolist())) for row in samples)
    )
    assert 0.93 <= hits / 2000 <= 0.97
