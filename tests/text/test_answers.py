"""The FAQ answering engine (pure: no database), with the shared multilingual sentence embeddings."""

from __future__ import annotations

import numpy as np
import pytest

from centric.text import answer_calibration, answer_model
from centric.text.answers import FEATURES, AnswerEngine, Entry, Memo, plain_text
from centric.text.embeddings import embed
from tests.text.answers_data import HOTEL_EN, HOTEL_ZH

EMBEDDER = Memo(embed)


@pytest.fixture(scope="module")
def english() -> AnswerEngine:
    return answer_calibration.self_calibrate(AnswerEngine.build(HOTEL_EN, EMBEDDER))


@pytest.fixture(scope="module")
def chinese() -> AnswerEngine:
    return answer_calibration.self_calibrate(AnswerEngine.build(HOTEL_ZH, EMBEDDER))


@pytest.mark.parametrize(("question", "entry"), [
    ("what hours is the breakfast buffet open", 1),
    ("I'd like to leave a bit later than noon, possible?", 2),
    ("where do I leave the car", 3),
    ("my laptop can't get online", 4),
    ("can my puppy stay in the room with me", 5),
    ("is there a bus from the airport", 6),
    ("how can I call off my reservation", 7),
])
def test_english_paraphrases_are_answered(english: AnswerEngine, question: str, entry: int) -> None:
    answer = english.answer(question)
    assert not answer.abstained, answer
    assert answer.best is not None and answer.best.entry_id == entry
    assert 0.0 <= answer.confidence <= 1.0
    assert answer.confidence >= answer.threshold


@pytest.mark.parametrize(("question", "entry"), [
    ("早饭几点开始", 11),
    ("明天最晚什么时候离开房间", 12),
    ("车可以停在酒店吗", 13),
    ("房间里网络连不上", 14),
    ("我想带我的狗一起住", 15),
])
def test_chinese_paraphrases_are_answered(chinese: AnswerEngine, question: str, entry: int) -> None:
    answer = chinese.answer(question)
    assert not answer.abstained, answer
    assert answer.best is not None and answer.best.entry_id == entry


@pytest.mark.parametrize("question", [
    "who won the football world cup in 1998",
    "what is the square root of 2",
    "recommend me a good novel to read",
    "asdf qwerty",
])
def test_off_topic_english_questions_are_abstained_on(english: AnswerEngine, question: str) -> None:
    answer = english.answer(question)
    assert answer.abstained, answer
    assert answer.best is None
    assert answer.confidence < answer.threshold


@pytest.mark.parametrize("question", ["世界上最高的山是哪座", "怎么学好数学", "给我讲个笑话吧", "今天股市怎么样"])
def test_off_topic_chinese_questions_are_abstained_on(chinese: AnswerEngine, question: str) -> None:
    answer = chinese.answer(question)
    assert answer.abstained, answer
    assert answer.best is None


def test_a_chinese_question_finds_the_english_entry_across_languages(english: AnswerEngine) -> None:
    answer = english.answer("早餐几点开始供应？")
    ranked = [answer.best, *answer.alternatives] if answer.best else list(answer.alternatives)
    assert ranked and ranked[0] is not None and ranked[0].entry_id == 1


def test_k_bounds_the_alternatives(english: AnswerEngine) -> None:
    answered = english.answer("what time is breakfast", k=2)
    assert answered.best is not None and len(answered.alternatives) <= 2
    assert answered.best.entry_id not in {m.entry_id for m in answered.alternatives}
    assert english.answer("what time is breakfast", k=0).alternatives == ()
    abstained = english.answer("who painted the sistine chapel", k=3)
    assert abstained.abstained and len(abstained.alternatives) <= 3
    confidences = [m.confidence for m in answered.alternatives]
    assert confidences == sorted(confidences, reverse=True)
    assert all(m.confidence <= answered.confidence for m in answered.alternatives)


