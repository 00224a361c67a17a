"""``centric maturity list|show|index`` on a real database."""

from __future__ import annotations

import json

from typer.testing import CliRunner, Result

from centric.cli.main import app as cli
from centric.mirror.assessments import take
from centric.mirror.maturity import ITEMS
from centric.mirror.maturity_schemas import AssessmentIn, RatingIn
from tests.factories import make_journey, make_user


def test_maturity_commands(db):
    with db.transaction() as s:
        make_journey(s)
        boss = make_user(s, "manager")
        ratings = [RatingIn(item_key=i.key, rating=4 if i.competency == "respond" else 2) for i in ITEMS]
        assessment_id = take(s, AssessmentIn(title="Spring review", ratings=ratings), boss).id
    run = CliRunner()

    def invoke(*args: str) -> Result:
        return run.invoke(cli, ["--database-url", db.url, "maturity", *args])

    listed = invoke("list", "--json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert rows[0]["id"] == assessment_id and rows[0]["stages"]["respond"] == 4 and rows[0]["overall_stage"] == 2
    assert "Spring review" in invoke("list").output
    shown = invoke("show", str(assessment_id))
    assert shown.exit_code == 0 and "overall stage 2 Initiate" in shown.output and "next:" in shown.output
    assert "DISAGREES" in shown.output  # rated 2 while every mapped touchpoint has an owner (evidence 5)
    as_json = json.loads(invoke("show", str(assessment_id), "--json").output)
    assert as_json["ratings"] and as_json["competencies"][0]["key"] == "lead"
    missing = invoke("show", "999")
    assert missing.exit_code != 0 and "no maturity assessment 999" in missing.output
    index = invoke("index")
    assert index.exit_code == 0 and "equal weights" in index.output
