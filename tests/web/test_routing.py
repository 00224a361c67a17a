"""Gated area routers (centric.web.routing): a request tries only the areas its path can belong to,
and routing answers exactly as before — matches, 405, trailing-slash redirects, 404, a root path."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from centric.config import Settings
from centric.web.app import create_app
from centric.web.routing import GatedRouter, head_of, route_heads, route_paths


def test_heads_are_the_leading_segments_padded_to_the_depth() -> None:
    assert head_of("/api/v1/cases/7", 3) == ("api", "v1", "cases")
    assert head_of("/api/v1", 3) == ("api", "v1", "")
    assert head_of("/", 1) == ("",)
    assert head_of("/s/abc/thanks", 1) == ("s",)


def test_a_router_with_a_parameter_in_its_leading_segment_is_not_gated() -> None:
    assert route_heads(["/cases", "/cases/{id}"], "/api/v1", 3) == {("api", "v1", "cases")}
    assert route_heads(["/cases", "/{anything}"], "/api/v1", 3) is None
    assert route_heads(["/cases", None], "", 1) is None  # a route whose path is unknown: scan it


def _area_routers(app: FastAPI) -> list[GatedRouter]:
    inner = [getattr(r, "original_router", None) for r in app.router.routes]
    return [r for r in inner if isinstance(r, GatedRouter)]


@pytest.fixture
def app(tmp_path):
    return create_app(Settings(database_url=f"sqlite:///{tmp_path}/routing.db", job_workers=0))


def test_every_area_router_of_the_app_is_gated(app) -> None:
    routers = _area_routers(app)
    assert len(routers) >= 30
    assert all(r.heads for r in routers), [r.heads for r in routers if not r.heads]


def test_a_request_tries_only_the_routes_of_its_area(app, monkeypatch) -> None:
    tried: list[str] = []
    original = APIRoute.matches

    def counting(self, scope):  # type: ignore[no-untyped-def]
        tried.append(self.path)
        return original(self, scope)

    monkeypatch.setattr(APIRoute, "matches", counting)
    with TestClient(app) as client:
        assert client.get("/api/health").json()["status"] == "ok"
        health = list(tried)
        tried.clear()
        assert client.get("/api/v1/surveys").status_code == 401  # found, then refused: no token
        surveys = list(tried)
    every = sum(1 for r in _area_routers(app) for _ in route_paths(r.routes))
    assert every > 150
    assert len(health) <= 5, health  # the app's own few routes, none of the ~200 in the areas
    # routes keep the paths their area wrote (without /api/v1): only the surveys area's were tried
    areas = ("/surveys", "/survey-templates", "/responses", "/api")
    assert surveys and all(p.startswith(areas) for p in surveys), surveys


def test_routing_answers_as_an_ungated_router_would(app) -> None:
    with TestClient(app, follow_redirects=False) as client:
        assert client.get("/api/v1/no-such-area").status_code == 404
        assert client.get("/api/v2/surveys").status_code == 404
        assert client.delete("/api/health").status_code == 405  # the path exists for GET only
        assert client.put("/login").status_code == 405
        redirect = client.get("/api/v1/surveys/")  # the route is /api/v1/surveys: a redirect to it
        assert redirect.status_code == 307 and redirect.headers["location"].endswith("/api/v1/surveys")


def test_a_root_path_is_removed_before_the_gate_reads_the_path() -> None:
    inner = APIRouter()

    @inner.get("/cases/{case_id}")
    def one(case_id: int) -> dict[str, int]:
        return {"case": case_id}

    app = FastAPI()
    app.include_router(GatedRouter(inner, "/api/v1"), prefix="/api/v1")
    with TestClient(app, root_path="/centric") as client:
        assert client.get("/api/v1/cases/7").json() == {"case": 7}
        assert client.get("/centric/api/v1/cases/8").json() == {"case": 8}
        assert client.get("/api/v1/other/8").status_code == 404
