"""The public help centre: published entries only, English and Chinese, search without JavaScript, safe pages."""

from __future__ import annotations

from centric.kb import articles
from tests.kb.helpers import EVIL, entry, hotel

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _seed(db) -> dict[str, int]:
    with db.transaction() as s:
        rows = hotel(s)
        evil = entry(s, f"Pets {EVIL}", slug="pets", category="stay", status="published",
                     body=f"Dogs welcome. {EVIL} [x](javascript:alert(1))", variants=["can I bring my dog"])
        return {**{k: v.id for k, v in rows.items()}, "evil": evil.id}


def test_home_lists_topics_and_recent_published_entries_only(client, db) -> None:
    _seed(db)
    page = client.get("/help", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert page.status_code == 200 and '<html lang="en">' in page.text
    assert "Booking" in page.text and "During your stay" in page.text
    assert "When is breakfast served?" in page.text and "Is there parking?" not in page.text
    assert "Old shuttle timetable" not in page.text and "早餐几点供应" not in page.text
    assert EVIL not in page.text and ESCAPED in page.text
    assert '<form class="search" method="get" action="/help/search"' in page.text
    # the only script is the optional chat widget: search and reading work without JavaScript
    assert page.text.count("<script") == page.text.count('<script src="/static/chat/widget.js"') == 1
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert 'href="/help/chat"' in page.text


def test_chinese_by_query_cookie_or_accept_language(client, db) -> None:
    _seed(db)
    by_header = client.get("/help", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert '<html lang="zh-Hans">' in by_header.text and "预订" in by_header.text and "早餐几点供应？" in by_header.text
    assert "When is breakfast served?" not in by_header.text
    chosen = client.get("/help?lang=zh")
    assert "centric_help_lang=zh" in chosen.headers["set-cookie"] and 'href="/help/c/booking?lang=zh"' in chosen.text
    remembered = client.get("/help/c/booking")  # the cookie, no header
    assert "预订" in remembered.text and "早餐几点供应？" in remembered.text
    english = client.get("/help?lang=en")
    assert "Booking" in english.text and "When is breakfast served?" in english.text


def test_search_works_without_javascript_in_each_language(client, db) -> None:
    _seed(db)
    found = client.get("/help/search", params={"q": "what time is breakfast", "lang": "en"})
    assert found.status_code == 200 and 'href="/help/a/breakfast-hours-en?lang=en"' in found.text
    assert 'id="results"' in found.text and "Is there parking" not in found.text
    chinese = client.get("/help/search", params={"q": "早饭几点", "lang": "zh"})
    assert 'href="/help/a/breakfast-hours-zh?lang=zh"' in chinese.text
    draft = client.get("/help/search", params={"q": "parking garage", "lang": "en"})
    assert 'id="no-results"' in draft.text and "is-there-parking" not in draft.text
    hostile = client.get("/help/search", params={"q": f"{EVIL} " + "x" * 5000, "lang": "en"})
    assert hostile.status_code == 200 and EVIL not in hostile.text and ESCAPED in hostile.text
    assert client.get("/help/search?lang=en").status_code == 200


def test_search_sees_an_edit_at_once(client, db) -> None:
    ids = _seed(db)
    assert 'id="no-results"' in client.get("/help/search", params={"q": "garage", "lang": "en"}).text
    with db.transaction() as s:
        articles.set_status(s, ids["parking"], "published", None)
    assert "/help/a/is-there-parking" in client.get("/help/search", params={"q": "garage", "lang": "en"}).text


def test_an_entry_page_renders_safe_markdown_and_links_its_translation(client, db) -> None:
    _seed(db)
    page = client.get("/help/a/breakfast-hours-en?lang=en")
    assert page.status_code == 200 and "<strong>from 6:30 to 10:30</strong>" in page.text
    assert 'href="/help/a/breakfast-hours-zh?lang=zh"' in page.text and 'id="translations"' in page.text
    assert 'href="/help/c/booking?lang=en"' in page.text
    evil = client.get("/help/a/pets")
    assert evil.status_code == 200 and EVIL not in evil.text and ESCAPED in evil.text
    assert "javascript:" not in evil.text.replace("[x](javascript:alert(1))", "")
    assert 'href="javascript' not in evil.text


def test_drafts_archived_and_unknown_addresses_are_not_found(client, db) -> None:
    ids = _seed(db)
    for path in ("/help/a/is-there-parking", "/help/a/old-shuttle-timetable", f"/help/a/{ids['breakfast']}",
                 "/help/a/nope", "/help/a/UPPER", "/help/a/" + "a" * 500, "/help/c/nope", "/help/c/Bad%20Key"):
        answer = client.get(path + "?lang=zh")
        assert answer.status_code == 404, path
        assert "找不到页面" in answer.text
