import numpy as np
import pytest

from centric.text import emerging_themes, theme_impact


def test_impact_equals_nps_difference() -> None:
    scores = np.array([10, 9, 9, 8, 7, 2, 3, 10, 0, 1])
    mentions = np.array([0, 0, 0, 0, 0, 1, 1, 0, 1, 1], dtype=bool)
    result = theme_impact(scores, mentions, "billing")
    nps_all = 100 * ((scores >= 9).mean() - (scores <= 6).mean())
    rest = scores[~mentions]
    nps_rest = 100 * ((rest >= 9).mean() - (rest <= 6).mean())
    assert result.impact == pytest.approx(nps_all - nps_rest)
    assert result.low < result.impact < result.high
    assert result.n_theme == 4 and result.n == 10
    assert result.impact < 0


def test_interval_covers_truth_at_nominal_rate() -> None:
    rng = np.random.default_rng(0)
    hits = 0
    trials = 400
    mention_p, probs_t, probs_r = (
        0.2,
        [0.5, 0.2, 0.3],
        [0.2, 0.3, 0.5],
    )  # detractor, passive, promoter
    truth = 100 * mention_p * ((probs_t[2] - probs_t[0]) - (probs_r[2] - probs_r[0]))
    for _ in range(trials):
        m = rng.random(2000) < mention_p
        kind = np.where(m, rng.choice(3, 2000, p=probs_t), rng.choice(3, 2000, p=probs_r))
        scores = np.choose(kind, [3, 8, 10])
        r = theme_impact(scores, m)
        hits += r.low <= truth <= r.high
    assert 0.92 <= hits / trials <= 0.98


def test_no_mentions_means_no_impact() -> None:
    r = theme_impact([10, 0, 5], [False, False, False])
    assert r.impact == 0.0


def test_emerging_theme_detected_and_stable_one_not() -> None:
    out = emerging_themes({"delivery": 120, "price": 50}, 1000, {"delivery": 60, "price": 52}, 1000)
    by_name = {e.theme: e for e in out}
    assert by_name["delivery"].emerging
    assert by_name["delivery"].growth == pytest.approx(2.0)
    assert not by_name["price"].emerging
    assert out[0].theme == "delivery"


def test_new_theme_has_infinite_growth() -> None:
    (e,) = emerging_themes({"app": 30}, 500, {}, 500)
    assert e.growth == float("inf") and e.emerging
