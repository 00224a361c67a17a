"""``centric targets`` and ``centric scorecards``: list and set targets, show and export scorecards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from sqlalchemy import select

from centric import i18n
from centric.accounts.models import Team, User
from centric.cli.common import console, errors_as_messages, fail, open_db, parse, show
from centric.governance import targets
from centric.governance.scorecards import scorecard, scorecard_csv
from centric.governance.target_schemas import TargetIn, TargetPatch

app = typer.Typer(help="Targets: metric × scope × period, with an owner and a threshold.", no_args_is_help=True)
scorecards_app = typer.Typer(help="Scorecards with noise-aware verdicts; CSV for performance reviews.",
                             no_args_is_help=True)


@app.command("list")
def list_targets(owner: str | None = typer.Option(None, help="only the targets of this user (e-mail)"),
                 team: str | None = typer.Option(None, help="only the targets of this team (name)"),
                 archived: bool = typer.Option(False, "--archived", help="include archived targets"),
                 json_out: bool = typer.Option(False, "--json")) -> None:
    """Targets with their owners."""
    db = open_db()
    with errors_as_messages(), db.reader() as session:
        user_id = _user_id(session, owner)
        team_id = _team_id(session, team)
        rows = targets.list_targets(session, owner_user_id=user_id, owner_team_id=team_id,
                                    include_archived=archived)
    show(rows, ["id", "name", "metric", "scope_label", "cadence", "direction", "threshold", "min_n", "owner",
                "active"], json_out, title=i18n._("targets (%(n_rows)s)") % {"n_rows": len(rows)}, cell=_cell)


def _cell(value: Any) -> str:
    """A table cell; the owner (a dict once dumped) as "user / team"."""
    if isinstance(value, dict):
        return " / ".join(str(value[k]) for k in ("user_name", "team_name") if value.get(k))
    return "" if value is None else str(value)


def _user_id(session: Any, email: str | None) -> int | None:
    if email is None:
        return None
    found = session.scalar(select(User.id).where(User.email == email.strip().lower()))
    if found is None:
        fail(i18n._("no user with e-mail %(email)s") % {"email": email}, 2)
    return int(found)


def _team_id(session: Any, name: str | None) -> int | None:
    if name is None:
        return None
    found = session.scalar(select(Team.id).where(Team.name == name))
    if found is None:
        fail(i18n._("no team named %(name)s") % {"name": name}, 2)
    return int(found)


@app.command("set")
def set_target(target_id: int | None = typer.Option(None, "--id", help="change this target instead of creating one"),
               name: str | None = None, metric: str | None = typer.Option(None, help="nps, csat, ces, "
               "contacted_48h, sla_hit, recovery, root_cause_share or churn"),
               scope: str | None = typer.Option(None, help="company, journey, stage, touchpoint, team, segment "
                                                "or attribute"),
               ref: str | None = typer.Option(None, help="the scope's key, team name, journey/stage or name=value"),
               cadence: str | None = typer.Option(None, help="month, quarter or year"),
               threshold: float | None = None,
               direction: str | None = typer.Option(None, help="at_least or at_most (default: the metric's)"),
               min_n: int | None = typer.Option(None, help="below it the verdict is 'not distinguishable'"),
               owner: str | None = typer.Option(None, help="the owning user's e-mail"),
               team: str | None = typer.Option(None, help="the owning team's name"),
               valid_from: str | None = typer.Option(None, help="YYYY-MM-DD (default: the current period's start)"),
               valid_until: str | None = typer.Option(None, help="YYYY-MM-DD (default: open-ended)"),
               notes: str | None = None, json_out: bool = typer.Option(False, "--json")) -> None:
    """Create a target, or change one with --id (acting as the system; audited)."""
    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        if scope == "team" and ref is not None and not ref.isdigit():
            ref = str(_team_id(session, ref))
        values: dict[str, Any] = {"name": name, "metric": metric, "scope_kind": scope, "scope_ref": ref,
                                  "cadence": cadence, "threshold": threshold, "direction": direction,
                                  "min_n": min_n, "owner_user_id": _user_id(session, owner),
                                  "owner_team_id": _team_id(session, team), "notes": notes,
                                  "valid_from": valid_from, "valid_until": valid_until}
        given = {k: v for k, v in values.items() if v is not None}
        if target_id is None:
            target = targets.create_target(session, parse(TargetIn, **given), None)
        else:
            target = targets.update_target(session, target_id, parse(TargetPatch, **given), None)
        out = targets.target_out(session, target.id)
    if json_out:
        console.print_json(out.model_dump_json())
    else:
        console.print(i18n._("target %(id)s: %(name)s — %(metric)s %(direction)s %(threshold)s (%(scope_label)s, per "
                             "%(cadence)s)") % {"id": out.id, "name": out.name, "metric": out.metric,
                                                "direction": out.direction, "threshold": f"{out.threshold:g}",
                                                "scope_label": out.scope_label, "cadence": out.cadence},
                                                highlight=False)


@scorecards_app.command("show")
def show_scorecard(owner: str | None = typer.Option(None, help="a user's e-mail"),
                   team: str | None = typer.Option(None, help="a team's name"),
                   period: str | None = typer.Option(None, help="2026-11, 2026-Q4 or 2026 (default: current)"),
                   json_out: bool = typer.Option(False, "--json")) -> None:
    """A scorecard: value, 95% interval, n, verdict and rank per target, and the method."""
    db = open_db()
    with errors_as_messages(), db.reader() as session:
        card = scorecard(session, user_id=_user_id(session, owner), team_id=_team_id(session, team), period=period)
    if json_out:
        console.print_json(card.model_dump_json())
        return
    for row in card.rows:
        value = "–" if row.value is None else f"{row.value:.1f}"
        interval = "" if row.low is None or row.high is None else f" [{row.low:.1f}, {row.high:.1f}]"
        rank = i18n._(", rank %(rank)s of %(size)s") % {"rank": row.rank,
                                                        "size": row.rank_group_size} if row.rank else ""
        console.print(f"{row.target.name} ({row.period}): {value}{interval}, n {row.n} — {row.verdict}: "
                      f"{row.reason}{rank}", markup=False, highlight=False)
    console.print(i18n._("method: %(method)s") % {"method": card.method}, markup=False, highlight=False)


@scorecards_app.command("export")
def export_scorecard(owner: str | None = typer.Option(None, help="a user's e-mail"),
                     team: str | None = typer.Option(None, help="a team's name"),
                     period: str | None = typer.Option(None, help="2026-11, 2026-Q4 or 2026 (default: current)"),
                     out: Path | None = typer.Option(None, "--out", help="write here instead of standard output")
                     ) -> None:
    """The scorecard as CSV for performance reviews (one row per target, the method on each row)."""
    db = open_db()
    with errors_as_messages(), db.reader() as session:
        card = scorecard(session, user_id=_user_id(session, owner), team_id=_team_id(session, team), period=period)
    text = scorecard_csv(card)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(i18n._("wrote %(n_rows)s row(s) to %(out)s") % {"n_rows": len(card.rows), "out": out},
                      highlight=False)
    typer.echo(i18n._("method: %(method)s") % {"method": card.method}, err=True)
