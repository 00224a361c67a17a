"""Caching, HTTPS headers behind a trusted proxy, and searches that take wildcards literally."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from centric.config import Settings
from centric.web.app import create_app
from tests.api.conftest import auth
from tests.api.test_api import RESPONSE
from tests.api.test_pages import login

PROXY = ("10.0.0.7", 40000)
STRANGER = ("203.0.113.9", 40000)
HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.4"}


def test_authenticated_answers_and_exports_are_never_stored(client, tokens):
    created = client.post("/api/v1/responses", json=RESPONSE, headers=auth(tokens["agent"]))
    customer = created.json()["customer_id"]
    for path in ("/api/v1/me", "/api/v1/customers", f"/api/v1/customers/{customer}/export"):
        answer = client.get(path, headers=auth(tokens["admin"]))
        assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store", path
    assert login(client).status_code == 303
    for path in ("/", f"/customers/{customer}", f"/customers/{customer}/privacy/export.json"):
        answer = client.get(path)
        assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store", path
    asset = client.get("/static/centric.css")
    assert asset.status_code == 200 and "no-store" not in asset.headers.get("cache-control", "")


def _client(db, address: tuple[str, int]) -> TestClient:
    settings = Settings(database_url=db.url, job_workers=0, trusted_proxies="10.0.0.0/8")
    return TestClient(create_app(settings, db), client=address)


def test_https_behind_a_trusted_proxy_gets_hsts_and_secure_cookies(db, tokens):
    with _client(db, PROXY) as client:
        page = client.get("/login", headers=HTTPS)
        assert page.headers["strict-transport-security"].startswith("max-age=")
        assert "secure" in page.headers["set-cookie"].lower()
        plain = client.get("/login", headers={"X-Forwarded-Proto": "http"})
        assert "strict-transport-security" not in plain.headers
        assert "secure" not in plain.headers["set-cookie"].lower()


def test_forwarded_headers_from_anyone_else_are_ignored(db, tokens):
    with _client(db, STRANGER) as client:
        page = client.get("/login", headers=HTTPS)
        assert "strict-transport-security" not in page.headers
        assert "secure" not in page.headers["set-cookie"].lower()


@pytest.mark.parametrize(("search", "expected"), [
    ("%", ["Ann 100% Smith"]),
    ("_", ["Bo_b"]),
    ("\\", []),
    ("ann", ["Ann 100% Smith"]),
])
def test_search_takes_like_wildcards_literally(client, tokens, search, expected):
    for name, email in (("Ann 100% Smith", "ann@example.com"), ("Bo_b", "bob@example.com"),
                        ("Carl", "carl@example.com")):
        body = {**RESPONSE, "customer": {"email": email, "name": name}}
        assert client.post("/api/v1/responses", json=body, headers=auth(tokens["agent"])).status_code == 201
    found = client.get("/api/v1/customers", params={"search": search}, headers=auth(tokens["admin"])).json()
    assert sorted(c["name"] for c in found["items"]) == expected
