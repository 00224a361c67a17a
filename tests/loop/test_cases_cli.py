"""``centric cases list|show|assign|close`` on a real database."""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner, Result

from centric.accounts.models import Team
from centric.cli.main import app as cli
from centric.loop.case_schemas import RootCauseIn
from centric.loop.cases import CaseDraft, open_cases
from centric.loop.models import Case
from centric.loop.rootcauses import create_root_cause
from tests.factories import make_journey, make_user


def test_cases_commands(db):
    with db.transaction() as s:
        make_journey(s)
        agent = make_user(s, "agent", "agent@example.com")
        create_root_cause(s, RootCauseIn(code="room", name="Room"))
        case = open_cases(s, [CaseDraft(title="Cold shower", source="manual", verbatim="no hot water")])[0]
        case_id, agent_id = case.id, agent.id
    run = CliRunner()

    def invoke(*args: str) -> Result:
        return run.invoke(cli, ["--database-url", db.url, "cases", *args])

    listed = invoke("list", "--json")
    assert listed.exit_code == 0, listed.output
    assert "Cold shower" in listed.output
    assigned = invoke("assign", str(case_id), "--owner", "agent@example.com", "--team", "Front Office")
    assert assigned.exit_code == 0, assigned.output
    refused = invoke("close", str(case_id), "--root-cause", "nope")
    assert refused.exit_code == 2 and "no root-cause code" in refused.output
    assert invoke("close", str(case_id)).exit_code != 0  # --root-cause is required
    closed = invoke("close", str(case_id), "--root-cause", "room", "--recovered", "yes")
    assert closed.exit_code == 0, closed.output
    shown = invoke("show", str(case_id))
    assert shown.exit_code == 0 and "closed" in shown.output and "room" in shown.output
    assert invoke("show", "9999").exit_code == 2
    with db.transaction() as s:
        stored = s.get(Case, case_id)
        team = s.scalar(select(Team.id).where(Team.name == "Front Office"))
        assert (stored.status, stored.owner_id, stored.team_id, stored.recovered) == ("closed", agent_id, team, "yes")
