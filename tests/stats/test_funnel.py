"""The ordered funnel with a window, paths with "other" buckets, and quantiles."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from centric.stats.funnel import (
    PathCount,
    funnel_counts,
    funnel_from_paths,
    progression,
    quantile_of_histogram,
    quantile_of_values,
    top_paths,
)

DAY = 86_400.0


def test_steps_follow_the_stage_order_and_skip_out_of_order_events():
    # stage 1 before stage 0 does not count; then 0 → 2 (not next) → 1 → 2
    run = progression([(1, 0.0), (0, 10.0), (2, 20.0), (1, 30.0), (2, 45.0)], 3, DAY)
    assert [(s.step, s.stage, s.at, s.since_previous_s) for s in run.steps] == [
        (1, 0, 10.0, None), (2, 1, 30.0, 20.0), (3, 2, 45.0, 15.0)]
    assert run.path == (1, 0, 2)  # first reach: stage 1 at 0 s, stage 0 at 10 s, stage 2 at 20 s
    assert run.depth == 3


def test_events_may_come_in_any_order():
    events = [(2, 45.0), (0, 10.0), (1, 30.0)]
    assert progression(events, 3, DAY) == progression(sorted(events, key=lambda e: e[1]), 3, DAY)


def test_the_window_cuts_off_late_steps_but_not_the_path():
    run = progression([(0, 0.0), (1, DAY), (2, 3 * DAY)], 3, 2 * DAY)
    assert run.depth == 2 and run.path == (0, 1, 2)
    # exactly at the window's end still counts
    assert progression([(0, 0.0), (1, 2 * DAY)], 2, 2 * DAY).depth == 2


def test_step_one_is_the_first_event_at_the_first_stage():
    run = progression([(0, 0.0), (0, 5 * DAY), (1, 6 * DAY)], 2, 2 * DAY)
    assert run.depth == 1  # the window runs from the first entry, not a later one


def test_simultaneous_events_progress_in_stage_order():
    assert progression([(1, 5.0), (0, 5.0)], 2, DAY).depth == 2


def test_a_customer_who_never_reached_the_first_stage_has_depth_zero():
    run = progression([(1, 0.0), (2, 1.0)], 3, DAY)
    assert run.depth == 0 and run.path == (1, 2)
    assert progression([(7, 0.0)], 3, DAY).path == ()


def test_top_paths_and_other_buckets_by_hand():
    groups = {("a>b>c", 3): 5, ("a>b", 2): 4, ("a", 1): 3, ("a>c>b", 2): 2, ("a>c>b", 1): 1, ("b", 0): 9}
    rows = top_paths(groups, 2)
    assert rows == [PathCount("a>b>c", 3, 5), PathCount("a>b", 2, 4),
                    PathCount(None, 1, 4), PathCount(None, 2, 2)]
    assert funnel_from_paths(rows, 3) == [15, 11, 5]
    assert funnel_counts([3] * 5 + [2] * 6 + [1] * 4 + [0] * 9, 3) == [15, 11, 5]


def test_quantiles_of_values_and_of_a_histogram():
    assert quantile_of_values([1, 2, 3, 4], 0.5) == 2.5
    assert quantile_of_values([], 0.5) is None
    # 10 values in [0, 10): the median interpolates to the middle of the range
    assert quantile_of_histogram([(0, 10, 10)], 0.5) == 5.0
    # 4 in [0, 60), 6 in [60, 120): rank 5 lies 1/6 into the second bucket
    assert quantile_of_histogram([(60, 120, 6), (0, 60, 4)], 0.5) == pytest.approx(70.0)
    assert quantile_of_histogram([(60, 120, 6), (0, 60, 4)], 0.9) == pytest.approx(110.0)
    assert quantile_of_histogram([], 0.5) is None
    with pytest.raises(ValueError):
        quantile_of_values([1.0], 1.5)


def test_a_fine_histogram_agrees_with_the_values():
    values = np.random.default_rng(3).exponential(3600.0, 5_000)
    edges = np.arange(0, values.max() + 60, 60.0)
    counts, _ = np.histogram(values, edges)
    buckets = [(float(lo), float(hi), int(n)) for lo, hi, n in zip(edges[:-1], edges[1:], counts, strict=True)]
    for q in (0.5, 0.9):
        assert quantile_of_histogram(buckets, q) == pytest.approx(quantile_of_values(values, q), abs=60.0)


event_logs = st.lists(  # customers, each a list of (stage, time in hours)
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 24 * 20)), min_size=1, max_size=12),
    min_size=1, max_size=60)


@settings(max_examples=300, deadline=None)
@given(logs=event_logs, n_stages=st.integers(1, 5), window_days=st.integers(0, 15), top=st.integers(0, 8))
def test_path_totals_equal_funnel_totals_on_random_event_logs(logs, n_stages, window_days, top):
    runs = [progression([(s, h * 3600.0) for s, h in log], n_stages, window_days * DAY) for log in logs]
    funnel = funnel_counts([r.depth for r in runs], n_stages)
    groups = Counter((">".join(map(str, r.path)), r.depth) for r in runs if r.path)
    rows = top_paths(groups, top)
    assert len([r for r in rows if not r.other]) <= top
    assert funnel_from_paths(rows, n_stages) == funnel
    for k in range(1, n_stages + 1):
        assert funnel[k - 1] == sum(r.customers for r in rows if r.steps >= k)
    # the funnel never widens, and every step's reach lies within the window from step 1
    assert all(a >= b for a, b in zip(funnel, funnel[1:], strict=False))
    for r in runs:
        assert all(s.at - r.steps[0].at <= window_days * DAY for s in r.steps)
        assert [s.stage for s in r.steps] == list(range(r.depth))
