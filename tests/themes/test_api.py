"""The text-analytics API: roles, taxonomy CRUD and documents, proposals, insight, verbatims."""

from __future__ import annotations

from datetime import timedelta

import yaml
from sqlalchemy import select

from centric.db import utcnow
from centric.feedback.models import Feedback
from centric.themes.enrichment import enrich_items
from tests.api.conftest import auth
from tests.themes.conftest import add_items, run_jobs

NOISE = {"name": "noise", "label": "Noise", "keywords": {"en": ["karaoke", "loud"], "zh": ["吵"]},
         "examples": {"en": ["the music next door kept us awake"]}}


def _themes(client, h) -> list[dict]:  # type: ignore[no-untyped-def]
    """The whole taxonomy: one page of the largest size holds it."""
    return client.get("/api/v1/themes?limit=1000", headers=h).json()["items"]


def test_viewers_read_and_only_analysts_and_up_edit_the_taxonomy(client, tokens):
    listed = client.get("/api/v1/themes?limit=1000", headers=auth(tokens["viewer"]))
    assert listed.status_code == 200 and "delivery/late" in {t["path"] for t in listed.json()["items"]}
    for role in ("viewer", "agent"):
        answer = client.post("/api/v1/themes", json=NOISE, headers=auth(tokens[role]))
        assert answer.status_code == 403 and "themes:write" in answer.json()["detail"]
    assert client.post("/api/v1/themes/import", content="{}", headers=auth(tokens["agent"])).status_code == 403
    assert client.post("/api/v1/themes/discover", headers=auth(tokens["viewer"])).status_code == 403
    created = client.post("/api/v1/themes", json=NOISE, headers=auth(tokens["analyst"]))
    assert created.status_code == 201 and created.json()["keywords"]["zh"] == ["吵"]
    assert client.get("/api/v1/themes/insight", headers=auth(tokens["viewer"])).status_code == 200
    assert client.get("/api/v1/verbatims", headers=auth(tokens["viewer"])).status_code == 403
    assert client.get("/api/v1/verbatims", headers=auth(tokens["agent"])).status_code == 200


def test_create_rename_move_edit_and_delete_themes(client, tokens):
    h = auth(tokens["analyst"])
    parent = client.post("/api/v1/themes", json=NOISE, headers=h).json()
    child = client.post("/api/v1/themes", json={"name": "music", "parent": "noise"}, headers=h).json()
    assert child["path"] == "noise/music"
    renamed = client.patch(f"/api/v1/themes/{parent['id']}", json={"name": "sound"}, headers=h).json()
    assert renamed["path"] == "sound"
    paths = {t["path"] for t in _themes(client, h)}
    assert {"sound", "sound/music"} <= paths and "noise/music" not in paths
    edited = client.patch(f"/api/v1/themes/{child['id']}", json={"examples": {"zh": ["音乐太大声"]}, "parent": None},
                          headers=h).json()
    assert edited["path"] == "music" and edited["examples"] == {"zh": ["音乐太大声"]}
    assert client.delete(f"/api/v1/themes/{child['id']}", headers=h).status_code == 204
    assert client.delete(f"/api/v1/themes/{child['id']}", headers=h).status_code == 404


def test_bad_taxonomy_input_gets_a_clear_4xx(client, tokens):
    h = auth(tokens["analyst"])
    cases = [
        ("post", "/api/v1/themes", {"name": "a/b"}, "name"),
        ("post", "/api/v1/themes", {"name": "x", "parent": "nowhere"}, "unknown theme"),
        ("post", "/api/v1/themes", {"name": "delivery"}, "exists"),
        ("post", "/api/v1/themes", {"name": "x", "keywords": {"fr": ["bruit"]}}, "keywords"),
        ("patch", "/api/v1/themes/999999", {"label": "x"}, "not found"),
    ]
    for method, url, body, expected in cases:
        answer = getattr(client, method)(url, json=body, headers=h)
        assert 400 <= answer.status_code < 500, answer.text
        assert expected in answer.text, answer.text
    first = next(t for t in _themes(client, h) if t["path"] == "delivery")
    loop = client.patch(f"/api/v1/themes/{first['id']}", json={"parent": "delivery/late"}, headers=h)
    assert loop.status_code == 422 and "ancestor" in loop.json()["detail"]
    for body in ("{not json", "themes: [", "[]", '{"themes": [{"label": "no name"}]}'):
        answer = client.post("/api/v1/themes/import", content=body, headers=h)
        assert answer.status_code == 422, (body, answer.text)
    assert client.post("/api/v1/themes/import?format=json", content=b"\xff\xfe", headers=h).status_code == 422


