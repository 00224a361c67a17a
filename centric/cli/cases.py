"""``centric cases``: list, show, assign and close cases from the shell (acting as the system)."""

from __future__ import annotations

import typer
from sqlalchemy import select

from centric import i18n
from centric.accounts.models import Team, User
from centric.cli.common import console, errors_as_messages, fail, open_db, parse, show
from centric.loop import cases, inbox
from centric.loop.case_schemas import AssignIn, CaseFilters, CloseIn

app = typer.Typer(help="Cases of the closed loop.", no_args_is_help=True)


@app.command("list")
def list_cases(view: str = typer.Option("all", help="mine, team, unassigned, at_risk, breached or all"),
               status: str | None = typer.Option(None, help="a status, or 'active' for every open one"),
               priority: str | None = None, q: str | None = typer.Option(None, help="words in title or verbatim"),
               limit: int = typer.Option(50, min=1, max=1000), json_out: bool = typer.Option(False, "--json")) -> None:
    """Cases, newest first."""
    filters = parse(CaseFilters, **{k: v for k, v in {"view": view, "status": status, "priority": priority,
                                                      "q": q}.items() if v is not None})
    db = open_db()
    with db.reader() as session:
        rows, total = inbox.list_cases(session, filters, limit=limit)
    show(rows, ["id", "status", "priority", "title", "customer_name", "owner_name", "team_name", "created_at"],
         json_out, title=i18n._("cases (%(total)s in all)") % {"total": total})


@app.command("show")
def show_case(case_id: int, json_out: bool = typer.Option(False, "--json")) -> None:
    """One case with its trail."""
    db = open_db()
    with errors_as_messages(), db.reader() as session:
        detail = inbox.case_detail(session, case_id)
    if json_out:
        console.print_json(detail.model_dump_json())
        return
    console.print(i18n._("[bold]case %(id)s[/bold] %(title)s") % {"id": detail.id, "title": detail.title}, markup=True,
                  highlight=False)
    console.print(i18n._("%(status)s · %(priority)s · owner %(owner)s · team %(team)s · root cause %(root_cause)s")
                  % {"status": detail.status, "priority": detail.priority, "owner": detail.owner_name or "-",
                     "team": detail.team_name or "-", "root_cause": detail.root_cause or "-"}, highlight=False)
    console.print(detail.priority_reason.get("text", ""), markup=False, highlight=False)
    for entry in detail.activity:
        console.print(f"{entry.at:%Y-%m-%d %H:%M} {entry.kind} {entry.body}", markup=False, highlight=False)


@app.command("assign")
def assign(case_id: int, owner: str | None = typer.Option(None, help="the owner's e-mail"),
           team: str | None = typer.Option(None, help="the team's name")) -> None:
    """Give a case an owner and/or a team."""
    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        owner_id = team_id = None
        if owner is not None:
            owner_id = session.scalar(select(User.id).where(User.email == owner.strip().lower()))
            if owner_id is None:
                fail(i18n._("no user with e-mail %(owner)s") % {"owner": owner}, 2)
        if team is not None:
            team_id = session.scalar(select(Team.id).where(Team.name == team))
            if team_id is None:
                fail(i18n._("no team named %(team)s") % {"team": team}, 2)
        data = parse(AssignIn, owner_id=owner_id, team_id=team_id)
        case = cases.assign_case(session, case_id, data)
        console.print(i18n._("case %(id)s: owner %(owner)s, team %(team)s")
                      % {"id": case.id, "owner": case.owner_id or "-", "team": case.team_id or "-"})


@app.command("close")
def close(case_id: int, root_cause: str = typer.Option(..., "--root-cause", help="a root-cause code"),
          recovered: str | None = typer.Option(None, help="yes, no or unknown"),
          resolution: str = typer.Option("", help="what was done")) -> None:
    """Close a case with a root cause."""
    data = parse(CloseIn, root_cause=root_cause, recovered=recovered, resolution=resolution)
    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        case = cases.close_case(session, case_id, data)
        console.print(i18n._("case %(id)s closed (%(root_cause)s)") % {"id": case.id, "root_cause": root_cause})
