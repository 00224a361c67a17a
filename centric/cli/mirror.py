"""``centric mirror``: the delivery gap and the EX ↔ CX linkage from the shell (aggregates only)."""

from __future__ import annotations

from datetime import date, datetime

import typer
from rich.table import Table

from centric import i18n
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
        fail(i18n._("%(option)s: expected a date as YYYY-MM-DD, got %(value)s") % {"option": option,
                                                                                   "value": f"{value!r}"}, 2)


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
    console.print(i18n._("%(since)s to %(until)s (%(window)s)") % {"since": report.since, "until": report.until,
                                                                   "window": report.window}, markup=False,
                                                                   highlight=False)
    console.print(report.headline.text, markup=False, highlight=False)
    table = Table()
    for column in (i18n.N_("scope"), i18n.N_("name"), i18n.N_("metric"), i18n.N_("predicted"), i18n.N_("actual"),
                   i18n.N_("gap"), i18n.N_("95% CI"), i18n.N_("staff"), i18n.N_("customers"), i18n.N_("note")):
        table.add_column(i18n._(column))
    for row in report.company + report.teams + report.touchpoints:
        ci = "-"
        if row.low is not None:
            ci = i18n._("%(low)s to %(high)s") % {"low": _num(row.low), "high": _num(row.high)}
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
    enps = _num(report.company_enps.value if report.company_enps else None)
    console.print(i18n._("%(since)s to %(until)s; company eNPS %(enps)s")
                  % {"since": report.since, "until": report.until, "enps": enps}, markup=False, highlight=False)
    table = Table()
    for column in (i18n.N_("team"), i18n.N_("eNPS"), i18n.N_("engagement"), i18n.N_("NPS"), i18n.N_("CSAT"),
                   i18n.N_("CX change"), i18n.N_("recovery %"), i18n.N_("quadrant")):
        table.add_column(i18n._(column))
    for t in report.teams:
        table.add_row(t.team, _num(t.enps.value) if t.enps else i18n._("hidden"),
                      _num(t.engagement.value) if t.engagement else i18n._("hidden"), _num(t.nps.value),
                      _num(t.csat.value), _num(t.cx_change, True), _num(t.recovery_rate.value), t.quadrant or "-")
    console.print(table)
    for c in report.correlations:
        value = f"r = {c.pearson:.2f}" if c.pearson is not None else i18n._('not computed')
        console.print(i18n._("%(x)s ~ %(y)s: %(value)s over %(n)s teams %(note)s") % {"x": c.x, "y": c.y,
                                                                                      "value": value, "n": c.n,
                                                                                      "note": c.note}, markup=False,
                                                                                      highlight=False)
    console.print(report.caveat, markup=False, highlight=False)
