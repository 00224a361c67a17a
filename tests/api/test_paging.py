"""One paging convention: every JSON list answers ``{items, total, limit, offset}``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from centric.config import Settings
from centric.db import Database
from centric.surveys.templates import TEMPLATES
from centric.web.app import create_app
from centric.web.deps import MAX_LIMIT
from tests.api.conftest import auth

PAGE_FIELDS = {"items", "total", "limit", "offset"}
OPTIONAL_FIELDS = {"total_exact"}  # false when a search stopped counting: "at least total"


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _lists(doc: dict[str, Any], schema: dict[str, Any]) -> bool:
    """A bare array (also inside anyOf/oneOf), or an object that carries a list of items."""
    schema = _resolve(doc, schema)
    if schema.get("type") == "array":
        return True
    if any(_lists(doc, s) for s in schema.get("anyOf", []) + schema.get("oneOf", [])):
        return True
    items = schema.get("properties", {}).get("items")
    return items is not None and _resolve(doc, items).get("type") == "array"


def test_every_list_endpoint_answers_a_page(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'openapi.db'}"  # the document needs no schema: nothing is read
    doc = create_app(Settings(database_url=url, job_workers=0), Database(url)).openapi()
    pages, wrong = [], []
    for path, operations in doc["paths"].items():
        get = operations.get("get")
        if not path.startswith("/api/v1") or get is None:
            continue
        for code, response in get.get("responses", {}).items():
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            if not code.startswith("2") or schema is None or not _lists(doc, schema):
                continue
            resolved = _resolve(doc, schema)
            params = {p["name"]: p["schema"] for p in get.get("parameters", []) if p["in"] == "query"}
            if ("$ref" not in schema or set(resolved.get("properties", {})) != PAGE_FIELDS | OPTIONAL_FIELDS
                    or set(resolved.get("required", [])) != PAGE_FIELDS
                    or params.get("limit", {}).get("maximum") != MAX_LIMIT or "offset" not in params):
                wrong.append(f"GET {path} ({code})")
            else:
                pages.append(path)
    assert not wrong, f"list endpoints without Paging + Page[T]: {wrong}"
    assert len(pages) >= 20 and "/api/v1/customers/{customer_id}/timeline" in pages


def test_a_page_is_a_slice_of_the_whole_list_with_its_true_total(client, tokens):
    h = auth(tokens["admin"])
    every = client.get("/api/v1/users", headers=h).json()
    assert every["total"] == 5 and every["limit"] == 50 and every["offset"] == 0
    middle = client.get("/api/v1/users?limit=2&offset=1", headers=h).json()
    assert middle["total"] == 5 and middle["items"] == every["items"][1:3]
    assert client.get("/api/v1/users?limit=2&offset=10", headers=h).json() == {
        "items": [], "total": 5, "limit": 2, "offset": 10, "total_exact": True}
    templates = client.get("/api/v1/survey-templates?limit=2&offset=1", headers=h).json()
    assert templates["total"] == len(TEMPLATES) and [t["key"] for t in templates["items"]] == list(TEMPLATES)[1:3]
    assert client.get(f"/api/v1/surveys?limit={MAX_LIMIT + 1}", headers=h).status_code == 422
    assert client.get("/api/v1/segments?offset=-1", headers=h).status_code == 422


def test_the_timeline_pages_across_its_sources(client, tokens):
    h, ann = auth(tokens["admin"]), {"email": "ann@example.com"}
    client.post("/api/v1/responses", headers=h, json={"survey": "rnps", "answers": {"nps": 9}, "customer": ann,
                                                      "submitted_at": "2024-03-01T10:00:00Z"})
    client.post("/api/v1/feedback", headers=h, json={"text": "Lovely pool", "customer": ann,
                                                     "occurred_at": "2024-03-02T10:00:00Z"})
    for day in (3, 4):
        client.post("/api/v1/events", headers=h, json={"customer": ann, "kind": "purchase", "value": 10,
                                                       "occurred_at": f"2024-03-0{day}T10:00:00Z"})
    customer_id = client.get("/api/v1/customers?search=ann", headers=h).json()["items"][0]["id"]
    url = f"/api/v1/customers/{customer_id}/timeline"
    whole = client.get(url, headers=h).json()
    assert whole["total"] == 4 and [i["kind"] for i in whole["items"]] == ["purchase", "purchase", "feedback",
                                                                         "response"]
    slices = [client.get(f"{url}?limit=1&offset={n}", headers=h).json() for n in range(4)]
    assert [s["items"][0] for s in slices] == whole["items"] and {s["total"] for s in slices} == {4}


def test_searches_stop_counting_past_the_cap_and_say_so(client, tokens, monkeypatch):
    from centric.customers import api as customers_api
    from centric.themes import api as themes_api

    h = auth(tokens["admin"])
    for i in range(4):
        client.post("/api/v1/feedback", headers=h, json={"text": f"Slow lift number {i}", "external_id": f"lift{i}",
                                                         "customer": {"email": f"lift{i}@example.com"}})
    monkeypatch.setattr(themes_api, "COUNT_CAP", 2)
    monkeypatch.setattr(customers_api, "COUNT_CAP", 2)
    first = client.get("/api/v1/verbatims?q=slow+lift&limit=1", headers=h).json()
    assert (len(first["items"]), first["total"], first["total_exact"]) == (1, 2, False)
    later = client.get("/api/v1/verbatims?q=slow+lift&limit=2&offset=3", headers=h).json()
    assert (len(later["items"]), later["total"], later["total_exact"]) == (1, 4, True)  # the slice reached the end
    assert client.get("/api/v1/verbatims?q=lift+number+3", headers=h).json()["total_exact"] is True
    people = client.get("/api/v1/customers?search=lift&limit=3", headers=h).json()
    assert (len(people["items"]), people["total"], people["total_exact"]) == (3, 3, False)
    whole = client.get("/api/v1/verbatims?q=slow+lift", headers={**h, "Accept": "text/csv"})
    assert whole.status_code == 200 and whole.text.count("Slow lift number") == 4  # files hold every match
