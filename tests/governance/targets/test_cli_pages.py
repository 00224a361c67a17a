"""``centric targets list|set`` and ``centric scorecards show|export``; the targets and scorecards pages."""

from __future__ import annotations

import json
import re
from datetime import datetime

from sqlalchemy import select
from typer.testing import CliRunner, Result

from centric.accounts.models import AuditLog
from centric.cli.main import app as cli
from tests.api.conftest import auth
from tests.api.test_pages import login
from tests.factories import make_journey, make_user, respond

MARCH = datetime(2026, 3, 5)


def test_targets_and_scorecards_commands(db, tmp_path):
    with db.transaction() as s:
        make_journey(s)
        make_user(s, "manager", "boss@example.com")
        for i in range(40):
            respond(s, "rnps", 10 if i % 2 else 0, email=f"c{i}@example.com", touchpoint="room",
                    when=MARCH)
    run = CliRunner()

    def invoke(*args: str) -> Result:
        return run.invoke(cli, ["--database-url", db.url, *args])

    made = invoke("targets", "set", "--name", "Room NPS", "--metric", "nps", "--scope", "team", "--ref",
                  "Housekeeping", "--cadence", "month", "--threshold", "40", "--team", "Housekeeping",
                  "--valid-from", "2026-01-01", "--json")
    assert made.exit_code == 0, made.output
    target = json.loads(made.output)
    assert target["scope_label"] == "Team: Housekeeping" and target["owner"]["team_name"] == "Housekeeping"
    changed = invoke("targets", "set", "--id", str(target["id"]), "--threshold", "-60")
    assert changed.exit_code == 0 and "-60" in changed.output
    listed = invoke("targets", "list", "--json")
    assert [t["threshold"] for t in json.loads(listed.output)] == [-60.0]
    refused = invoke("targets", "set", "--name", "x", "--metric", "enps", "--threshold", "1", "--team", "Housekeeping")
    assert refused.exit_code == 2 and "eNPS is not available yet" in refused.output
    shown = invoke("scorecards", "show", "--team", "Housekeeping", "--period", "2026-03")
    assert shown.exit_code == 0, shown.output
    assert "Room NPS (2026-03): 0.0" in shown.output and "met" in shown.output and "Holm" in shown.output
    out = tmp_path / "card.csv"
    exported = invoke("scorecards", "export", "--team", "Housekeeping", "--period", "2026-03", "--out", str(out))
    assert exported.exit_code == 0 and "method:" in exported.output
    assert out.read_text().splitlines()[1].startswith("Housekeeping,Room NPS,nps,Team: Housekeeping,2026-03,-60,")
    assert invoke("scorecards", "show", "--period", "2026-3x").exit_code == 2
    with db.reader() as s:
        assert s.scalars(select(AuditLog.action).where(AuditLog.entity == "target")).all() == [
            "target.create", "target.update"]


def test_pages_show_owners_verdicts_and_the_form_only_to_managers(client, tokens, db):
    body = {"name": "Company <b>NPS</b>", "metric": "nps", "cadence": "quarter", "threshold": 10,
            "owner_user_id": 1, "valid_from": "2025-01-01"}
    assert client.post("/api/v1/targets", headers=auth(tokens["manager"]), json=body).status_code == 201
    login(client, "viewer@example.com")
    page = client.get("/targets")
    assert page.status_code == 200 and "Company &lt;b&gt;NPS&lt;/b&gt;" in page.text
    assert 'href="/scorecards"' in page.text and "Set a target" not in page.text
    card = client.get("/scorecards?period=2026-Q1")
    assert card.status_code == 200 and "Holm" in card.text
    assert "Company &lt;b&gt;NPS&lt;/b&gt;" in card.text and "no data in the period" in card.text
    assert "export.csv?period=2026-Q1" in card.text
    assert client.get("/scorecards?period=later").status_code == 422
    assert client.get("/scorecards?team=abc").status_code == 422
    touchpoints = client.get("/touchpoints").text  # every touchpoint shows who owns it
    assert touchpoints.count("Front Office") == 2 and touchpoints.count("Housekeeping") == 1

    login(client, "manager@example.com")
    page = client.get("/targets")
    assert "Set a target" in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    form = {"csrf": csrf, "name": "Churn", "metric": "churn", "scope_kind": "company", "cadence": "year",
            "threshold": "12", "owner_user_id": "1", "min_n": "30"}
    done = client.post("/targets", data=form, follow_redirects=False)
    assert done.status_code == 303
    assert "Churn" in client.get("/targets").text and "≤ 12.0" in client.get("/targets").text
    bad = client.post("/targets", data={**form, "threshold": "150"})
    assert bad.status_code == 422 and "threshold" in bad.text
    assert client.post("/targets", data={**form, "csrf": "wrong"}).status_code == 403