def test_empty_and_hostile_questions_abstain(english: AnswerEngine) -> None:
    for question in ("", "   ", "!!!", "<script>alert(1)</script>", "x" * 50_000, "\x00\ud800"):
        answer = english.answer(question)
        assert answer.abstained or answer.confidence >= answer.threshold
    assert english.answer("").abstained


def test_an_empty_knowledge_base_always_abstains() -> None:
    engine = AnswerEngine.build([], EMBEDDER)
    answer = engine.answer("what time is breakfast")
    assert answer.abstained and answer.best is None and answer.alternatives == ()
    assert answer_calibration.self_calibrate(engine) is engine


def test_entries_with_only_a_title_still_answer() -> None:
    entries = [Entry(e.id, e.title, (), e.body) for e in HOTEL_EN]
    engine = answer_calibration.self_calibrate(AnswerEngine.build(entries, EMBEDDER))
    answer = engine.answer("what time can I have breakfast")
    assert answer.best is not None and answer.best.entry_id == 1
    assert engine.answer("who won the football world cup in 1998").abstained


def test_the_body_is_a_weaker_field_that_still_counts() -> None:
    entries = [Entry(1, "Opening hours", (), "The spa and the sauna open at 7:00 and close at 22:00."),
               Entry(2, "Payment", (), "We accept cards and cash.")]
    engine = AnswerEngine.build(entries, EMBEDDER)
    scored = engine.score(["when does the sauna close"])[0]
    body_bm25 = scored.features[:, FEATURES.index("body_bm25")]
    assert body_bm25[list(scored.entries).index(0)] > 0


def test_markdown_becomes_plain_text() -> None:
    text = plain_text("# Breakfast\n\n**From 6:30** in the [restaurant](https://x.test/r). <b>Hot</b> dishes.\n"
                      "```\ncode\n```\n- item")
    assert text == "Breakfast From 6:30 in the restaurant. Hot dishes. item"


def test_memo_embeds_each_text_once() -> None:
    calls: list[list[str]] = []

    def fake(texts: list[str]) -> np.ndarray:
        calls.append(list(texts))
        return np.ones((len(texts), 512), dtype=np.float32)

    memo = Memo(fake)
    memo(["a", "b", "a"])
    memo(["b", "c"])
    assert calls == [["a", "b"], ["c"]]
    assert memo([]).shape == (0, 512)


def test_anchored_model_with_one_text_per_entry_ranks_like_cosine() -> None:
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(6, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    model = answer_model.fit(vectors, np.arange(6), 6)
    queries = rng.normal(size=(20, 16)).astype(np.float32)
    assert (model.logits(queries).argmax(axis=1) == (queries @ vectors.T).argmax(axis=1)).all()


def test_shortlisted_fit_agrees_with_the_dense_fit_when_the_shortlist_is_everything() -> None:
    rng = np.random.default_rng(5)
    centres = rng.normal(size=(5, 8))
    owner = np.repeat(np.arange(5), 6)
    vectors = (centres[owner] + 0.5 * rng.normal(size=(30, 8))).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    dense = answer_model.fit(vectors, owner, 5, max_iter=200)
    short = answer_model.fit(vectors, owner, 5, max_iter=200, dense_cost=0, neighbours=5)
    assert np.allclose(dense.weights, short.weights, atol=1e-2)
    assert (dense.logits(vectors).argmax(axis=1) == owner).mean() > 0.9


def test_shortlisted_gradient_matches_finite_differences() -> None:
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(12, 4)).astype(np.float32)
    owner = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 3, 4, 4])
    anchor = rng.normal(size=(5, 4)).astype(np.float32)
    nearest = answer_model._nearest(anchor / np.linalg.norm(anchor, axis=1, keepdims=True), 3)
    objective = answer_model._ShortlistObjective(vectors, owner, anchor, 0.1, nearest)
    theta = rng.normal(size=5 * 4 + 5) * 0.1
    _, grad = objective(theta)
    step = 1e-3
    numeric = np.array([(objective(theta + step * e)[0] - objective(theta - step * e)[0]) / (2 * step)
                        for e in np.eye(len(theta))])
    assert np.allclose(grad, numeric, atol=2e-2)
