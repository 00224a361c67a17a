"""Difference-in-differences with a bootstrap interval, on synthetic data with a known effect."""

from __future__ import annotations

import math

import numpy as np
import pytest

from centric.stats import diff_in_diff, nps_contributions


def _cells(rng: np.random.Generator, effect: float, trend: float = 0.0, n: int = 150,
           gap: float = 5.0) -> tuple[np.ndarray, ...]:
    sd = 10.0
    return (rng.normal(50 + gap, sd, n), rng.normal(50 + gap + trend + effect, sd, n),
            rng.normal(50, sd, n), rng.normal(50 + trend, sd, n))


def test_point_estimate_is_the_difference_of_differences() -> None:
    result = diff_in_diff([1, 3], [10, 12], [5, 7], [6, 8], n_boot=200)
    assert result.effect == pytest.approx((11 - 2) - (7 - 6))
    assert (result.treated_before, result.treated_after, result.control_before, result.control_after) == (
        2.0, 11.0, 6.0, 7.0)
    assert (result.n_treated, result.n_control) == (4, 4)
    assert "Angrist" in result.method and "Efron" in result.method


def test_interval_covers_a_known_effect_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(2024)
    true_effect, reps, covered, estimates = 4.0, 200, 0, []
    for rep in range(reps):
        result = diff_in_diff(*_cells(rng, true_effect, trend=3.0), n_boot=400, seed=rep)
        assert result.low is not None and result.high is not None and result.effect is not None
        covered += result.low <= true_effect <= result.high
        estimates.append(result.effect)
    # Binomial(200, 0.95) has sd 1.5%; the percentile bootstrap runs slightly narrow at n = 150.
    assert 0.88 <= covered / reps <= 0.99
    assert float(np.mean(estimates)) == pytest.approx(true_effect, abs=0.5)


def test_no_effect_interval_covers_zero() -> None:
    rng = np.random.default_rng(7)
    result = diff_in_diff(*_cells(rng, 0.0, n=400), n_boot=1000)
    assert result.low is not None and result.high is not None
    assert result.low <= 0.0 <= result.high


def test_a_common_trend_is_removed() -> None:
    rng = np.random.default_rng(11)
    result = diff_in_diff(*_cells(rng, 0.0, trend=20.0, n=500), n_boot=500)
    assert result.effect is not None and abs(result.effect) < 3.0
    # The naive before/after on the treated group alone would claim the trend.
    assert result.treated_after is not None and result.treated_before is not None
    assert result.treated_after - result.treated_before > 15.0


def test_large_effect_interval_excludes_zero() -> None:
    rng = np.random.default_rng(3)
    result = diff_in_diff(*_cells(rng, 10.0, n=300), n_boot=1000)
    assert result.low is not None and result.low > 0


def test_seeded_results_are_reproducible() -> None:
    rng = np.random.default_rng(5)
    cells = _cells(rng, 2.0)
    assert diff_in_diff(*cells, seed=9) == diff_in_diff(*cells, seed=9)


@pytest.mark.parametrize("empty", [0, 1, 2, 3])
def test_empty_or_single_cells_are_undefined_not_nan(empty: int) -> None:
    cells: list[list[float]] = [[1.0, 2.0, 3.0] for _ in range(4)]
    for size in (0, 1):
        cells[empty] = [5.0] * size
        result = diff_in_diff(*cells, n_boot=100)
        assert result.effect is None and result.low is None and result.high is None
        for value in (result.treated_before, result.treated_after, result.control_before, result.control_after):
            assert value is None or not math.isnan(value)
        means = [result.treated_before, result.treated_after, result.control_before, result.control_after]
        assert (means[empty] is None) == (size == 0)


def test_nps_contributions_average_to_the_nps() -> None:
    scores = [10, 9, 9, 8, 7, 6, 0, 10, 3, 9]
    contributions = nps_contributions(scores)
    promoters, detractors = 5, 3
    assert float(contributions.mean()) == pytest.approx(100 * (promoters - detractors) / len(scores))
    assert set(contributions.tolist()) == {100.0, 0.0, -100.0}


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        diff_in_diff([1, 2], [1, float("nan")], [1, 2], [1, 2])
    with pytest.raises(ValueError):
        diff_in_diff([1, 2], [1, 2], [1, 2], [1, 2], confidence=1.5)
    with pytest.raises(ValueError):
        nps_contributions([11])
