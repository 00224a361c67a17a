"""Staff pages: any login reads, kb:write changes; the editor's no-JS preview, stale saves, history and
restore, categories and the import page with its per-row errors. Forms need their CSRF token."""

from __future__ import annotations

import re

from sqlalchemy import select

from centric.kb.models import KbArticle, KbCategory
from tests.api.test_pages import login
from tests.kb.helpers import EVIL, hotel

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _seed(db) -> dict[str, int]:
    with db.transaction() as s:
        return {k: v.id for k, v in hotel(s).items()}


def test_anonymous_visitors_are_sent_to_login(client, tokens) -> None:
    for path in ("/kb", "/kb/articles/new", "/kb/categories", "/kb/import", "/kb/articles/1/history"):
        answer = client.get(path, headers={"Accept": "text/html"}, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login"), path
    assert client.post("/kb/articles/new", data={"title": "x"}).status_code == 401


def test_a_viewer_reads_but_cannot_change(client, tokens, db) -> None:
    ids = _seed(db)
    login(client, "viewer@example.com")
    listing = client.get("/kb")
    assert listing.status_code == 200 and "When is breakfast served?" in listing.text
    assert 'id="new-entry"' not in listing.text
    assert 'href="/kb"' in listing.text and "Knowledge base</a>" in listing.text  # the navigation entry
    page = client.get(f"/kb/articles/{ids['breakfast']}")
    assert page.status_code == 200 and 'id="entry-form"' not in page.text and "<strong>from 6:30" in page.text
    csrf = _csrf(page.text)
    assert client.post(f"/kb/articles/{ids['breakfast']}", data={"csrf": csrf, "title": "Hacked", "version": "1"}
                       ).status_code == 403
    assert client.post(f"/kb/articles/{ids['breakfast']}/status", data={"csrf": csrf, "to": "draft"}).status_code == 403
    assert client.get("/kb/articles/new").status_code == 403 and client.get("/kb/import").status_code == 403
    assert client.post("/kb/categories", data={"csrf": csrf, "key": "x", "name_en": "X"}).status_code == 403
    assert client.get(f"/kb/articles/{ids['breakfast']}/history").status_code == 200


def test_filters_and_escaping_in_the_list(client, tokens, db) -> None:
    _seed(db)
    with db.transaction() as s:
        from tests.kb.helpers import entry
        entry(s, f"Evil {EVIL}", body=EVIL)
    login(client, "agent@example.com")
    page = client.get("/kb?language=zh")
    assert "早餐几点供应？" in page.text and "When is breakfast served?" not in page.text
    drafts = client.get("/kb?status=draft&q=evil")
    assert EVIL not in drafts.text and ESCAPED in drafts.text and "Is there parking?" not in drafts.text
    assert client.get("/kb?status=bogus").status_code == 200
    exported = client.get("/kb/export?format=csv&language=zh")
    assert exported.status_code == 200 and exported.text.startswith("slug,group,kind")
    assert "breakfast-hours-zh" in exported.text
    assert "breakfast-hours-en" not in exported.text


def test_create_with_preview_then_publish_and_the_csrf_check(client, tokens, db) -> None:
    login(client, "agent@example.com")
    form = client.get("/kb/articles/new")
    csrf = _csrf(form.text)
    fields = {"csrf": csrf, "kind": "faq", "language": "en", "category": "", "title": "Late check-out?",
              "body": f"Until **1 pm**. {EVIL}", "variants": "late checkout\ncan I leave later"}
    assert client.post("/kb/articles/new", data={**fields, "csrf": "wrong"}).status_code == 403
    preview = client.post("/kb/articles/new", data={**fields, "action": "preview"})
    assert preview.status_code == 200 and "<strong>1 pm</strong>" in preview.text and EVIL not in preview.text
    with db.reader() as s:
        assert s.scalar(select(KbArticle.id)) is None  # a preview stores nothing
    live = client.post("/kb/preview", data={"csrf": csrf, "body": "*hi*"})
    assert live.text.strip() == "<p><em>hi</em></p>"
    made = client.post("/kb/articles/new", data={**fields, "action": "publish"}, follow_redirects=False)
    assert made.status_code == 303
    page = client.get(made.headers["location"])
    assert 'id="public-link"' in page.text and "version 1" in page.text
    assert client.get("/help/a/late-check-out").status_code == 200
    bad = client.post("/kb/articles/new", data={**fields, "title": "Other", "slug": "Bad Slug", "action": "save"})
    assert bad.status_code == 422 and "not valid" in bad.text and 'value="Other"' in bad.text


def test_a_stale_save_is_refused_with_the_editors_text_kept(client, tokens, db) -> None:
    ids = _seed(db)
    login(client, "agent@example.com")
    page = client.get(f"/kb/articles/{ids['parking']}")
    csrf = _csrf(page.text)
    base = {"csrf": csrf, "kind": "faq", "language": "en", "category": "stay", "title": "Is there parking?",
            "variants": "", "slug": "is-there-parking", "group": "is-there-parking", "version": "1"}
    first = client.post(f"/kb/articles/{ids['parking']}", data={**base, "body": "Garage B.", "action": "save"},
                        follow_redirects=False)
    assert first.status_code == 303
    second = client.post(f"/kb/articles/{ids['parking']}", data={**base, "body": "Street only.", "action": "save"})
    assert second.status_code == 409 and "version 1" in second.text and "Street only." in second.text
    with db.reader() as s:
        stored = s.get(KbArticle, ids["parking"])
        assert stored is not None and stored.body == "Garage B." and stored.version == 2


def test_history_shows_the_diff_and_restores(client, tokens, db) -> None:
    ids = _seed(db)
    login(client, "manager@example.com")
    csrf = _csrf(client.get(f"/kb/articles/{ids['wifi']}").text)
    with db.transaction() as s:
        from centric.kb.articles import update_article
        update_article(s, ids["wifi"], {"body": "Ask at the desk."}, 1, None)
    client.post(f"/kb/articles/{ids['wifi']}/status", data={"csrf": csrf, "to": "draft", "version": "2"})
    history = client.get(f"/kb/articles/{ids['wifi']}/history")
    assert history.status_code == 200 and 'data-version="3"' in history.text and "Manager" in history.text
    assert "<del>published</del>" in history.text and "<ins>draft</ins>" in history.text
    body = client.get(f"/kb/articles/{ids['wifi']}/history?a=1&b=2")
    assert "<ins>Ask at the desk.</ins>" in body.text and "Hotel-Guest" in body.text
    assert client.get(f"/kb/articles/{ids['wifi']}/history?a=1&b=99").status_code == 404
    restored = client.post(f"/kb/articles/{ids['wifi']}/restore", data={"csrf": csrf, "restore": "1", "version": "3"},
                           follow_redirects=False)
    assert restored.status_code == 303
    with db.reader() as s:
        row = s.get(KbArticle, ids["wifi"])
        assert row is not None and row.version == 4 and "Hotel-Guest" in row.body and row.status == "draft"
    stale = client.post(f"/kb/articles/{ids['wifi']}/restore", data={"csrf": csrf, "restore": "2", "version": "3"})
    assert stale.status_code == 409 and "version 3" in stale.text


def test_categories_page_creates_renames_and_removes(client, tokens, db) -> None:
    _seed(db)
    login(client, "agent@example.com")
    csrf = _csrf(client.get("/kb/categories").text)
    assert client.post("/kb/categories", data={"csrf": csrf, "key": "spa", "name_en": "Spa", "name_zh": "水疗",
                                               "position": "3"}, follow_redirects=False).status_code == 303
    assert client.post("/kb/categories", data={"csrf": csrf, "key": "spa", "name_en": "Spa"}).status_code == 409
    assert client.post("/kb/categories", data={"csrf": csrf, "key": "Bad Key", "name_en": "x"}).status_code == 422
    client.post("/kb/categories/spa", data={"csrf": csrf, "name_en": "Spa & pool", "name_zh": "", "position": "4"})
    client.post("/kb/categories/booking/delete", data={"csrf": csrf})
    with db.reader() as s:
        assert s.scalar(select(KbCategory.names).where(KbCategory.key == "spa")) == {"en": "Spa & pool"}
        assert s.scalar(select(KbCategory.id).where(KbCategory.key == "booking")) is None
        assert s.scalar(select(KbArticle.category_id).where(KbArticle.slug == "breakfast-hours-en")) is None


def test_the_import_page_shows_each_bad_row(client, tokens, db) -> None:
    login(client, "agent@example.com")
    csrf = _csrf(client.get("/kb/import").text)
    data = ("slug,title,language,body\nok-one,First,en,Hello\nbad,Second,fr,x\nok-two,Third,zh,你好\n").encode()
    dry = client.post("/kb/import", data={"csrf": csrf, "dry_run": "1"}, files={"file": ("faq.csv", data, "text/csv")})
    assert dry.status_code == 200 and "Dry run" in dry.text and "2 created" in dry.text
    assert re.search(r"<td>faq.csv</td><td class=\"num\">3</td><td>language</td><td>&#39;fr&#39; is not one of en, zh",
                     dry.text)
    with db.reader() as s:
        assert s.scalar(select(KbArticle.id)) is None
    done = client.post("/kb/import", data={"csrf": csrf, "publish": "1"}, files={"file": ("faq.csv", data, "text/csv")})
    assert "2 created" in done.text
    assert client.get("/help/a/ok-two").status_code == 200
    none = client.post("/kb/import", data={"csrf": csrf})
    assert none.status_code == 422