def test_taxonomy_exports_and_imports_as_json_and_yaml(client, tokens):
    h = auth(tokens["analyst"])
    exported = client.get("/api/v1/themes/export?format=yaml", headers=h)
    assert exported.status_code == 200 and "配送" in exported.text
    document = yaml.safe_load(exported.text)
    document["themes"] = [t for t in document["themes"] if t["name"] in ("delivery", "billing")] + [NOISE]
    answer = client.post("/api/v1/themes/import?format=yaml", content=yaml.safe_dump(document, allow_unicode=True),
                         headers=h)
    assert answer.status_code == 200 and answer.json()["themes"] > 3
    again = client.get("/api/v1/themes/export", headers=h).json()
    assert [t["name"] for t in again["themes"]] == ["billing", "delivery", "noise"]
    assert client.post("/api/v1/themes/import", content=exported.text, headers=h).status_code == 200


def test_discovery_runs_as_a_job_and_proposals_can_be_accepted_merged_renamed_and_rejected(client, tokens, db):
    h = auth(tokens["analyst"])
    texts = ([f"The karaoke bar downstairs played songs until {n} am" for n in range(1, 13)]
             + [f"Please add a vegan dish to the breakfast menu, dish {n}" for n in range(12)]
             + [f"The gym treadmill number {n} squeaks loudly in the gym" for n in range(12)])
    with db.transaction() as s:
        ids = add_items(s, texts)
        enrich_items(s, ids)
    queued = client.post("/api/v1/themes/discover", json={"limit": 500, "n_themes": 3}, headers=h)
    assert queued.status_code == 202
    run_jobs(db)
    found = client.get("/api/v1/themes/proposals", headers=h).json()["items"]
    assert len(found) == 3 and sum(p["size"] for p in found) == len(texts)
    seen_by_viewer = client.get("/api/v1/themes/proposals", headers=auth(tokens["viewer"])).json()["items"]
    assert [p["size"] for p in seen_by_viewer] == [p["size"] for p in found]  # aggregates, not customers' words
    assert all(p["examples"] == [] for p in seen_by_viewer)
    karaoke, vegan, gym = (next(p for p in found if word in p["examples"][0]) for word in ("karaoke", "vegan", "gym"))
    renamed = client.post(f"/api/v1/themes/proposals/{karaoke['id']}",
                          json={"action": "rename", "label": "Night noise"}, headers=h).json()
    assert renamed["label"] == "Night noise"
    accepted = client.post(f"/api/v1/themes/proposals/{karaoke['id']}", json={"action": "accept"}, headers=h)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    theme = next(t for t in _themes(client, h) if t["path"] == "night_noise")
    assert theme["label"] == "Night noise" and theme["keywords"]["en"] == karaoke["terms"][:3]
    assert theme["origin"] == "discovered" and theme["items"] == 12
    staff = next(t for t in _themes(client, h) if t["path"] == "staff")
    merged = client.post(f"/api/v1/themes/proposals/{vegan['id']}", json={"action": "merge", "theme_id": staff["id"]},
                         headers=h)
    assert merged.json()["status"] == "merged"
    rejected = client.post(f"/api/v1/themes/proposals/{gym['id']}", json={"action": "reject"}, headers=h)
    assert rejected.json()["status"] == "rejected"
    again = client.post(f"/api/v1/themes/proposals/{gym['id']}", json={"action": "accept"}, headers=h)
    assert again.status_code == 409
    merge_into_nothing = client.post(f"/api/v1/themes/proposals/{vegan['id']}", json={"action": "merge"}, headers=h)
    assert merge_into_nothing.status_code == 422
    run_jobs(db)  # the re-enrichment after the decisions keeps the tags they gave
    tagged = client.get("/api/v1/verbatims?theme=night_noise&limit=50", headers=h).json()
    assert tagged["total"] == 12
    assert client.get("/api/v1/verbatims?theme=staff&q=vegan", headers=h).json()["total"] == 12


def _seed_scored(client, tokens, db) -> None:  # type: ignore[no-untyped-def]
    h = auth(tokens["agent"])
    for i in range(40):
        late = i % 2 == 0
        comment = "The delivery was late again" if late else "Friendly staff and a clean room"
        when = (utcnow() - timedelta(days=5 if i < 30 else 45)).isoformat()
        answer = client.post("/api/v1/responses", headers=h, json={
            "survey": "rnps", "answers": {"nps": 3 if late else 10, "comment": comment}, "submitted_at": when,
            "customer": {"email": f"guest{i}@example.com"}, "touchpoint": "check-in" if i % 4 else "room"})
        assert answer.status_code == 201, answer.text
    run_jobs(db)


