"""Threshold choice, fusion fitting and reliability of the answering engine's calibration (pure)."""

from __future__ import annotations

import numpy as np

from centric.text import answer_calibration as calibration
from centric.text.answers import DEFAULT_FUSION, FEATURES, Fusion, Scored


def test_threshold_separates_right_answers_from_out_of_scope_questions() -> None:
    confidence = np.array([0.9, 0.8, 0.7, 0.3, 0.2, 0.1])
    correct = np.array([True, True, True, False, False, False])
    in_scope = np.array([True, True, True, False, False, False])
    chosen = calibration.choose_threshold(confidence, correct, in_scope, prior=0)
    assert 0.3 < chosen <= 0.7
    answered = confidence >= chosen
    assert answered[:3].all() and not answered[3:].any()


def test_threshold_is_shrunk_to_the_default_when_few_questions_were_held_out() -> None:
    confidence, correct, in_scope = np.array([0.95, 0.9]), np.array([True, False]), np.array([True, False])
    free = calibration.choose_threshold(confidence, correct, in_scope, default=0.5, prior=0)
    shrunk = calibration.choose_threshold(confidence, correct, in_scope, default=0.5, prior=20)
    assert abs(shrunk - 0.5) < abs(free - 0.5)
    assert calibration.choose_threshold(confidence, correct, np.array([True, True]), default=0.4) == 0.4


def test_confident_wrong_answers_do_not_push_the_threshold_above_right_ones() -> None:
    # no threshold avoids the two confident wrong answers without losing the right ones: both count as misses
    confidence = np.array([0.95, 0.9, 0.6, 0.5, 0.2])
    correct = np.array([False, False, True, True, False])
    in_scope = np.array([True, True, True, True, False])
    chosen = calibration.choose_threshold(confidence, correct, in_scope, prior=0)
    assert 0.2 < chosen <= 0.5


def test_expected_calibration_error() -> None:
    assert calibration.expected_calibration_error(np.array([]), np.array([])) == 0.0
    honest = calibration.expected_calibration_error(np.array([0.75] * 4), np.array([True, True, True, False]))
    assert abs(honest) < 1e-9
    overconfident = calibration.expected_calibration_error(np.array([0.99] * 4), np.array([True, False, False, False]))
    assert abs(overconfident - 0.74) < 1e-9


def test_fusion_learns_that_a_feature_predicts_the_right_entry() -> None:
    rng = np.random.default_rng(1)
    scored, labels = [], []
    for n in range(300):
        features = rng.normal(size=(4, len(FEATURES))) * 0.1
        in_scope = n % 3 != 0
        if in_scope:
            features[n % 4, 2] += 1.0  # the right entry has the higher cosine
        scored.append(Scored(np.arange(4), features))
        labels.append(n % 4 if in_scope else None)
    held = calibration.Held(scored, labels)
    flat = Fusion(tuple(0.0 for _ in FEATURES), 0.0, 0.5)
    weights, null = calibration.fit_fusion(held, flat, strength=0.01)
    assert weights[FEATURES.index("cosine")] > 3 * max(abs(w) for i, w in enumerate(weights) if FEATURES[i] != "cosine")
    fusion = calibration.fit(held, "test", Fusion(weights, null, 0.5))
    confidence, correct, in_scope = calibration.decisions(held, fusion)
    answered = confidence >= fusion.threshold
    assert (correct & answered)[in_scope].mean() > 0.9 and (~answered)[~in_scope].mean() > 0.9


def test_strong_prior_keeps_the_defaults() -> None:
    held = calibration.Held([Scored(np.arange(2), np.ones((2, len(FEATURES))))], [0])
    weights, null = calibration.fit_fusion(held, DEFAULT_FUSION, strength=1e6)
    assert np.allclose(weights, DEFAULT_FUSION.weights, atol=1e-3) and abs(null - DEFAULT_FUSION.null) < 1e-3


def test_off_topic_questions_ship_in_both_languages() -> None:
    english, chinese = calibration.off_topic_questions("en"), calibration.off_topic_questions("zh")
    assert len(english) >= 150 and len(chinese) >= 150
    assert len(calibration.off_topic_questions(None)) == len(english) + len(chinese)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in q) for q in chinese)


def test_folds_never_hold_out_a_title_and_cover_every_variant() -> None:
    from centric.text.answers import Entry

    entries = [Entry(n, f"title {n}", tuple(f"variant {n}.{j}" for j in range(n % 4))) for n in range(12)]
    folds = calibration._folds(entries, 5, seed=3)
    held = [q for _, out in folds for q, _ in out]
    assert sorted(held) == sorted(v for e in entries for v in e.variants)
    for sub_entries, out in folds:
        assert [e.title for e in sub_entries] == [e.title for e in entries]
        kept = {v for e in sub_entries for v in e.variants}
        assert not kept & {q for q, _ in out}
    capped = calibration._folds(entries, 1, seed=3, target=2)
    assert len(capped[0][1]) == 2
