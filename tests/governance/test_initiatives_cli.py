"""``centric initiatives list|show``, with and without ``--json``; the propose link beside root causes."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from centric.cli.main import app
from centric.governance import initiatives as svc
from centric.governance.schemas import DiceIn, InitiativeIn
from tests.api.conftest import auth
from tests.factories import make_journey, make_user

runner = CliRunner()


def test_list_and_show(db) -> None:
    with db.transaction() as s:
        make_journey(s)
        manager = make_user(s, "manager")
        item = svc.propose(s, InitiativeIn(title="Mobile keys", touchpoints=["check-in"], expected_effect=5), manager)
        svc.approve(s, item.id, manager, "go")
        svc.assess(s, item.id, DiceIn(duration=1, integrity=1, senior_commitment=2, local_commitment=2, effort=1),
                   manager)
        item_id = item.id
    listed = runner.invoke(app, ["--database-url", db.url, "initiatives", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [(r["id"], r["status"], r["rank"]) for r in rows] == [(item_id, "approved", 1)]
    table = runner.invoke(app, ["--database-url", db.url, "initiatives", "list", "--status", "approved"])
    assert table.exit_code == 0 and "Mobile" in table.output and "approved" in table.output
    assert runner.invoke(app, ["--database-url", db.url, "initiatives", "list", "--status", "x"]).exit_code == 2
    shown = runner.invoke(app, ["--database-url", db.url, "initiatives", "show", str(item_id)])
    assert shown.exit_code == 0 and "approved by Manager" in shown.output and "DICE 10 (win)" in shown.output
    as_json = json.loads(runner.invoke(app, ["--database-url", db.url, "initiatives", "show", str(item_id),
                                             "--json"]).output)
    assert as_json["dice"]["score"] == 10 and as_json["links"][0]["label"] == "Check-in"
    missing = runner.invoke(app, ["--database-url", db.url, "initiatives", "show", "999"])
    assert missing.exit_code != 0


def test_roi_page_offers_to_propose_from_a_root_cause(client, tokens) -> None:
    # The link sits in each root-cause row; with no closed cases the table is empty, so check the header.
    manager = client.get("/roi", headers=auth(tokens["manager"]))
    assert manager.status_code == 200 and '<th scope="col">Initiative</th>' in manager.text
    viewer = client.get("/roi", headers=auth(tokens["viewer"]))
    assert '<th scope="col">Initiative</th>' not in viewer.text
    nav = client.get("/initiatives", headers=auth(tokens["viewer"])).text
    assert 'href="/initiatives" aria-current="page"' in nav
