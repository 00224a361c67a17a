"""``centric staff``: import and list the staff directory (employees are personal data: handle the output with care)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from centric import i18n
from centric.cli.common import console, err, errors_as_messages, open_db, report_import
from centric.mirror import staff

app = typer.Typer(help="The staff directory: employees asked in employee pulses.", no_args_is_help=True)


@app.command("import")
def import_staff(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    json_out: bool = typer.Option(False, "--json", help="print the report as JSON"),
) -> None:
    """Create or update employees from a CSV or JSON Lines file; re-importing the same file changes nothing.

    Columns: external_id, email, name, team, location, job_title, touchpoints (keys separated by ;).
    Rejected rows are printed as FILE:LINE: field F: reason; the exit code is 1 when any was rejected.
    """
    data = path.read_bytes()
    total = max(data.count(b"\n") - (1 if path.suffix.lower() == ".csv" else 0), 0)
    db = open_db()
    with Progress(TextColumn(i18n._("importing %(name)s") % {"name": path.name}), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(),
                  console=err, disable=json_out) as progress:
        task = progress.add_task(i18n._('rows'), total=total)
        with errors_as_messages(), db.transaction() as session:
            report = staff.import_employees(session, staff.read_staff_rows(path.name, data), None,
                                            on_row=lambda _line: progress.advance(task))
    report_import(path, report.model_dump_json() if json_out else None,
                  i18n._("%(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(failed)s "
                         "rejected") % {"created": report.created, "updated": report.updated,
                                        "unchanged": report.unchanged, "failed": report.failed}, report.errors,
                                        report.failed)


@app.command("list")
def list_staff(
    json_out: bool = typer.Option(False, "--json", help="print JSON"),
    inactive: bool = typer.Option(False, "--inactive", help="include deactivated employees"),
) -> None:
    """The directory: name, e-mail, team, location, job title and touchpoints."""
    db = open_db()
    with db.reader() as session:
        rows, _ = staff.list_employees(session, active=None if inactive else True, limit=10**9)
    if json_out:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
        return
    table = Table(title=i18n._("%(n_rows)s employees") % {"n_rows": len(rows)})
    for column in (i18n.N_("external id"), i18n.N_("name"), i18n.N_("e-mail"), i18n.N_("team"), i18n.N_("location"),
                   i18n.N_("job title"), i18n.N_("touchpoints")):
        table.add_column(i18n._(column))
    for r in rows:
        table.add_row(r.external_id or "", r.name, r.email or "", r.team or "", r.location, r.job_title,
                      ", ".join(r.touchpoints))
    console.print(table)
