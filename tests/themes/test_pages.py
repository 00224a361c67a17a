"""The HTML pages: theme insight, taxonomy editor, proposals and the verbatim explorer."""

from __future__ import annotations

import re

from tests.api.conftest import auth
from tests.api.test_pages import login
from tests.themes.conftest import run_jobs

EVIL = "<script>alert('late delivery')</script> the delivery was late"


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_a_script_in_feedback_is_inert_on_the_verbatim_page(client, tokens, db):
    answer = client.post("/api/v1/responses", headers=auth(tokens["agent"]), json={
        "survey": "rnps", "answers": {"nps": 2, "comment": EVIL},
        "customer": {"email": "x@example.com", "name": "<b>Ann</b>"}, "touchpoint": "check-in"})
    assert answer.status_code == 201
    run_jobs(db)
    assert login(client).status_code == 303
    page = client.get("/verbatims?q=delivery&theme=delivery/late&sentiment=negative")
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "&lt;script&gt;alert(" in page.text
    assert "<mark>delivery</mark>" in page.text and f'href="/customers/{answer.json()["customer_id"]}"' in page.text
    assert "&lt;b&gt;Ann&lt;/b&gt;</a>" in page.text  # the customer's name, escaped
    assert client.get("/verbatims?since=not-a-date").status_code == 422
    assert "No feedback matches" in client.get("/verbatims?q=nothing-like-this").text
    insight = client.get("/themes")
    assert insight.status_code == 200 and "delivery/late" in insight.text


def test_analysts_edit_the_taxonomy_in_the_page_and_viewers_only_read(client, tokens, db):
    assert login(client, "analyst@example.com").status_code == 303
    page = client.get("/themes/taxonomy")
    assert page.status_code == 200 and "New theme" in page.text
    token = _csrf(page.text)
    made = client.post("/themes/taxonomy", data={"name": "noise", "keywords_en": "karaoke, loud", "keywords_zh": "吵",
                                                 "csrf": token}, follow_redirects=False)
    assert made.status_code == 303
    again = client.post("/themes/taxonomy", data={"name": "noise", "csrf": token})
    assert again.status_code == 422 and "exists already" in again.text
    assert client.post("/themes/taxonomy", data={"name": "x"}).status_code == 403  # no CSRF token
    assert client.get("/themes/proposals").status_code == 200
    queued = client.post("/themes/discover", data={"csrf": token})
    assert queued.status_code == 202 and "queued" in queued.text
    client.post("/logout", data={"csrf": token})
    assert login(client, "viewer@example.com").status_code == 303
    read = client.get("/themes/taxonomy")
    assert read.status_code == 200 and "karaoke" in read.text and "New theme" not in read.text
    assert client.get("/verbatims").status_code == 403


def test_pages_say_more_than_when_a_search_stops_counting(client, tokens, monkeypatch):
    from centric.customers import views as customer_views
    from centric.themes import views as theme_views

    h = auth(tokens["admin"])
    for i in range(3):
        client.post("/api/v1/feedback", headers=h, json={"text": f"Noisy corridor {i}", "external_id": f"n{i}",
                                                         "customer": {"email": f"noisy{i}@example.com"}})
    monkeypatch.setattr(theme_views, "COUNT_CAP", 1)
    monkeypatch.setattr(customer_views, "COUNT_CAP", 1)
    monkeypatch.setattr(theme_views, "VERBATIMS_PER_PAGE", 1)
    assert login(client).status_code == 303
    page = client.get("/verbatims?q=noisy+corridor").text
    assert "(at least 1)" in page and "Page 1 of at least 1" in page and "page=2" in page
    third = client.get("/verbatims?q=noisy+corridor&page=3").text  # full, so more may follow
    assert "(at least 3)" in third and "page=4" in third
    assert "page=5" not in client.get("/verbatims?q=noisy+corridor&page=4").text
    exact = client.get("/verbatims?q=corridor+2").text
    assert "(1)" in exact and "at least" not in exact
    people = client.get("/customers?q=noisy").text
    assert "(3)" in people  # 50 a page: the slice reached the end, so the count is exact