def test_theme_insight_volume_sentiment_impact_trend_and_emerging(client, tokens, db):
    _seed_scored(client, tokens, db)
    result = client.get("/api/v1/themes/insight", headers=auth(tokens["viewer"])).json()
    assert result["items"] == 40 and result["nps_responses"] == 40
    late = next(t for t in result["themes"] if t["path"] == "delivery/late")
    assert late["volume"] == 20 and late["share"] == 0.5 and late["sentiment"] < 0
    impact = late["impact"]
    assert impact["nps_theme"] == -100 and impact["nps_without"] == 100 and impact["impact"] == -100
    assert impact["low"] <= impact["impact"] <= impact["high"]
    assert sum(m["count"] for m in late["trend"]) == 20
    assert {e["path"] for e in result["emerging"]} >= {"delivery/late"}
    room = client.get("/api/v1/themes/insight?touchpoint=room", headers=auth(tokens["viewer"])).json()
    assert room["items"] == 10
    for bad in ("touchpoint=spa", "segment=nope", "since=2025-02-01&until=2025-01-01", "period_days=3"):
        answer = client.get(f"/api/v1/themes/insight?{bad}", headers=auth(tokens["viewer"]))
        assert 400 <= answer.status_code < 500, (bad, answer.text)
    drivers = client.get("/api/v1/themes/drivers", headers=auth(tokens["viewer"]))
    assert drivers.status_code == 422 and "collinear" in drivers.json()["detail"]


def test_theme_mentions_are_key_drivers_of_nps(client, tokens, db):
    h = auth(tokens["agent"])
    for i in range(60):
        late, rude = i % 2 == 0, i % 3 == 0
        parts = ["The delivery was late" if late else "", "the staff were rude" if rude else "", "the room was fine"]
        score = max(0, 10 - 6 * late - 2 * rude - i % 2)
        client.post("/api/v1/responses", headers=h, json={"survey": "rnps", "answers": {
            "nps": score, "comment": ", ".join(p for p in parts if p)}, "customer": {"email": f"d{i}@example.com"}})
    run_jobs(db)
    result = client.get("/api/v1/themes/drivers", headers=auth(tokens["viewer"])).json()
    assert result["n"] == 60 and result["drivers"][0]["name"] == "delivery"
    assert {d["name"] for d in result["drivers"]} >= {"delivery", "staff"}
    page = client.get("/drivers?by=themes", headers=auth(tokens["viewer"]))
    assert page.status_code == 200 and "% of comments" in page.text and ">delivery<" in page.text


def test_verbatim_search_filters_highlights_and_paginates(client, tokens, db):
    _seed_scored(client, tokens, db)
    h = auth(tokens["agent"])
    with db.transaction() as s:
        ids = add_items(s, ["50% off_sale <script>alert(1)</script> DELIVERY was late", "100 percent fine"])
        enrich_items(s, ids)
    page = client.get("/api/v1/verbatims?q=late&sentiment=negative&limit=7", headers=h).json()
    assert page["total"] == 21 and page["limit"] == 7 and page["offset"] == 0 and len(page["items"]) == 7
    last = client.get("/api/v1/verbatims?q=late&sentiment=negative&limit=7&offset=14", headers=h).json()
    assert last["total"] == 21 and len(last["items"]) == 7
    assert not {v["id"] for v in page["items"]} & {v["id"] for v in last["items"]}
    assert page["items"][0]["highlighted"].count("<mark>") == 1
    odd = client.get("/api/v1/verbatims", params={"q": "50% off_sale delivery"}, headers=h).json()
    assert odd["total"] == 1
    marked = odd["items"][0]["highlighted"]
    assert "<script>" not in marked and "&lt;script&gt;" in marked
    assert "<mark>50%</mark> <mark>off_sale</mark>" in marked and "<mark>DELIVERY</mark>" in marked
    assert client.get("/api/v1/verbatims?q=5_%25", headers=h).json()["total"] == 0
    low = client.get("/api/v1/verbatims?max_score=5&theme=delivery/late&touchpoint=room", headers=h).json()
    assert low["total"] == 10 and all(v["rating"] == 3 for v in low["items"])
    assert client.get("/api/v1/verbatims?language=en&min_score=9", headers=h).json()["total"] == 20
    assert client.get("/api/v1/verbatims?theme=nope", headers=h).status_code == 404
    assert client.get("/api/v1/verbatims?min_score=9&max_score=1", headers=h).status_code == 422
    item = page["items"][0]
    detail = client.get(f"/api/v1/verbatims/{item['id']}/enrichment", headers=h).json()
    assert detail["enrichment"]["sentiment"]["label"] == "negative"
    with db.reader() as s:
        assert s.get(Feedback, item["id"]).customer_id == item["customer_id"]
        assert s.scalar(select(Feedback.id).where(Feedback.text_version.is_(None))) is None
