"""The delivery gap and EX ↔ CX over HTTP (API and pages) and the command line: roles, figures, bad input."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from centric.accounts.service import create_token
from centric.cli.main import app as cli
from centric.db import utcnow
from tests.api.conftest import app, auth, client, tokens  # noqa: F401
from tests.factories import make_user
from tests.mirror.gap_data import customers, staff, team_id, touchpoint_id, wave


@pytest.fixture
def hr_token(db, tokens):  # noqa: F811
    with db.transaction() as s:
        return create_token(s, make_user(s, "hr", "hr@example.com"), "tests")[1]


def _predictions(db) -> None:  # type: ignore[no-untyped-def]
    """Front Office (6 staff) predicts NPS 60 at check-in, customers give 20; Housekeeping has 2 staff (hidden)."""
    with db.transaction() as s:
        w = wave(s, "mirror-web")
        staff(s, w, team_id(s, "Front Office"), [("guess_nps", touchpoint_id(s, "check-in"), 60),
                                                 ("enps", None, 9)], times=6)
        staff(s, w, team_id(s, "Housekeeping"), [("guess_nps", touchpoint_id(s, "room"), 90)], times=2)
        # staff in no team: with them the hidden ones are at least k together, so Front Office may be shown
        staff(s, w, None, [("guess_nps", touchpoint_id(s, "check-out"), 10)], times=3)
        customers(s, "rnps", "check-in", [10] * 4 + [8] * 4 + [3] * 2, utcnow() - timedelta(days=10))


def test_only_hr_managers_and_admins_read_the_mirror_reports(client, tokens, hr_token):  # noqa: F811
    for path in ("/api/v1/mirror/gap", "/api/v1/mirror/linkage", "/mirror/gap", "/mirror/linkage"):
        for role in ("viewer", "agent", "analyst"):
            assert client.get(path, headers=auth(tokens[role])).status_code == 403, (path, role)
        for token in (tokens["manager"], tokens["admin"], hr_token):
            answer = client.get(path, headers=auth(token))
            assert answer.status_code == 200, (path, answer.text)
    home = client.get("/loop", headers=auth(hr_token)).text
    assert 'href="/mirror/gap"' in home and "EX ↔ CX" in home
    assert 'href="/mirror/gap"' not in client.get("/loop", headers=auth(tokens["viewer"])).text


def test_the_api_and_page_show_the_gap_and_hide_small_teams(db, client, tokens):  # noqa: F811
    _predictions(db)
    manager = auth(tokens["manager"])
    body = client.get("/api/v1/mirror/gap", headers=manager).json()
    teams = {row["name"]: row for row in body["teams"]}
    assert teams["Front Office"]["gap"] == pytest.approx(40) and teams["Front Office"]["n_staff"] == 6
    hidden = teams["Housekeeping"]
    assert not hidden["shown"] and hidden["predicted"] is None and hidden["n_staff"] is None
    assert body["headline"]["share"] == 100 and body["k"] == 5
    page = client.get("/mirror/gap", headers=manager)
    assert page.status_code == 200
    text = page.text
    assert 'id="gap-headline"' in text and "100% of teams believe customers rate them higher" in text
    teams_table = text[text.index('id="gap-teams"'):text.index('id="gap-touchpoints"')]
    assert "Front Office" in teams_table and "+40.0" in teams_table and "overestimates" in teams_table
    assert "fewer than 5 staff answered" in teams_table and ">90.0<" not in text
    assert 'href="/mirror/gap" aria-current="page"' in text
    linkage = client.get("/api/v1/mirror/linkage", headers=manager).json()
    front = next(t for t in linkage["teams"] if t["team"] == "Front Office")
    assert front["enps"]["value"] == pytest.approx(100) and front["nps"]["value"] == pytest.approx(20)
    assert 'id="linkage-teams"' in client.get("/mirror/linkage", headers=manager).text


def test_bad_dates_are_4xx_naming_the_field(client, tokens):  # noqa: F811
    manager = auth(tokens["manager"])
    for path in ("/api/v1/mirror/gap", "/api/v1/mirror/linkage", "/mirror/gap", "/mirror/linkage"):
        for query, field in (("since=2025-13-01", "since"), ("until=soon", "until"),
                             ("since=2025-03-01&until=2025-01-01", "since"), ("since=1900-01-01", "since")):
            bad = client.get(f"{path}?{query}", headers=manager)
            assert bad.status_code == 422, (path, query, bad.text)
            assert field in bad.text, (path, query)


def test_the_command_line_prints_the_gap_and_the_linkage(db, tokens):  # noqa: F811
    _predictions(db)
    run = CliRunner()
    gap = run.invoke(cli, ["--database-url", db.url, "mirror", "gap", "--json"])
    assert gap.exit_code == 0, gap.output
    body = json.loads(gap.output)
    assert next(r for r in body["teams"] if r["name"] == "Front Office")["gap"] == pytest.approx(40)
    table = run.invoke(cli, ["--database-url", db.url, "mirror", "gap"])
    assert table.exit_code == 0 and "believe customers rate them higher" in table.output
    linkage = run.invoke(cli, ["--database-url", db.url, "mirror", "linkage"])
    assert linkage.exit_code == 0 and "company eNPS 100.0" in linkage.output and "Front" in linkage.output
    bad = run.invoke(cli, ["--database-url", db.url, "mirror", "gap", "--since", "tomorrow"])
    assert bad.exit_code == 2 and "--since" in bad.output
    backwards = run.invoke(cli, ["--database-url", db.url, "mirror", "linkage", "--since", "2025-03-01",
                                 "--until", "2025-01-01"])
    assert backwards.exit_code == 2 and "since" in backwards.output
