"""Noise-aware verdicts on targets and ranks that never separate insignificant differences."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from centric.stats import (
    Estimate,
    csat_estimate,
    mean_estimate,
    nps_estimate,
    significance_ranks,
    target_verdict,
)

finite = st.floats(min_value=-1000, max_value=1000, allow_nan=False, allow_infinity=False)


@given(low=finite, width=st.floats(min_value=0, max_value=500), share=st.floats(min_value=0, max_value=1),
       n=st.integers(min_value=30, max_value=10_000), direction=st.sampled_from(["at_least", "at_most"]))
def test_a_threshold_inside_the_interval_is_never_missed_nor_met(low, width, share, n, direction):
    high = low + width
    threshold = low + share * width
    verdict = target_verdict(Estimate(low + width / 2, low, high, n, 1.0), threshold, direction, min_n=30)
    assert verdict.verdict == "not_distinguishable"
    assert "contains the target" in verdict.reason


@given(low=finite, width=st.floats(min_value=0, max_value=500), gap=st.floats(min_value=1e-3, max_value=100))
def test_an_interval_wholly_on_one_side_decides(low, width, gap):
    estimate = Estimate(low + width / 2, low, low + width, 500, 1.0)
    assert target_verdict(estimate, low - gap, "at_least").verdict == "met"
    assert target_verdict(estimate, low - gap, "at_most").verdict == "missed"
    assert target_verdict(estimate, low + width + gap, "at_least").verdict == "missed"
    assert target_verdict(estimate, low + width + gap, "at_most").verdict == "met"


def test_too_few_answers_or_no_data_is_not_distinguishable_with_the_reason():
    far_above = Estimate(90.0, 85.0, 95.0, 12, 2.0)
    verdict = target_verdict(far_above, 10.0, "at_least", min_n=30)
    assert verdict.verdict == "not_distinguishable"
    assert verdict.reason == "n 12 below the minimum 30"
    assert target_verdict(far_above, 10.0, "at_least", min_n=10).verdict == "met"
    empty = target_verdict(Estimate(None, None, None, 0), 10.0)
    assert (empty.verdict, empty.reason) == ("not_distinguishable", "no data in the period")
    no_interval = target_verdict(Estimate(5.0, None, None, 1), 1.0, min_n=1)
    assert no_interval.verdict == "not_distinguishable"


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="direction"):
        target_verdict(Estimate(1.0, 0.0, 2.0, 40, 0.5), 1.0, "more")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="threshold"):
        target_verdict(Estimate(1.0, 0.0, 2.0, 40, 0.5), float("nan"))
    with pytest.raises(ValueError, match="alpha"):
        significance_ranks([], alpha=1.5)


def _false_rates(draws: list[Estimate], target: float, direction: str) -> tuple[float, float]:
    verdicts = [target_verdict(e, target, direction, min_n=30).verdict for e in draws]  # type: ignore[arg-type]
    return verdicts.count("missed") / len(verdicts), verdicts.count("met") / len(verdicts)


def test_simulation_a_team_on_target_is_rarely_called_missed():
    """2,000 periods each of NPS (n = 200), CSAT (n = 100) and CES (n = 60) whose true value equals the target."""
    rng = np.random.default_rng(20261101)
    nps_true, promoters, detractors = 30.0, 0.5, 0.2
    counts = rng.multinomial(200, [promoters, 1 - promoters - detractors, detractors], size=2000)
    nps = [nps_estimate(200, int(p), int(d)) for p, _, d in counts]
    csat_true = 80.0
    csat = [csat_estimate(100, int(s)) for s in rng.binomial(100, 0.8, size=2000)]
    values, weights = np.arange(1, 8), np.array([0.02, 0.03, 0.10, 0.15, 0.30, 0.25, 0.15])
    weights = weights / weights.sum()
    ces_mean = float((values * weights).sum())
    ces = []
    for sample in rng.choice(values, p=weights, size=(2000, 60)):
        ces.append(mean_estimate(60, float(sample.sum()), float((sample**2).sum())))
    for draws, target in ((nps, nps_true), (csat, csat_true), (ces, ces_mean)):
        for direction in ("at_least", "at_most"):
            missed, met = _false_rates(draws, target, direction)
            assert missed <= 0.05, (target, direction, missed)
            assert met <= 0.05, (target, direction, met)


def test_simulation_a_clear_gap_is_detected():
    """Power check: the rule is not merely timid — NPS 45 vs a target of 30 at n = 200 is met most periods."""
    rng = np.random.default_rng(7)
    counts = rng.multinomial(200, [0.6, 0.25, 0.15], size=500)
    draws = [nps_estimate(200, int(p), int(d)) for p, _, d in counts]
    verdicts = [target_verdict(e, 30.0, "at_least").verdict for e in draws]
    assert verdicts.count("met") / len(verdicts) > 0.8
    assert verdicts.count("missed") == 0


def test_ranks_tie_when_differences_are_not_significant():
    close = [nps_estimate(100, 50, 20), nps_estimate(100, 52, 20), nps_estimate(100, 48, 21)]
    assert significance_ranks(close) == [1, 1, 1]


def test_ranks_separate_significant_differences():
    estimates = [nps_estimate(2000, 600, 400), nps_estimate(2000, 1400, 200), nps_estimate(2000, 1410, 200),
                 Estimate(None, None, None, 0)]
    assert significance_ranks(estimates) == [3, 1, 1, None]
    assert significance_ranks(estimates, higher_is_better=False) == [1, 2, 2, None]


def test_holm_correction_keeps_borderline_pairs_tied():
    """A pair with an unadjusted p just under 0.05 stays tied once all pairs are counted."""
    a, b = Estimate(0.0, None, None, 100, 1.0), Estimate(2.9, None, None, 100, 1.0)  # z = 2.05, p = 0.040
    assert significance_ranks([a, b]) == [2, 1]  # one pair: nothing to correct
    others = [Estimate(1.45, None, None, 100, 1.0) for _ in range(3)]
    assert significance_ranks([a, b, *others]) == [1, 1, 1, 1, 1]


def test_zero_standard_errors_claim_no_difference():
    assert significance_ranks([Estimate(100.0, 100.0, 100.0, 5, 0.0), Estimate(0.0, 0.0, 0.0, 5, 0.0)]) == [1, 1]
