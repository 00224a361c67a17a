"""The knowledge base's JSON API: who may call what, optimistic concurrency, idempotent creation,
versions, categories, import and export, hostile input, and constant queries per list page."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from centric.kb.models import KbArticle
from tests.api.conftest import auth
from tests.api.test_statement_counts import MAX_STATEMENTS, counted
from tests.kb.helpers import hotel

BREAKFAST = {"slug": "breakfast-en", "group": "breakfast", "title": "When is breakfast?", "body": "From *6:30*.",
             "variants": ["breakfast time", "brekkie"], "category": "booking"}


def _seed(db) -> dict[str, int]:
    with db.transaction() as s:
        return {k: v.id for k, v in hotel(s).items()}


def test_anonymous_callers_get_401_and_viewers_cannot_write(client, tokens, db) -> None:
    ids = _seed(db)
    assert client.get("/api/v1/kb/articles").status_code == 401
    assert client.post("/api/v1/kb/articles", json=BREAKFAST).status_code == 401
    viewer = auth(tokens["viewer"])
    assert client.get("/api/v1/kb/articles", headers=viewer).json()["total"] == 5
    assert client.get(f"/api/v1/kb/articles/{ids['parking']}", headers=viewer).status_code == 200
    assert client.get("/api/v1/kb/export", headers=viewer).status_code == 200
    for method, path, body in (
            ("post", "/api/v1/kb/articles", BREAKFAST),
            ("patch", f"/api/v1/kb/articles/{ids['parking']}", {"version": 1, "body": "x"}),
            ("post", f"/api/v1/kb/articles/{ids['parking']}/publish", None),
            ("post", f"/api/v1/kb/articles/{ids['parking']}/restore", {"restore": 1}),
            ("post", "/api/v1/kb/categories", {"key": "spa", "names": {"en": "Spa"}}),
            ("delete", "/api/v1/kb/categories/booking", None),
            ("post", "/api/v1/kb/import", {"articles": []})):
        answer = client.request(method, path, headers=viewer, json=body)
        assert answer.status_code == 403, (method, path)
        assert "kb:write" in answer.json()["detail"]
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(KbArticle)) == 5


def test_create_is_idempotent_and_a_stale_update_gets_409(client, tokens, db) -> None:
    _seed(db)
    agent = {**auth(tokens["agent"]), "Idempotency-Key": "kb-create-1"}
    made = client.post("/api/v1/kb/articles", headers=agent, json=BREAKFAST)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["version"] == 1 and body["status"] == "draft" and body["url"] == "/help/a/breakfast-en"
    again = client.post("/api/v1/kb/articles", headers=agent, json=BREAKFAST)
    assert again.status_code == 201 and again.json()["id"] == body["id"] and again.headers["idempotent-replayed"]
    taken = client.post("/api/v1/kb/articles", headers=auth(tokens["agent"]), json=BREAKFAST)
    assert taken.status_code == 409 and taken.json()["field"] == "slug"
    path = f"/api/v1/kb/articles/{body['id']}"
    edited = client.patch(path, headers=auth(tokens["agent"]), json={"version": 1, "body": "From 7:00."})
    assert edited.status_code == 200 and edited.json()["version"] == 2
    stale = client.patch(path, headers=auth(tokens["analyst"]), json={"version": 1, "body": "From 8:00."})
    assert stale.status_code == 409 and stale.json()["field"] == "version"
    assert "you edited version 1, it is now version 2" in stale.json()["detail"]
    assert client.get(path, headers=auth(tokens["viewer"])).json()["body"] == "From 7:00."
    same = client.patch(path, headers=auth(tokens["agent"]), json={"version": 2, "body": "From 7:00."})
    assert same.json()["version"] == 2  # nothing changed, nothing stored
    cleared = client.patch(path, headers=auth(tokens["agent"]), json={"version": 2, "category": ""})
    assert cleared.json()["category"] is None and cleared.json()["version"] == 3


def test_publish_unpublish_archive_versions_diff_and_restore(client, tokens, db) -> None:
    ids = _seed(db)
    h = auth(tokens["manager"])
    base = f"/api/v1/kb/articles/{ids['parking']}"
    published = client.post(f"{base}/publish", headers=h, json={"version": 1})
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert published.json()["published_at"].endswith("Z")
    assert client.post(f"{base}/publish", headers=h).status_code == 409
    assert client.post(f"{base}/unpublish", headers=h, json={"version": 1}).status_code == 409  # stale
    assert client.post(f"{base}/unpublish", headers=h).json()["status"] == "draft"
    assert client.post(f"{base}/archive", headers=h).json()["version"] == 4
    page = client.get(f"{base}/versions?limit=2&offset=1", headers=auth(tokens["viewer"])).json()
    assert page["total"] == 4 and [v["version"] for v in page["items"]] == [3, 2]
    assert page["items"][0]["saved_by_name"] == "Manager"
    diff = client.get(f"{base}/diff?old=1&new=2", headers=h).json()
    assert diff["changed"] == ["status"]
    assert client.get(f"{base}/diff?old=1&new=9", headers=h).status_code == 404
    client.patch(base, headers=h, json={"version": 4, "title": "Parking?", "variants": ["car park"]})
    restored = client.post(f"{base}/restore", headers=h, json={"restore": 1, "version": 5})
    assert restored.status_code == 200
    assert restored.json()["title"] == "Is there parking?" and restored.json()["variants"] == []
    assert restored.json()["version"] == 6 and restored.json()["status"] == "archived"


def test_categories_crud(client, tokens, db) -> None:
    _seed(db)
    h = auth(tokens["agent"])
    made = client.post("/api/v1/kb/categories", headers=h, json={"key": "spa", "names": {"en": "Spa", "zh": "水疗"},
                                                                  "position": 5})
    assert made.status_code == 201 and made.json()["articles"] == 0
    assert client.post("/api/v1/kb/categories", headers=h, json={"key": "spa", "names": {"en": "x"}}).status_code == 409
    assert client.post("/api/v1/kb/categories", headers=h, json={"key": "x", "names": {"fr": "x"}}).status_code == 422
    assert client.post("/api/v1/kb/categories", headers=h, json={"key": "Bad Key", "names": {"en": "x"}}
                       ).status_code == 422
    renamed = client.patch("/api/v1/kb/categories/spa", headers=h, json={"names": {"en": "Spa & pool"}})
    assert renamed.json()["names"] == {"en": "Spa & pool"} and renamed.json()["position"] == 5
    listed = client.get("/api/v1/kb/categories", headers=auth(tokens["viewer"])).json()
    assert [c["key"] for c in listed["items"]] == ["booking", "stay", "spa"] and listed["items"][1]["articles"] == 3
    assert client.delete("/api/v1/kb/categories/stay", headers=h).status_code == 204
    assert client.delete("/api/v1/kb/categories/stay", headers=h).status_code == 404
    wifi = client.get("/api/v1/kb/articles?q=wi-fi", headers=h).json()["items"][0]
    assert wifi["category"] is None


def test_list_filters_and_a_constant_number_of_queries(client, tokens, db) -> None:
    _seed(db)
    h = auth(tokens["viewer"])
    zh = client.get("/api/v1/kb/articles?language=zh", headers=h).json()
    assert zh["total"] == 1 and zh["items"][0]["translations"][0]["slug"] == "breakfast-hours-en"
    assert client.get("/api/v1/kb/articles?status=published&category=booking", headers=h).json()["total"] == 2
    assert client.get("/api/v1/kb/articles?q=internet", headers=h).json()["total"] == 1
    assert client.get("/api/v1/kb/articles?language=fr", headers=h).status_code == 422
    with db.transaction() as s:
        for n in range(30):
            from tests.kb.helpers import entry
            entry(s, f"Question number {n}", category="stay", variants=[f"variant {n}", f"other {n}"])
    client.get("/api/v1/kb/articles?limit=2", headers=h)  # warm up (first token use)
    with counted(db.engine) as few:
        assert len(client.get("/api/v1/kb/articles?limit=2", headers=h).json()["items"]) == 2
    with counted(db.engine) as many:
        assert len(client.get("/api/v1/kb/articles?limit=30", headers=h).json()["items"]) == 30
    assert len(many) == len(few) <= MAX_STATEMENTS + 4


def test_import_json_body_or_file_and_export(client, tokens, db) -> None:
    _seed(db)
    h = auth(tokens["agent"])
    exported = client.get("/api/v1/kb/export?language=zh", headers=h).json()
    assert [a["slug"] for a in exported["articles"]] == ["breakfast-hours-zh"]
    assert {c["key"] for c in exported["categories"]} == {"booking", "stay"}
    document = {"categories": [{"key": "spa", "names": {"en": "Spa"}, "position": 3}],
                "articles": [{**BREAKFAST, "category": "spa"}, {"slug": "bad", "title": "x", "language": "fr"}]}
    text = json.dumps(document, indent=2)
    dry = client.post("/api/v1/kb/import?dry_run=true", headers={**h, "Content-Type": "application/json"},
                      content=text)
    assert dry.status_code == 200 and dry.json()["dry_run"] and dry.json()["created"] == 1
    error = dry.json()["errors"][0]
    starts = [n + 1 for n, line in enumerate(text.splitlines()) if line == "    {"]
    assert error == {"file": "body", "line": starts[-1], "field": "language", "message": "'fr' is not one of en, zh"}
    assert client.get("/api/v1/kb/articles?category=spa", headers=h).json()["total"] == 0
    done = client.post("/api/v1/kb/import?publish=true", headers=h, json=document).json()
    assert done["created"] == 1 and done["slugs"] == ["breakfast-en"]
    again = client.post("/api/v1/kb/import", headers=h, json=document).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1)  # no status given: kept published
    csv_file = b"slug,title,body\nbreakfast-en,When is breakfast?,From 7.\n"
    uploaded = client.post("/api/v1/kb/import", headers=h, files={"file": ("kb.csv", csv_file, "text/csv")})
    assert uploaded.status_code == 200 and uploaded.json()["updated"] == 1
    assert client.post("/api/v1/kb/import", headers={**h, "Content-Type": "application/json"},
                       content=b"{not json").status_code == 422
    assert client.post("/api/v1/kb/import", headers=h, files={"other": ("x.csv", b"a", "text/csv")}).status_code == 422


def test_hostile_input_is_refused_cleanly(client, tokens, db) -> None:
    _seed(db)
    h = auth(tokens["agent"])
    for body in ({"title": "x" * 301}, {"title": "ok", "slug": "../etc"}, {"title": "ok", "language": "fr"},
                 {"title": "ok", "body": "x" * 50_001}, {"title": "ok", "variants": ["v"] * 201},
                 {"title": "ok", "category": "nope"}, {"title": ""}):
        assert client.post("/api/v1/kb/articles", headers=h, json=body).status_code == 422, body
    assert client.get("/api/v1/kb/articles/999999", headers=h).status_code == 404
    assert client.get(f"/api/v1/kb/articles/{2**64}", headers=h).status_code == 422
    assert client.patch("/api/v1/kb/articles/999999", headers=h, json={"version": 1}).status_code == 404
    evil = client.post("/api/v1/kb/articles", headers=h, json={"title": "<script>alert(1)</script>", "slug": "evil",
                                                               "status": "published"})
    assert evil.status_code == 201
    assert "<script>" not in client.get("/help/a/evil").text
