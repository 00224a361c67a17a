"""The delivery gap and the correlations across teams on data whose answers are known."""

from __future__ import annotations

import math

import numpy as np
import pytest

from centric.stats import correlation, delivery_gap, delivery_gap_from_counts, overestimation
from centric.stats.gap import Gap, contributions


def test_staff_predicting_60_against_customers_at_exactly_20_is_a_gap_of_40_inside_its_interval():
    customers = [10] * 40 + [8] * 40 + [3] * 20  # NPS (40 − 20) / 100 = 20
    gap = delivery_gap([60.0] * 12, customers, "nps")
    assert gap.predicted == 60 and gap.actual == pytest.approx(20) and gap.gap == pytest.approx(40)
    assert gap.low is not None and gap.high is not None and gap.low < 40 < gap.high
    # staff agree with each other: the whole spread comes from the customers' NPS, whose se is
    # sqrt((p + d − (p − d)²) / n) · 100 = sqrt(0.56 / 100) · 100 ≈ 7.5
    assert gap.high - gap.low == pytest.approx(2 * 1.96 * math.sqrt(0.56 / 100) * 100, rel=0.15)
    assert gap.overestimates and gap.clearly_overestimates and gap.n_staff == 12 and gap.n_customers == 100


def test_the_counts_form_gives_the_same_answer_and_the_seed_makes_it_repeatable():
    raw = delivery_gap([50, 70, 90, 40], [5, 5, 4, 2, 1, 5], "csat", seed=7)
    counted = delivery_gap_from_counts([50, 70, 90, 40], {5: 3, 4: 1, 2: 1, 1: 1}, "csat", seed=7)
    assert raw == counted
    assert raw.actual == pytest.approx(400 / 6) and raw.gap == pytest.approx(62.5 - 400 / 6)
    assert delivery_gap([50, 70, 90, 40], [5, 5, 4, 2, 1, 5], "csat", seed=7) == raw


def test_contributions_follow_each_scale():
    assert list(contributions("nps", [10, 9, 8, 7, 6, 0])) == [100, 100, 0, 0, -100, -100]
    assert list(contributions("csat", [5, 4, 3, 1])) == [100, 100, 0, 0]
    assert list(contributions("ces", [1, 7, 4])) == [1, 7, 4]
    with pytest.raises(ValueError, match="nps answers"):
        contributions("nps", [11])
    with pytest.raises(ValueError, match="csat predictions"):
        delivery_gap([101], [5], "csat")
    with pytest.raises(ValueError, match="metric"):
        delivery_gap([1], [1], "happiness")


def test_ces_gap_is_a_difference_of_means_with_a_bootstrap_close_to_the_t_interval():
    rng = np.random.default_rng(3)
    staff = rng.integers(4, 8, size=200).astype(float)
    customers = rng.integers(1, 8, size=400).astype(float)
    gap = delivery_gap(staff, customers, "ces")
    assert gap.gap == pytest.approx(staff.mean() - customers.mean())
    se = math.sqrt(staff.var(ddof=1) / 200 + customers.var(ddof=1) / 400)
    assert gap.low == pytest.approx(gap.gap - 1.96 * se, abs=0.1 * se + 0.02)
    assert gap.high == pytest.approx(gap.gap + 1.96 * se, abs=0.1 * se + 0.02)


def test_edge_cases_give_none_never_nan():
    no_customers = delivery_gap([60, 70], [], "nps")
    assert no_customers.gap is None and no_customers.predicted == 65 and no_customers.actual is None
    one_each = delivery_gap([60], [10], "nps")
    assert one_each.gap == -40 and one_each.low is None and one_each.high is None
    assert delivery_gap([], [10, 0], "nps").gap is None


def test_overestimation_counts_points_above_zero_and_intervals_above_zero():
    gaps = [Gap("nps", 60, 20, 40, 30, 50, 9, 9), Gap("nps", 30, 20, 10, -5, 25, 9, 9),
            Gap("nps", 0, 20, -20, -30, -10, 9, 9), Gap("nps", 10, 10, 0, -5, 5, 9, 9),
            Gap("nps", 10, None, None, None, None, 9, 0)]
    result = overestimation(gaps)
    assert (result.groups, result.over, result.clearly_over) == (4, 2, 1)
    assert result.share == 50 and result.clearly_share == 25
    assert overestimation([]).share is None


def test_a_perfectly_linear_relation_has_r_1_and_spearman_1():
    result = correlation([10, 20, 30, 40, 50], [-5, 5, 15, 25, 35])
    assert result is not None and result.n == 5
    assert result.pearson == pytest.approx(1) and result.spearman == pytest.approx(1)
    assert result.pearson_low == pytest.approx(1) and result.pearson_high == pytest.approx(1)


def test_no_relation_has_r_0_and_an_interval_covering_0_by_fisher_z():
    result = correlation([1, 2, 3, 4, 5, 6, 7, 8], [1, -1, -1, 1, 1, -1, -1, 1])
    assert result is not None and result.pearson == pytest.approx(0, abs=1e-12)
    half = math.tanh(1.959964 / math.sqrt(8 - 3))
    assert result.pearson_low == pytest.approx(-half, abs=1e-6) and result.pearson_high == pytest.approx(half, abs=1e-6)
    assert result.spearman_low is not None and result.spearman_high is not None
    assert result.spearman_low < 0 < result.spearman_high


def test_a_monotone_but_curved_relation_has_spearman_1_and_pearson_below_1():
    xs = [1, 2, 3, 4, 5, 6]
    result = correlation(xs, [x ** 4 for x in xs])
    assert result is not None and result.spearman == pytest.approx(1) and result.pearson is not None
    assert result.pearson < 0.99


def test_fewer_than_three_teams_give_no_correlation_and_three_give_no_interval():
    assert correlation([1, 2], [2, 4]) is None
    three = correlation([1, 2, 3], [2, 4, 7])
    assert three is not None and three.pearson is not None and three.pearson_low is None
    flat = correlation([1, 1, 1, 1], [1, 2, 3, 4])
    assert flat is not None and flat.pearson is None and flat.spearman is None
