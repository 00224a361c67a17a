"""Entries and their history: slugs, versions on every save, optimistic concurrency, publishing, restore."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from centric.errors import Conflict, Invalid, NotFound
from centric.kb import articles, versions
from centric.kb.articles import ArticleFilter, article_path, kb_revision, published_article
from centric.kb.models import KbArticleVersion, KbVariant
from centric.kb.validation import article_data, check_article, slugify
from tests.factories import make_user
from tests.kb.helpers import category, entry, hotel


def test_slugs_are_made_from_titles_and_kept_unique(db) -> None:
    with db.transaction() as s:
        first = entry(s, "Wi-Fi & parking?")
        second = entry(s, "Wi-Fi & parking!")
        chinese = entry(s, "早餐几点？", group="breakfast-hours", language="zh")
        lonely = entry(s, "早餐几点？", language="zh")
        assert (first.slug, second.slug) == ("wi-fi-parking", "wi-fi-parking-2")
        assert chinese.slug == "breakfast-hours-zh" and chinese.group_key == "breakfast-hours"
        assert lonely.slug.startswith("zh-") and lonely.group_key == lonely.slug
        with pytest.raises(Conflict) as taken:
            entry(s, "Another", slug="wi-fi-parking")
        assert taken.value.field == "slug"
    assert slugify("Ça coûte combien ?") == "ca-coute-combien" and slugify("预订") == ""


def test_fields_are_checked_with_one_message_each() -> None:
    data, problems = check_article({"title": " ", "language": "fr", "slug": "Not Valid", "kind": "page",
                                    "status": "live", "variants": ["x" * 501]})
    assert data is None
    messages = {p.field: p.message for p in problems}
    assert messages["language"] == "'fr' is not one of en, zh"
    assert messages["kind"] == "'page' is not one of faq, article"
    assert messages["status"] == "'live' is not one of draft, published, archived"
    assert "not valid" in messages["slug"] and "missing" in messages["title"] and "500" in messages["variants"]
    assert article_data({"title": "Breakfast", "variants": "a | b\nc\n\nA"}).variants == ("a", "b", "c")
    with pytest.raises(Invalid):
        article_data({"title": "Big", "body": "x" * 50_001})


def test_every_save_is_a_version_and_a_save_without_change_stores_nothing(db) -> None:
    with db.transaction() as s:
        category(s)
        user = make_user(s, "agent")
        article = entry(s, "When is breakfast?", user.id, variants=["breakfast time"])
        assert article.version == 1
        articles.update_article(s, article.id, {"body": "From 6:30.", "variants": ["breakfast time", "brekkie"]},
                                1, user.id)
        assert article.version == 2
        articles.update_article(s, article.id, {"body": "From 6:30.", "title": "When is breakfast?"}, 2, user.id)
        assert article.version == 2  # nothing changed
        articles.set_status(s, article.id, "published", user.id, 2)
        assert article.version == 3 and article.published_at is not None
        history, total = versions.list_versions(s, article.id)
        assert total == 3 and [v.version for v in history] == [3, 2, 1]
        assert history[0].status == "published" and history[0].saved_by_name == "Agent"
        assert history[1].variants == ["breakfast time", "brekkie"] and history[2].body == ""
        assert s.scalar(select(func.count()).select_from(KbVariant).where(KbVariant.article_id == article.id)) == 2


def test_a_stale_version_is_refused_and_changes_nothing(db) -> None:
    with db.transaction() as s:
        article = entry(s, "Parking")
        articles.update_article(s, article.id, {"body": "Garage"}, 1, None)
        with pytest.raises(Conflict) as stale:
            articles.update_article(s, article.id, {"body": "Street"}, 1, None)
        assert "version 1" in stale.value.message and "version 2" in stale.value.message
        with pytest.raises(Conflict):
            articles.set_status(s, article.id, "published", None, 1)
        assert article.body == "Garage" and article.version == 2
        with pytest.raises(Conflict):
            articles.set_status(s, article.id, "draft", None)  # a draft already


def test_diff_and_restore_as_a_new_version(db) -> None:
    with db.transaction() as s:
        category(s)
        article = entry(s, "Breakfast", body="Line one\nLine two", variants=["a"])
        articles.update_article(s, article.id, {"body": "Line one\nLine 2\nLine three", "category": "booking"}, 1, None)
        diff = versions.diff_versions(s, article.id, 1, 2)
        assert diff.changed == ["category", "body"]
        body = [(line.op, line.text) for line in diff.lines if line.field == "body"]
        assert body == [(" ", "Line one"), ("-", "Line two"), ("+", "Line 2"), ("+", "Line three")]
        assert ("+", "booking") in [(line.op, line.text) for line in diff.lines if line.field == "category"]
        with pytest.raises(Conflict):
            versions.restore_version(s, article.id, 1, 1, None)
        versions.restore_version(s, article.id, 1, 2, None)
        assert (article.version, article.body, article.category_id) == (3, "Line one\nLine two", None)
        with pytest.raises(NotFound):
            versions.diff_versions(s, article.id, 1, 9)
        assert s.scalar(select(func.count()).select_from(KbArticleVersion)) == 3


def test_published_entries_only_are_shown_with_their_translations(db) -> None:
    with db.transaction() as s:
        rows = hotel(s)
        shown = published_article(s, "breakfast-hours-en")
        assert shown.url == article_path("breakfast-hours-en") == "/help/a/breakfast-hours-en"
        assert [t.slug for t in shown.translations] == ["breakfast-hours-zh"]
        assert published_article(s, rows["breakfast_zh"].id).language == "zh"
        assert published_article(s, str(rows["wifi"].id)).slug == "how-do-i-connect-to-the-wi-fi"
        for hidden in ("is-there-parking", "old-shuttle-timetable", rows["parking"].id, "nope", 2**40):
            with pytest.raises(NotFound):
                published_article(s, hidden)


def test_list_filters_and_the_revision_moves_with_every_save(db) -> None:
    with db.transaction() as s:
        rows = hotel(s)
        def slugs(**where: str) -> list[str]:
            return sorted(a.slug for a in articles.list_articles(s, ArticleFilter(**where))[0])
        assert slugs(language="zh") == ["breakfast-hours-zh"]
        assert slugs(status="draft") == ["is-there-parking"]
        assert slugs(category="booking") == ["breakfast-hours-en", "breakfast-hours-zh"]
        assert slugs(q="internet") == ["how-do-i-connect-to-the-wi-fi"]  # a variant
        assert slugs(q="100%") == []
        page, total = articles.list_articles(s, ArticleFilter(), limit=2, offset=1)
        assert total == 5 and len(page) == 2
        before = kb_revision(s)
        articles.update_article(s, rows["parking"].id, {"body": "No."}, None, None)
        assert kb_revision(s) != before
