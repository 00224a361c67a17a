"""The demo hotel FAQ: a valid KB import file (EN + ZH pairs, variants, categories) that loads and answers."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from sqlalchemy import func, select

from centric.demo.kb import build_kb, load_chat_questions, load_faq
from centric.kb.answering import ask
from centric.kb.models import KINDS, KbArticle, KbArticleVersion, KbCategory, KbVariant

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_faq_file_is_valid():
    data = load_faq()
    categories = {c["key"]: c for c in data["categories"]}
    assert 6 <= len(categories) <= 8 and len(categories) == len(data["categories"])
    for category in data["categories"]:
        assert category["names"]["en"] and CJK.search(category["names"]["zh"])
    articles = data["articles"]
    assert 56 <= len(articles) <= 64
    assert len({a["slug"] for a in articles}) == len(articles)
    groups: dict[str, list[str]] = defaultdict(list)
    for a in articles:
        groups[a["group"]].append(a["language"])
        assert a["category"] in categories, a["slug"]
        assert a["kind"] in KINDS and a["status"] == "published"
        assert a["title"] and len(a["body"]) > 80, a["slug"]
        assert len(a["variants"]) >= 4 and len(set(a["variants"])) == len(a["variants"]), a["slug"]
        assert a["title"] not in a["variants"]
        assert all(len(v) <= 500 for v in a["variants"])
        for text in (a["title"], *a["variants"]):  # (an English answer may quote a Chinese term: 普通发票)
            assert bool(CJK.search(text)) == (a["language"] == "zh"), (a["slug"], text)
        assert a["slug"] == f"{a['group']}-{a['language']}"
    assert all(sorted(languages) == ["en", "zh"] for languages in groups.values()), groups
    assert len(groups) == len(articles) // 2
    per_category = Counter(a["category"] for a in articles)
    assert set(per_category) == set(categories)  # every category is used


def test_the_faq_loads_once_and_answers(db):
    data = load_faq()
    with db.transaction() as s:
        ids = build_kb(s)
    with db.transaction() as s:
        assert build_kb(s) == ids  # a second run adds nothing
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(KbArticle)) == len(data["articles"])
        assert s.scalar(select(func.count()).select_from(KbCategory)) == len(data["categories"])
        variants = sum(len(a["variants"]) for a in data["articles"])
        assert s.scalar(select(func.count()).select_from(KbVariant)) == variants
        assert s.scalar(select(func.count()).select_from(KbArticleVersion)) == len(data["articles"])
        breakfast = s.get(KbArticle, ids["breakfast-hours-zh"])
        assert breakfast is not None and breakfast.status == "published" and breakfast.group_key == "breakfast-hours"
        assert breakfast.published_at is not None and breakfast.version == 1
        # the nearest entry, answered or not (abstention is the engine's calibrated decision, tested there)
        for question, language, slug in (("what time do you serve breakfast", "en", "breakfast-hours-en"),
                                         ("停车一晚要多少钱", "zh", "parking-zh")):
            answer = ask(s, question, language)
            nearest = answer.best or answer.alternatives[0]
            assert nearest.slug == slug, answer


def test_the_demo_chat_questions_are_not_in_the_faq():
    questions = load_chat_questions()
    faq = {text.casefold() for a in load_faq()["articles"] for text in (a["title"], *a["variants"])}
    assert len(questions["unanswerable"]) >= 5
    for need, by_language in questions["unanswerable"].items():
        assert sorted(by_language) == ["en", "zh"], need
        for language, texts in by_language.items():
            assert len(texts) >= 4 and all(bool(CJK.search(t)) == (language == "zh") for t in texts), need
            assert not faq & {t.casefold() for t in texts}, need
    assert questions["one_off"]["en"] and questions["one_off"]["zh"]
