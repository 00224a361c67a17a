"""``centric journeys``: funnel, paths and time between stages of a journey; rebuild the summaries."""

from __future__ import annotations

import json
from datetime import date

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from centric import i18n
from centric.cli.common import console, err, errors_as_messages, open_db
from centric.journeys import analytics, funnels

app = typer.Typer(help="Journey analytics: funnel, paths, time between stages.", no_args_is_help=True)


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86_400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86_400:.1f} d"


def _where(segment: str | None, channel: str | None, start: str | None, end: str | None) -> funnels.JourneyFilter:
    def day(text: str | None, field: str) -> date | None:
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            err.print(i18n._("[red]error:[/red] %(field)s: expected YYYY-MM-DD, got %(text)s") % {"field": field,
                                                                                                  "text": f"{text!r}"})
            raise typer.Exit(2) from None
    return funnels.JourneyFilter(segment=segment, channel=channel, start=day(start, "--start"), end=day(end, "--end"))


SEGMENT = typer.Option(None, "--segment", help="segment or persona key")
CHANNEL = typer.Option(None, "--channel", help="entry channel")
START = typer.Option(None, "--start", help="entered on or after this day (YYYY-MM-DD)")
END = typer.Option(None, "--end", help="entered on or before this day (YYYY-MM-DD)")
JSON = typer.Option(False, "--json", help="print JSON")


@app.command("funnel")
def funnel(key: str, segment: str | None = SEGMENT, channel: str | None = CHANNEL, start: str | None = START,
           end: str | None = END, as_json: bool = JSON) -> None:
    """Customers reaching each stage in order within the conversion window."""
    where = _where(segment, channel, start, end)
    with errors_as_messages(), open_db().reader() as session:
        result = funnels.funnel(session, funnels.journey_by_key(session, key).id, where)
    if as_json:
        console.print_json(result.model_dump_json())
        return
    title = i18n._("%(key)s: %(entrants)s entrants, window %(days)s days (%(not_entered)s never reached the first "
                   "stage)") % {"key": key, "entrants": result.entrants, "days": result.conversion_window_days,
                                "not_entered": result.not_entered}
    table = Table(title=title)
    for column in (i18n.N_("step"), i18n.N_("stage"), i18n.N_("customers"), i18n.N_("from previous"),
                   i18n.N_("from entry"), i18n.N_("dropped")):
        table.add_column(i18n._(column))
    for row in result.stages:
        table.add_row(str(row.step), row.stage, str(row.customers), _percent(row.conversion_from_previous),
                      _percent(row.conversion_from_entry), str(row.dropped))
    console.print(table)


@app.command("paths")
def paths(key: str, top: int = typer.Option(10, "--top", min=0, max=100), segment: str | None = SEGMENT,
          channel: str | None = CHANNEL, start: str | None = START, end: str | None = END,
          as_json: bool = JSON) -> None:
    """The top paths of the entrants, then "other" buckets per depth (they add up to the funnel)."""
    where = _where(segment, channel, start, end)
    with errors_as_messages(), open_db().reader() as session:
        rows = funnels.paths(session, funnels.journey_by_key(session, key).id, top, where)
    if as_json:
        console.print_json(json.dumps([r.model_dump(mode="json") for r in rows]))
        return
    table = Table(title=i18n._("%(key)s: top %(top)s paths") % {"key": key, "top": top})
    for column in (i18n.N_("path"), i18n.N_("steps"), i18n.N_("customers"), i18n.N_("share")):
        table.add_column(i18n._(column))
    for row in rows:
        table.add_row(row.path or f"(other, {row.steps} steps)", str(row.steps), str(row.customers),
                      _percent(row.share))
    console.print(table)


@app.command("timing")
def timing(key: str, segment: str | None = SEGMENT, channel: str | None = CHANNEL, start: str | None = START,
           end: str | None = END, as_json: bool = JSON) -> None:
    """Median and p90 time between consecutive stages."""
    where = _where(segment, channel, start, end)
    with errors_as_messages(), open_db().reader() as session:
        result = funnels.timing(session, funnels.journey_by_key(session, key).id, where)
    if as_json:
        console.print_json(result.model_dump_json())
        return
    table = Table(title=i18n._("%(key)s: time between stages") % {"key": key}, caption=result.method)
    for column in (i18n.N_("from"), i18n.N_("to"), i18n.N_("customers"), i18n.N_("median"), i18n.N_("p90")):
        table.add_column(i18n._(column))
    for row in result.transitions:
        table.add_row(row.from_stage, row.to_stage, str(row.customers), _duration(row.median_s), _duration(row.p90_s))
    console.print(table)


@app.command("rebuild")
def rebuild(key: str | None = typer.Argument(None, help="journey key (default: every journey)")) -> None:
    """Recompute every customer's journey steps and paths from the event log."""
    db = open_db()
    with errors_as_messages(), db.transaction() as session, Progress(
            TextColumn(i18n._('customers')), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=err) as bar:
        journey_id = funnels.journey_by_key(session, key).id if key else None
        task = bar.add_task(i18n._('customers'), total=None)
        done = analytics.rebuild(session, journey_id,
                                 progress=lambda n, total: bar.update(task, completed=n, total=total))
    console.print(i18n._("rebuilt the journeys of %(done)s customers") % {"done": done})
