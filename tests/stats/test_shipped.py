"""Paired before/after changes, paired NPS and the difference of changes, against hand-computed values."""

from __future__ import annotations

import pytest

from centric.stats.shipped import difference_of_changes, paired_change, paired_nps_change


def test_paired_change_is_the_mean_difference_with_a_t_interval():
    # d = [2, 1, 1, 4]: mean 2, s² = (0 + 1 + 1 + 4) / 3 = 2, se = √2 / 2; t(0.975, 3) = 3.182446
    result = paired_change([6, 7, 8, 5], [8, 8, 9, 9])
    assert (result.n, result.mean_before, result.mean_after, result.change) == (4, 6.5, 8.5, 2.0)
    assert result.sd == pytest.approx(2 ** 0.5)
    assert result.low == pytest.approx(2 - 2.2503294, abs=1e-6)
    assert result.high == pytest.approx(2 + 2.2503294, abs=1e-6)


def test_paired_change_without_enough_pairs_has_no_interval():
    assert paired_change([], []).change is None
    one = paired_change([3], [5])
    assert (one.change, one.low, one.high) == (2.0, None, None)
    with pytest.raises(ValueError):
        paired_change([1, 2], [3])


def test_paired_nps_counts_promoters_minus_detractors_among_the_same_customers():
    # before: promoter, detractor, passive, promoter → NPS 25; after: P, P, D, P → NPS 50
    result = paired_nps_change([9, 6, 7, 10], [10, 9, 6, 10], seed=1)
    assert (result.n, result.nps_before, result.nps_after, result.change) == (4, 25.0, 50.0, 25.0)
    assert result.low is not None and result.high is not None
    assert -100 <= result.low <= 25.0 <= result.high <= 200  # d = [0, 200, −100, 0] resampled
    assert paired_nps_change([9, 6, 7, 10], [10, 9, 6, 10], seed=1) == result  # seeded: reproducible
    same = paired_nps_change([5, 9], [9, 10])  # d = [200, 0]: a detractor became a promoter
    assert same.change == 100.0
    flat = paired_nps_change([9, 9, 9], [10, 10, 10])
    assert (flat.change, flat.low, flat.high) == (0.0, 0.0, 0.0)
    with pytest.raises(ValueError):
        paired_nps_change([11], [9])


def test_difference_of_changes_uses_welchs_interval():
    # a: mean 2, s² 2, n 4; b = [0, 1, −1, 0, 0]: mean 0, s² 0.5, n 5; se² = 0.5 + 0.1 = 0.6
    # Welch df = 0.36 / (0.25/3 + 0.01/4) = 4.19417; half width t(0.975, df) · √0.6 = 2.11192
    result = difference_of_changes([2, 1, 1, 4], [0, 1, -1, 0, 0])
    assert result.effect == 2.0 and result.df == pytest.approx(4.194175, abs=1e-5)
    assert result.low == pytest.approx(2 - 2.1119217, abs=1e-6)
    assert result.high == pytest.approx(2 + 2.1119217, abs=1e-6)
    assert difference_of_changes([1], [0, 1]).low is None
    assert difference_of_changes([], [0, 1]).effect is None
