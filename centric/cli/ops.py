"""``centric doctor``, ``centric backup`` and ``centric restore``: the operator's commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from centric import i18n
from centric.cli.common import console, err, fail, open_db, settings
from centric.errors import CentricError, explain
from centric.ops.backup import Manifest, backup, restore
from centric.ops.backup import Progress as Report
from centric.ops.checks import Check
from centric.ops.doctor import diagnose

STATUS_STYLE = {"ok": "[green]OK[/green]", "warn": "[yellow]WARN[/yellow]", "fail": "[red]FAIL[/red]"}


def register(app: typer.Typer) -> None:
    """Add the operator's commands to the ``centric`` application."""
    app.command("doctor")(doctor)
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)


def doctor(timeout: float = typer.Option(5.0, min=0.5, max=60, help="seconds each remote check may take")) -> None:
    """Check the configuration, database, migrations, job queue and mail settings; exit 1 on any FAIL."""
    try:
        current = settings()
    except ValidationError as exc:
        _print_checks([Check("settings", "fail", explain(exc), fix=i18n._("Correct the CENTRIC_* variable named."))])
        raise typer.Exit(1) from None
    db = open_db(migrate=False)
    checks = diagnose(current, db, timeout)
    _print_checks(checks)
    failed = sum(c.status == "fail" for c in checks)
    warned = sum(c.status == "warn" for c in checks)
    console.print(i18n._("%(failed)d failed, %(warned)d warnings, %(ok)d OK")
                  % {"failed": failed, "warned": warned, "ok": len(checks) - failed - warned})
    if failed:
        raise typer.Exit(1)


def _print_checks(checks: list[Check]) -> None:
    table = Table(show_lines=False)
    for column in (i18n._("Check"), i18n._("Status"), i18n._("Finding"), i18n._("What to do")):
        table.add_column(column, overflow="fold")
    for check in checks:
        finding = check.reason + (f"\n[dim]{check.detail}[/dim]" if check.detail and check.status != "ok" else "")
        table.add_row(check.name, STATUS_STYLE[check.status], finding, check.fix if check.status != "ok" else "")
    console.print(table)


@contextmanager
def _progress() -> Iterator[Progress]:
    with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
                  console=err, transient=False) as progress:
        yield progress


def _reporter(progress: Progress) -> Report:
    tasks: dict[str, TaskID] = {}

    def report(step: str, done: int, total: int) -> None:
        if step not in tasks:
            tasks[step] = progress.add_task(step, total=total)
        progress.update(tasks[step], completed=done, total=total)

    return report


def _summary(manifest: Manifest) -> str:
    return i18n._("%(rows)s rows in %(tables)d tables, schema %(revision)s") % {
        "rows": f"{manifest.rows:,}", "tables": len(manifest.tables), "revision": ", ".join(manifest.revision) or "-"}


def backup_command(
    path: Path = typer.Argument(..., help="a new directory for the backup (data file and manifest.json)"),
) -> None:
    """Back up the whole database, consistently while Centric runs (SQLite online backup, or pg_dump)."""
    db = open_db(migrate=False)
    try:
        with _progress() as progress:
            manifest = backup(db, path, progress=_reporter(progress))
    except CentricError as exc:
        fail(exc.message)
    console.print(i18n._("backed up to %(path)s: %(summary)s") % {"path": path, "summary": _summary(manifest)})


def restore_command(
    path: Path = typer.Argument(..., help="a directory written by centric backup"),
    force: bool = typer.Option(False, "--force", help="replace a database that holds data already"),
) -> None:
    """Restore a backup into an empty database, check it against its manifest, then upgrade the schema."""
    db = open_db(migrate=False)
    try:
        with _progress() as progress:
            restored = restore(db, path, force=force, progress=_reporter(progress))
    except CentricError as exc:
        fail(exc.message)
    manifest = restored.manifest
    for revision in restored.applied:
        console.print(i18n._("applied %(revision)s") % {"revision": revision})
    console.print(i18n._("restored %(path)s (made %(made)s by Centric %(version)s): %(summary)s")
                  % {"path": path, "made": manifest.created_at, "version": manifest.centric_version,
                     "summary": _summary(manifest)})
