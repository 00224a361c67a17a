"""The BM25 index over short English and Chinese texts (pure: no database)."""

from __future__ import annotations

from centric.text.retrieval import SemanticSpace, TextIndex, stem, tokens

IDEAS = [
    (1, "Let guests check out late on Sundays"),
    (2, "Add oat milk to the breakfast buffet"),
    (3, "Free parking for loyalty members"),
    (4, "Faster wifi in the rooms"),
    (5, "早餐增加素食选择"),
    (6, "房间里的无线网络太慢了"),
    (7, "积分可以兑换免费停车"),
]


def test_english_paraphrase_is_ranked_first() -> None:
    index = TextIndex(IDEAS)
    found = index.search("late checkout on sunday please", 3)
    assert found[0][0] == 1
    assert index.search("the wi-fi in my room is so slow", 3)[0][0] == 4


def test_chinese_query_finds_the_chinese_idea() -> None:
    index = TextIndex(IDEAS)
    assert index.search("希望早餐有更多素食", 3)[0][0] == 5
    assert index.search("无线网络很慢", 3)[0][0] == 6


def test_empty_and_garbage_queries_return_nothing() -> None:
    index = TextIndex(IDEAS)
    for query in ("", "   ", "!!!", "the and of", "\x00\ud800", "zzzzqqq xxyyx"):
        assert index.search(query, 5) == []
    assert TextIndex([]).search("late checkout", 5) == []
    assert index.search("late checkout", 0) == []


def test_stemming_conflates_word_forms() -> None:
    assert stem("charges") == stem("charged") == stem("charging") == stem("charge")
    assert stem("cities") == "city"
    assert stem("running") == "run"
    assert stem("quickly") == "quick"
    assert "card_arriv" in tokens("When will my card arrive?")
    index = TextIndex([(1, "I was charged twice"), (2, "Room upgrade for members")])
    assert index.search("double charges on my bill", 2)[0][0] == 1


def test_title_outweighs_body_and_mask_and_exclude_filter() -> None:
    index = TextIndex([(1, "Pool opening hours"), (2, "Spa prices")],
                      bodies={2: "the pool should open earlier in the morning"})
    assert [i for i, _ in index.search("pool open earlier", 2)] == [1, 2]
    assert [i for i, _ in index.search("pool", 2, mask=index.mask([2]))] == [2]
    assert [i for i, _ in index.search("pool", 2, exclude=[1])] == [2]


def test_min_score_drops_weak_matches() -> None:
    index = TextIndex(IDEAS)
    weak = index.search("members of the breakfast team singing", 5)
    assert weak
    strongest = weak[0][1]
    assert index.search("members of the breakfast team singing", 5, min_score=strongest + 0.01) == []


def test_semantic_space_bridges_paraphrases_without_a_shared_word() -> None:
    unlabelled = [
        "the wifi is slow", "wifi keeps dropping", "internet is slow in the room", "internet keeps dropping",
        "slow wifi signal", "no internet signal", "breakfast eggs were cold", "cold coffee at breakfast",
        "eggs and coffee", "parking is expensive", "parking garage full", "expensive garage",
    ] * 3
    space = SemanticSpace.fit(unlabelled, dims=4)
    assert space.vocab and space.dims == 4
    vectors = space.embed(["internet", "wifi", "coffee", "zzzz"])
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])
    assert not vectors[3].any()
    index = TextIndex([(1, "Faster wifi"), (2, "Hot coffee"), (3, "Cheaper garage")], semantic=space)
    assert index.search("internet signal", 1)[0][0] == 1
    plain = TextIndex([(1, "Faster wifi"), (2, "Hot coffee"), (3, "Cheaper garage")]).search("internet signal", 1)
    assert not plain or plain[0][1] < index.search("internet signal", 1)[0][1]
    assert index.search("zzzz qqqq", 3) == []


def test_semantic_space_of_too_little_text_is_empty() -> None:
    space = SemanticSpace.fit(["one", ""])
    assert not space.vocab
    assert not space.embed(["one"]).any()
    index = TextIndex(IDEAS, semantic=space)
    assert index.search("late checkout on sunday please", 3)[0][0] == 1
