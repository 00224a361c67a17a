import random
from collections import Counter

from centric.text import default_taxonomy, discover_themes

TOPICS = {
    "parking": [
        "parking lot was full",
        "no parking spaces left",
        "parking garage closed",
        "paid parking fee too high",
    ],
    "wifi": [
        "wifi kept dropping",
        "weak wifi signal in the room",
        "wifi password did not work",
        "slow wifi connection",
    ],
    "pool": [
        "the pool was closed",
        "pool water was cold",
        "kids loved the pool",
        "pool towels were missing",
    ],
}
FILLER = ["honestly", "again", "today", "this week", "on our visit", "sadly", "as usual"]


def _planted(seed: int = 1) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    texts, truth = [], []
    for _ in range(20):
        for topic, phrases in TOPICS.items():
            texts.append(f"{rng.choice(FILLER)} {rng.choice(phrases)} {rng.choice(FILLER)}")
            truth.append(topic)
    return texts, truth


def test_recovers_planted_clusters() -> None:
    texts, truth = _planted()
    themes = discover_themes(texts, n_themes=3)
    assert len(themes) == 3
    for theme in themes:
        counts = Counter(truth[i] for i in theme.members)
        topic, n = counts.most_common(1)[0]
        assert n / theme.size >= 0.9
        assert topic in theme.label
    assert sorted(i for t in themes for i in t.members) == list(range(len(texts)))


POOLS = {
    "parking": "lot spaces garage valet attendant ticket barrier meter".split(),
    "wifi": "signal password router connection bandwidth login network hotspot".split(),
    "pool": "towels lifeguard water loungers slide sauna swim deck".split(),
}


def test_chooses_the_number_of_themes() -> None:
    rng = random.Random(3)
    texts, truth = [], []
    for _ in range(25):
        for topic, pool in POOLS.items():
            texts.append(
                " ".join([rng.choice(FILLER), topic, *rng.sample(pool, 3), rng.choice(FILLER)])
            )
            truth.append(topic)
    themes = discover_themes(texts)
    assert len(themes) == 3
    for theme in themes:
        assert len({truth[i] for i in theme.members}) == 1


def test_chinese_themes_use_words() -> None:
    texts = (
        ["停车场太小，停车很难"] * 6
        + ["早餐种类太少，早餐不好吃"] * 6
        + ["房间隔音差，晚上很吵"] * 6
    )
    themes = discover_themes(texts, n_themes=3)
    labels = " ".join(t.label for t in themes)
    assert "停车" in labels and "早餐" in labels
    assert all(t.language == "zh" for t in themes)


def test_exclude_tagged_leaves_out_covered_texts() -> None:
    texts, _ = _planted()
    texts += ["the refund never arrived"] * 10
    themes = discover_themes(texts, n_themes=3, exclude_tagged=True, taxonomy=default_taxonomy())
    members = {i for t in themes for i in t.members}
    assert not members & set(range(60, 70))


def test_too_few_texts_give_no_themes() -> None:
    assert discover_themes(["one", "two"]) == []
    assert discover_themes([]) == []
