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


def _plant(client, db, tokens, marker: str) -> dict[str, str]:
    """A customer's sentence in feedback, in an open proposal and (accepted) in a theme's examples,
    and a skipped invitation; returns values for the path parameters of the walk."""
    agent = auth(tokens["agent"])
    told = client.post("/api/v1/feedback", headers=agent, json={
        "text": f"The lift smelled of {marker}", "customer": {"email": "c1@example.com"}}).json()
    customer_id = told["customer_id"]
    assert client.post("/api/v1/outreach/unsubscribes", headers=agent,
                       json={"customer_id": customer_id}).status_code == 200
    assert client.post("/api/v1/outreach/invitations", headers=agent,  # skipped: the customer unsubscribed
                       json={"survey": "rnps", "customer_id": customer_id}).json()["invited"] is False
    with db.transaction() as s:  # what discovery stores: clusters with their most central texts
        for label in ("lift", "smell"):
            s.add(ThemeProposal(label=label, language="en", terms=[label], examples=[f"The lift smelled of {marker}"],
                                feedback_ids=[], size=12, cohesion=0.5))
        s.flush()
        accepted = s.query(ThemeProposal).filter_by(label="smell").one().id
    assert client.post(f"/api/v1/themes/proposals/{accepted}", headers=auth(tokens["analyst"]),
                       json={"action": "accept"}).status_code == 200
    return {"survey_key": "rnps", "survey": "rnps", "kind": "nps", "number": "1", "customer_id": str(customer_id),
            "feedback_id": str(told["id"]), "proposal_id": str(accepted)}


def _path(template: str, values: dict[str, str]) -> str:
    """``template`` with its parameters filled in (1 for ids the walk does not know)."""
    return re.sub(r"{(\w+)}", lambda m: values.get(m.group(1), "1"), template)


def _viewer_json(client, token: str, values: dict[str, str]) -> dict[str, str]:
    """Every GET path of the OpenAPI document, as a viewer sees it."""
    spec = client.get("/api/openapi.json", headers=auth(token)).json()
    seen = {}
    for path, operations in spec["paths"].items():
        if "get" in operations:
            answer = client.get(_path(path, values), headers=auth(token))
            seen[path] = f"{answer.status_code} {answer.text}"
    return seen


def _viewer_pages(client, values: dict[str, str]) -> dict[str, str]:
    """Every admin page, logged in as a viewer (its own customer link is no leak: it is 403)."""
    assert login(client, "viewer@example.com").status_code == 303
    seen = {}
    routes = [route for domain in DOMAINS if importlib.util.find_spec(f"centric.{domain}.views")
              for route in importlib.import_module(f"centric.{domain}.views").router.routes]
    for route in routes:
        path = getattr(route, "path", "")
        if isinstance(route, APIRoute) and "GET" in route.methods:
            answer = client.get(_path(path, values))
            seen[path] = f"{answer.status_code} {answer.text}"
    return seen


def test_a_viewer_sees_no_customer_text_and_no_per_customer_rows(client, db, history):  # noqa: F811
    marker = f"zq{secrets.token_hex(5)}"
    values = _plant(client, db, history, marker)
    walked = {**_viewer_json(client, history["viewer"], values), **_viewer_pages(client, values)}
    assert {"/api/v1/value/clv", "/api/v1/themes", "/api/v1/themes/proposals", "/value", "/themes/taxonomy",
            "/themes/proposals", "/surveys/{survey_key}"} <= set(walked)
    assert walked["/surveys/{survey_key}"].startswith("200")
    assert walked["/api/v1/value/clv"].startswith("200") and walked["/value"].startswith("200")
    leaks = {path: text[:200] for path, text in walked.items() if marker in text or PER_CUSTOMER.search(text)}
    assert leaks == {}
    assert walked["/api/v1/themes/export"].startswith("403")


def test_analysts_and_managers_still_see_examples_and_top_customers(client, db, history):  # noqa: F811
    marker = f"zq{secrets.token_hex(5)}"
    values = _plant(client, db, history, marker)
    for role in ("analyst", "manager"):
        headers = auth(history[role])
        assert len(client.get("/api/v1/value/clv", headers=headers).json()["top_customers"]) == 20
        assert marker in client.get("/api/v1/themes/proposals", headers=headers).json()["items"][0]["examples"][0]
        assert any(marker in str(t["examples"]) for t in client.get("/api/v1/themes", headers=headers).json()["items"])
        assert marker in client.get("/api/v1/themes/export", headers=headers).text
    assert login(client, "manager@example.com").status_code == 303
    assert re.search(r"/customers/\d+", client.get("/value").text)
    assert marker in client.get("/themes/proposals").text
    assert f'/customers/{values["customer_id"]}' in client.get("/surveys/rnps").text  # the skipped invitation
