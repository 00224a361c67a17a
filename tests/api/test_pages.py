"""HTML pages: login with CSRF, role checks, and customer text escaped everywhere."""

from __future__ import annotations

import re

from tests.api.conftest import auth
from tests.factories import PASSWORD


def login(client, email="admin@example.com"):
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return client.post("/login", data={"email": email, "password": PASSWORD, "csrf": token, "next": "/"},
                       follow_redirects=False)


def test_pages_redirect_to_login(client, tokens):
    answer = client.get("/", headers={"Accept": "text/html"}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_login_without_csrf_is_refused_and_wrong_password_is_401(client, tokens):
    assert client.post("/login", data={"email": "admin@example.com", "password": PASSWORD}).status_code == 403
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    wrong = client.post("/login", data={"email": "admin@example.com", "password": "nope-nope", "csrf": token})
    assert wrong.status_code == 401 and "Wrong e-mail or password" in wrong.text


def test_dashboard_and_customer_page_escape_customer_text(client, tokens):
    evil = "<script>alert(1)</script>"
    created = client.post("/api/v1/responses", headers=auth(tokens["agent"]), json={
        "survey": "rnps", "answers": {"nps": 2, "comment": evil},
        "customer": {"email": "x@example.com", "name": evil}, "touchpoint": "check-in"})
    assert created.status_code == 201
    assert login(client).status_code == 303
    dashboard = client.get("/")
    assert dashboard.status_code == 200 and "NPS" in dashboard.text and "Check-in" in dashboard.text
    page = client.get(f"/customers/{created.json()['customer_id']}")
    assert evil not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    listing = client.get("/customers?q=x@example")
    assert evil not in listing.text and "&lt;script&gt;" in listing.text
    assert client.get("/touchpoints").status_code == 200


def test_dashboard_breaks_any_metric_down_by_any_dimension(client, tokens):
    for score, touchpoint in ((2, "check-in"), (9, "room"), (10, "room")):
        client.post("/api/v1/responses", headers=auth(tokens["agent"]), json={
            "survey": "rnps", "answers": {"nps": score}, "customer": {"email": f"{score}@example.com"},
            "touchpoint": touchpoint})
    assert login(client).status_code == 303
    by_team = client.get("/?kind=nps&by=team")
    assert by_team.status_code == 200 and "NPS by team" in by_team.text
    assert "Housekeeping" in by_team.text and "Front Office" in by_team.text
    assert "CSAT % by stage" in client.get("/?kind=csat&by=stage").text
    assert client.get("/?by=shoe-size").status_code == 422


def test_cookie_api_calls_need_the_csrf_header(client, tokens):
    assert login(client, "agent@example.com").status_code == 303
    body = {"text": "hello", "channel": "chat"}
    assert client.post("/api/v1/feedback", json=body).status_code == 403
    page = client.get("/customers")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    assert client.post("/api/v1/feedback", json=body, headers={"X-CSRF-Token": token}).status_code == 201


def test_viewer_cannot_open_customers(client, tokens):
    assert login(client, "viewer@example.com").status_code == 303
    assert client.get("/").status_code == 200
    assert client.get("/customers").status_code == 403


def test_logout_needs_csrf_and_ends_the_session(client, tokens):
    login(client)
    assert client.post("/logout", data={"csrf": "wrong"}).status_code == 403
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text).group(1)
    assert client.post("/logout", data={"csrf": token}, follow_redirects=False).status_code == 303
    assert client.get("/", headers={"Accept": "text/html"}, follow_redirects=False).status_code == 303
