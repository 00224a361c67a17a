"""Least privilege in reads: a viewer walks every JSON endpoint and page it may open and
finds no customer's words and no per-customer rows; those with ``customers:read`` still do."""

from __future__ import annotations

import importlib
import importlib.util
import re
import secrets

from fastapi.routing import APIRoute

from centric.domains import DOMAINS
from centric.themes.models import ThemeProposal
from tests.api.conftest import auth
from tests.api.test_analytics import history  # noqa: F401  (300 customers with purchases and NPS)
from tests.api.test_pages import login

PER_CUSTOMER = re.compile(r'"customer_id"|/customers/\d+')


def _plant(client, db, tokens, marker: str) -> None:
    """A customer's sentence in feedback, in an open proposal and (accepted) in a theme's examples."""
    assert client.post("/api/v1/feedback", headers=auth(tokens["agent"]), json={
        "text": f"The lift smelled of {marker}", "customer": {"email": "c1@example.com"}}).status_code == 201
    with db.transaction() as s:  # what discovery stores: clusters with their most central texts
        for label in ("lift", "smell"):
            s.add(ThemeProposal(label=label, language="en", terms=[label], examples=[f"The lift smelled of {marker}"],
                                feedback_ids=[], size=12, cohesion=0.5))
        s.flush()
        accepted = s.query(ThemeProposal).filter_by(label="smell").one().id
    assert client.post(f"/api/v1/themes/proposals/{accepted}", headers=auth(tokens["analyst"]),
                       json={"action": "accept"}).status_code == 200


def _viewer_json(client, token: str) -> dict[str, str]:
    """Every GET path of the OpenAPI document without parameters in the path, as a viewer sees it."""
    spec = client.get("/api/openapi.json", headers=auth(token)).json()
    seen = {}
    for path, operations in spec["paths"].items():
        if "get" in operations and "{" not in path:
            answer = client.get(path, headers=auth(token))
            seen[path] = f"{answer.status_code} {answer.text}"
    return seen


def _viewer_pages(client) -> dict[str, str]:
    """Every admin page without parameters in the path, logged in as a viewer."""
    assert login(client, "viewer@example.com").status_code == 303
    seen = {}
    routes = [route for domain in DOMAINS if importlib.util.find_spec(f"centric.{domain}.views")
              for route in importlib.import_module(f"centric.{domain}.views").router.routes]
    for route in routes:
        path = getattr(route, "path", "")
        if isinstance(route, APIRoute) and "GET" in route.methods and "{" not in path:
            answer = client.get(path)
            seen[path] = f"{answer.status_code} {answer.text}"
    return seen


def test_a_viewer_sees_no_customer_text_and_no_per_customer_rows(client, db, history):  # noqa: F811
    marker = f"zq{secrets.token_hex(5)}"
    _plant(client, db, history, marker)
    walked = {**_viewer_json(client, history["viewer"]), **_viewer_pages(client)}
    assert {"/api/v1/value/clv", "/api/v1/themes", "/api/v1/themes/proposals", "/value", "/themes/taxonomy",
            "/themes/proposals"} <= set(walked)
    assert walked["/api/v1/value/clv"].startswith("200") and walked["/value"].startswith("200")
    leaks = {path: text[:200] for path, text in walked.items() if marker in text or PER_CUSTOMER.search(text)}
    assert leaks == {}
    assert walked["/api/v1/themes/export"].startswith("403")


def test_analysts_and_managers_still_see_examples_and_top_customers(client, db, history):  # noqa: F811
    marker = f"zq{secrets.token_hex(5)}"
    _plant(client, db, history, marker)
    for role in ("analyst", "manager"):
        headers = auth(history[role])
        assert len(client.get("/api/v1/value/clv", headers=headers).json()["top_customers"]) == 20
        assert marker in client.get("/api/v1/themes/proposals", headers=headers).json()[0]["examples"][0]
        assert any(marker in str(t["examples"]) for t in client.get("/api/v1/themes", headers=headers).json())
        assert marker in client.get("/api/v1/themes/export", headers=headers).text
    assert login(client, "manager@example.com").status_code == 303
    assert re.search(r"/customers/\d+", client.get("/value").text)
    assert marker in client.get("/themes/proposals").text
