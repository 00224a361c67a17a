"""Resolution figures: Wilson intervals against published values, denominators, validation, bot vs human."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from centric.stats.means import compare_means
from centric.stats.proportions import compare_proportions
from centric.stats.resolution import (
    OutcomeCounts,
    RatingSums,
    compare_handling,
    helpfulness,
    resolution_rates,
)


def counts(**kw: int) -> OutcomeCounts:
    """Counts that are consistent by construction: checkable = outcomes with a known customer, window over."""
    base = dict(confirmed=0, assumed=0, handed_off=0, abandoned=0)
    base.update({k: v for k, v in kw.items() if k in base})
    with_outcome = sum(base.values())
    rest = {k: v for k, v in kw.items() if k not in base}
    unknown, window = rest.pop("unknown_customer", 0), rest.pop("window_open", 0)
    opened = rest.pop("open", 0)
    return OutcomeCounts(conversations=with_outcome + opened, open=opened, unknown_customer=unknown,
                         window_open=window, checkable=with_outcome - unknown - window, **base, **rest)


@pytest.mark.parametrize(("n", "k", "low", "high"), [
    # Newcombe (1998), "Two-sided confidence intervals for the single proportion: comparison of seven
    # methods", Statistics in Medicine 17:857–872, worked examples, method 3 (Wilson score, no correction).
    (263, 81, 0.2553, 0.3662),
    (148, 15, 0.0624, 0.1605),
    (20, 0, 0.0, 0.1611),
    (29, 1, 0.0061, 0.1718),
])
def test_wilson_interval_matches_published_values(n: int, k: int, low: float, high: float) -> None:
    c = counts(confirmed=k, handed_off=n - k, checkable_confirmed=k)
    r = resolution_rates(c)
    for share in (r.confirmed, r.deflection, r.confirmed_without_recontact):
        assert share.n == n and share.value == pytest.approx(100 * k / n)
        assert round(share.low / 100, 4) == low and round(share.high / 100, 4) == high  # type: ignore[operator]


def test_each_share_has_its_own_denominator() -> None:
    c = counts(confirmed=10, assumed=20, handed_off=6, abandoned=4, open=5, unknown_customer=8, window_open=2,
               checkable_confirmed=8, checkable_assumed=12, recontacted_confirmed=2, recontacted_assumed=6,
               handoff_requested=3, handoff_abstained=2, handoff_unhelpful=1, answered=45, abstained=15)
    r = resolution_rates(c)
    assert c.conversations == 45 and c.with_outcome == 40 and c.checkable == 30
    assert (r.confirmed.n, r.assumed.value) == (40, pytest.approx(50.0))
    assert r.answer_rate.value == pytest.approx(75.0) and r.abstention_rate.value == pytest.approx(25.0)
    assert r.handoff_requested.value == pytest.approx(7.5) and r.unknown_customer.value == pytest.approx(20.0)
    assert (r.recontact_after_confirmed.n, r.recontact_after_confirmed.value) == (8, pytest.approx(25.0))
    assert (r.recontact_after_assumed.n, r.recontact_after_assumed.value) == (12, pytest.approx(50.0))
    assert r.confirmed_without_recontact.value == pytest.approx(100 * 6 / 30)
    assert r.assumed_without_recontact.value == pytest.approx(100 * 6 / 30)
    assert r.deflection.value == pytest.approx(100 * 12 / 30)
    # counted on silence, the bot would claim 30 of 40 (75%); the honest figure is 40%
    assert r.confirmed.value + r.assumed.value == pytest.approx(75.0)  # type: ignore[operator]


def test_nothing_to_measure_is_undefined_not_zero() -> None:
    r = resolution_rates(OutcomeCounts())
    assert r.deflection.value is None and r.deflection.low is None and r.answer_rate.n == 0


@pytest.mark.parametrize("bad", [
    dict(conversations=3, confirmed=1),  # outcomes + open must add up
    dict(conversations=1, handed_off=1, handoff_requested=1, handoff_abstained=1, checkable=1),
    dict(conversations=1, confirmed=1, checkable=0),  # the re-contact split must cover every outcome
    dict(conversations=1, confirmed=1, checkable=1, checkable_assumed=1),
    dict(conversations=1, confirmed=1, checkable=1, checkable_confirmed=1, recontacted_confirmed=2),
    dict(conversations=-1, open=-1),
])
def test_inconsistent_counts_are_refused(bad: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        OutcomeCounts(**bad)


def test_counts_add_up() -> None:
    a = counts(confirmed=2, checkable_confirmed=2, recontacted_confirmed=1, answered=3)
    b = counts(assumed=1, unknown_customer=1, abstained=2)
    total = a + b
    assert (total.conversations, total.confirmed, total.assumed, total.bot_replies) == (3, 2, 1, 5)


def test_bot_against_human_satisfaction() -> None:
    bot = RatingSums(csat_n=40, csat_satisfied=26, ces_n=38, ces_total=190.0, ces_total_sq=1020.0)
    human = RatingSums(csat_n=25, csat_satisfied=21, ces_n=25, ces_total=140.0, ces_total_sq=820.0)
    h = compare_handling(bot, human)
    assert h.csat_bot.value == pytest.approx(65.0) and h.csat_human.value == pytest.approx(84.0)
    assert h.csat_difference == compare_proportions((40, 26), (25, 21))
    assert h.csat_difference.difference == pytest.approx(-19.0)
    assert h.ces_bot.value == pytest.approx(5.0) and h.ces_human.value == pytest.approx(5.6)
    assert h.ces_difference == compare_means((38, 190.0, 1020.0), (25, 140.0, 820.0))
    empty = compare_handling(RatingSums(), human)
    assert empty.csat_bot.value is None and empty.csat_difference.p_value is None


def test_helpfulness() -> None:
    assert helpfulness(3, 1).value == pytest.approx(75.0)
    assert helpfulness(0, 0).value is None
    with pytest.raises(ValueError):
        helpfulness(-1, 2)
    # one unlucky "no" is less surely bad than twenty "no" out of thirty
    assert helpfulness(0, 1).high > helpfulness(10, 20).high  # type: ignore[operator]


@st.composite
def consistent(draw: st.DrawFn) -> OutcomeCounts:
    confirmed, assumed, handed_off, abandoned = (draw(st.integers(0, 50)) for _ in range(4))
    known_confirmed, known_assumed = draw(st.integers(0, confirmed)), draw(st.integers(0, assumed))
    others = draw(st.integers(0, handed_off + abandoned))
    return OutcomeCounts(conversations=confirmed + assumed + handed_off + abandoned, confirmed=confirmed,
                         assumed=assumed, handed_off=handed_off, abandoned=abandoned,
                         unknown_customer=confirmed + assumed + handed_off + abandoned
                         - known_confirmed - known_assumed - others,
                         checkable=known_confirmed + known_assumed + others, checkable_confirmed=known_confirmed,
                         checkable_assumed=known_assumed,
                         recontacted_confirmed=draw(st.integers(0, known_confirmed)),
                         recontacted_assumed=draw(st.integers(0, known_assumed)))


@given(consistent())
def test_deflection_is_the_sum_of_the_honest_figures(c: OutcomeCounts) -> None:
    r = resolution_rates(c)
    if c.checkable == 0:
        assert r.deflection.value is None
        return
    assert r.deflection.value == pytest.approx(
        r.confirmed_without_recontact.value + r.assumed_without_recontact.value)  # type: ignore[operator]
    assert 0.0 <= r.deflection.low <= r.deflection.value <= r.deflection.high <= 100.0  # type: ignore[operator]
