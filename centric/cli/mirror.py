"""``centric mirror``: the delivery gap and the EX ↔ CX linkage from the shell (aggregates only)."""

from __future__ import annotations

from datetime import date, datetime

import typer
from rich.table import Table

from centric.cli.common import console, errors_as_messages, fail, open_db, settings
from centric.mirror import gap as gap_service
from centric.mirror import linkage as linkage_service

app = typer.Typer(help="The mirror: staff's view of the customer experience.", no_args_is_help=True)


def _day(value: str | None, option: str) -> date | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        fail(f"{option}: expected a date as YYYY-MM-DD, got {value!r}", 2)


def _num(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+.1f}" if signed else f"{value:.1f}"


@app.command("gap")
def gap(since: str | None = typer.Option(None, help="first day, YYYY-MM-DD"),
        until: str | None = typer.Option(None, help="last day, YYYY-MM-DD"),
        json_out: bool = typer.Option(False, "--json")) -> None:
    """The delivery gap: staff's predictions of the customers' scores vs the customers' scores."""
    first, last = _day(since, "--since"), _day(until, "--until")
    db = open_db()
    with errors_as_messages(), db.reader() as session:
        report = gap_service.delivery_gap(session, since=first, until=last, k=settings().mirror_min_group)
    if json_out:
        console.print_json(report.model_dump_json())
        return
    console.print(f"{report.since} to {report.until} ({report.window})", markup=False, highlight=False)
    console.print(report.headline.text, markup=False, highlight=False)
    table = Table()
    for column in ("scope", "name", "metric", "predicted", "actual", "gap", "95% CI", "staff", "customers", "note"):
        table.add_column(column)
    for row in report.company + report.teams + report.touchpoints:
        ci = f"{_num(row.low)} to {_num(row.high)}" if row.low is not None else "-"
        table.add_row(row.scope, row.name, row.metric, _num(row.predicted), _num(row.actual), _num(row.gap, True),
                      ci, "" if row.n_staff is None else str(row.n_staff),
                      "" if row.n_customers is None else str(row.n_customers), row.note)
    console.print(table)


@app.command("linkage")
def linkage(since: str | None = typer.Option(None, help="first day, YYYY-MM-DD"),
            until: str | None = typer.Option(None, help="last day, YYYY-MM-DD"),
            json_out: bool = typer.Option(False, "--json")) -> None:
    """EX ↔ CX per team: eNPS and engagement beside customer NPS/CSAT and case outcomes."""
    first, last = _day(since, "--since"), _day(until, "--until")
    db = open_db()
    with errors_as_messages(), db.reader() as session:
        report = linkage_service.linkage(session, since=first, until=last, k=settings().mirror_min_group)
    if json_out:
        console.print_json(report.model_dump_json())
        return
    console.print(f"{report.since} to {report.until}; company eNPS "
                  f"{_num(report.company_enps.value if report.company_enps else None)}", markup=False,
                  highlight=False)
    table = Table()
    for column in ("team", "eNPS", "engagement", "NPS", "CSAT", "CX change", "recovery %", "quadrant"):
        table.add_column(column)
    for t in report.teams:
        table.add_row(t.team, _num(t.enps.value) if t.enps else "hidden",
                      _num(t.engagement.value) if t.engagement else "hidden", _num(t.nps.value), _num(t.csat.value),
                      _num(t.cx_change, True), _num(t.recovery_rate.value), t.quadrant or "-")
    console.print(table)
    for c in report.correlations:
        value = f"r = {c.pearson:.2f}" if c.pearson is not None else "not computed"
        console.print(f"{c.x} ~ {c.y}: {value} over {c.n} teams {c.note}", markup=False, highlight=False)
    console.print(report.caveat, markup=False, highlight=False)
