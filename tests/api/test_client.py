"""centric.client against a live server: DataFrames with the API's columns and values, errors with its message."""

from __future__ import annotations

import pandas as pd
import pytest

from centric.client import CentricError, Client
from tests.api.conftest import auth
from tests.api.live import serving
from tests.factories import respond


@pytest.fixture
def live(app, tokens, db):
    with db.transaction() as s:
        respond(s, "rnps", 10, comment="Great breakfast", email="ann@example.com", touchpoint="room")
        respond(s, "rnps", 2, comment="=HYPERLINK(\"x\")", email="bob@example.com", touchpoint="room")
        respond(s, "rnps", 9, email="cy@example.com", touchpoint="check-in")
        respond(s, "stay-csat", 5, email="ann@example.com", touchpoint="room")
    with serving(app) as url:
        yield url


def test_metrics_is_a_frame_of_the_groups(live, tokens):
    with Client(live, tokens["viewer"]) as centric:
        frame = centric.metrics("nps", by="touchpoint", start="2000-01-01")
        overall = centric.metrics("nps", by="none")
    assert isinstance(frame, pd.DataFrame)
    assert {"group", "n", "value", "low", "high", "promoters", "detractors"} <= set(frame.columns)
    room = frame.set_index("group").loc["Room"]
    assert room["n"] == 2 and room["promoters"] == 1 and room["detractors"] == 1
    assert frame.attrs["metric"] == "nps" and frame.attrs["by"] == "touchpoint"
    assert len(overall) == 1 and overall["n"].iloc[0] == 3


def test_lists_page_through_and_parse_dates(live, tokens, monkeypatch):
    monkeypatch.setattr("centric.client.PAGE_SIZE", 2)  # several pages for four responses
    with Client(live, tokens["analyst"]) as centric:
        responses = centric.responses()
        nps = centric.responses(survey="rnps", touchpoint="room")
        customers = centric.customers()
        verbatims = centric.verbatims(q="breakfast")
        themes = centric.themes()
        ideas = centric.ideas()
        first = centric.responses(max_rows=3)
    assert len(responses) == 4 and responses["id"].is_unique
    assert str(responses["submitted_at"].dtype).startswith("datetime64")
    assert sorted(nps["answer.nps"].tolist()) == [2, 10] and set(nps["survey"]) == {"rnps"}
    assert set(customers.columns) >= {"id", "name", "identities", "created_at"} and len(customers) == 3
    assert verbatims["text"].tolist() == ["Great breakfast"]
    assert isinstance(themes, pd.DataFrame) and isinstance(ideas, pd.DataFrame)
    assert len(first) == 3


def test_cases_follow_the_callers_scope(live, tokens, client):
    manager = auth(tokens["manager"])
    for title in ("Broken lift", "Cold soup"):
        assert client.post("/api/v1/cases", headers=manager, json={"title": title}).status_code == 201
    with Client(live, tokens["manager"]) as centric:
        cases = centric.cases(view="all")
        soup = centric.cases(view="all", q="soup")
    assert sorted(cases["title"]) == ["Broken lift", "Cold soup"] and soup["title"].tolist() == ["Cold soup"]


def test_refusals_raise_with_the_servers_message(live, tokens):
    with Client(live, tokens["viewer"]) as centric:
        with pytest.raises(CentricError) as refused:
            centric.customers()
        with pytest.raises(CentricError) as invalid:
            centric.metrics("nps", by="planet")
    assert refused.value.status == 403 and "customers:read" in refused.value.message
    assert invalid.value.status == 422 and "by" in str(invalid.value)
    with Client(live, "ctc_not-a-token") as stranger, pytest.raises(CentricError) as unknown:
        stranger.themes()
    assert unknown.value.status == 401
