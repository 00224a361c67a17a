"""``POST /api/v1/kb/ask`` and ``centric kb ask``: who may ask, what comes back, hostile input."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from centric.cli.main import app as cli
from centric.db import Database
from tests.api.conftest import app, auth, client, tokens  # noqa: F401
from tests.kb.answering_helpers import publish
from tests.text.answers_data import HOTEL_EN, HOTEL_ZH


def test_ask_over_the_api(client, tokens, db) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    with db.transaction() as s:
        ids = publish(s, HOTEL_EN)
    body = {"question": "can my puppy stay in the room with me"}
    assert client.post("/api/v1/kb/ask", json=body).status_code == 401
    assert client.post("/api/v1/kb/ask", json=body, headers={"Authorization": "Bearer nope"}).status_code == 401
    for role in ("viewer", "agent", "admin"):  # reading published answers: every staff role
        response = client.post("/api/v1/kb/ask", json=body, headers=auth(tokens[role]))
        assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["abstained"] is False and answer["language"] == "en" and answer["cross_lingual"] is False
    assert answer["best"]["article_id"] == ids[5] and answer["best"]["slug"] == "entry-5-en"
    assert 0 < answer["threshold"] <= answer["confidence"] <= 1
    assert len(answer["alternatives"]) <= 3

    off = client.post("/api/v1/kb/ask", headers=auth(tokens["agent"]),
                      json={"question": "怎么学好数学", "language": "zh", "k": 1}).json()
    assert off["language"] == "zh" and off["cross_lingual"] is True and off["abstained"] is True
    assert off["best"] is None and len(off["alternatives"]) <= 1

    hostile = client.post("/api/v1/kb/ask", headers=auth(tokens["agent"]),
                          json={"question": "<script>alert(1)</script> breakfast?"})
    assert hostile.status_code == 200 and hostile.json()["question"].startswith("<script>")
    odd = client.post("/api/v1/kb/ask", content='{"question": "\\ud800 breakfast\\u0000?"}',
                      headers={**auth(tokens["agent"]), "Content-Type": "application/json"})
    assert odd.status_code == 422  # text that is not valid Unicode is refused, never a 5xx
    for bad in ({"question": ""}, {"question": "x" * 1001}, {"question": "hi", "language": "fr"},
                {"question": "hi", "k": 11}, {"question": "hi", "extra": 1}, {}):
        assert client.post("/api/v1/kb/ask", json=bad, headers=auth(tokens["agent"])).status_code == 422, bad


def test_cli_ask(db: Database) -> None:
    with db.transaction() as s:
        ids = publish(s, HOTEL_EN + HOTEL_ZH)
    runner = CliRunner()
    result = runner.invoke(cli, ["--database-url", db.url, "kb", "ask", "几点可以吃早饭", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert set(answer) >= {"question", "language", "abstained", "confidence", "best", "alternatives"}
    assert answer["language"] == "zh" and answer["best"]["article_id"] == ids[11]

    english = runner.invoke(cli, ["--database-url", db.url, "kb", "ask", "早饭", "--lang", "en", "--json"])
    assert json.loads(english.output)["language"] == "en"

    text = runner.invoke(cli, ["--database-url", db.url, "kb", "ask", "who won the world cup in 1998"])
    assert text.exit_code == 0 and "does not know" in text.output
    bad = runner.invoke(cli, ["--database-url", db.url, "kb", "ask", "hi", "--lang", "fr"])
    assert bad.exit_code == 2 and "--lang" in bad.output
