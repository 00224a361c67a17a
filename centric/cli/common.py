"""State and helpers shared by every ``centric`` command.

This module sits below ``centric.cli.main`` and the command modules: they import it,
it imports none of them, so a command never reaches back into the application that
assembles it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.table import Table

from centric import i18n
from centric.config import Settings
from centric.db import Database
from centric.errors import CentricError, explain
from centric.store import upgrade

console = Console()
err = Console(stderr=True)
ModelT = TypeVar("ModelT", bound=BaseModel)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cells: Mapping[str, Any]) -> dict[str, Any]:
    """A CSV row whose text cells cannot run as spreadsheet formulas (CSV injection).

    Spreadsheets evaluate a cell starting with ``= + - @`` (or a tab or CR before one),
    so a customer id or text from an input file could run ``=HYPERLINK(…)`` on the
    analyst's machine; such cells get a leading ``'`` (OWASP's advice). Numbers stay numbers.
    """
    return {key: "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value
            for key, value in cells.items()}


class State:
    """Options given before the sub-command (``centric --database-url … <command>``), and
    the databases the command opened."""

    def __init__(self) -> None:
        self.database_url: str | None = None
        self.databases: list[Database] = []

    def close(self) -> None:
        """Close the pooled connections of every database opened, when the command ends,
        rather than leave them to the garbage collector (psycopg warns about that)."""
        while self.databases:
            self.databases.pop().dispose()


state = State()


def settings() -> Settings:
    base = Settings()
    return base.model_copy(update={"database_url": state.database_url}) if state.database_url else base


def options() -> Settings:
    return settings()


def open_db(migrate: bool = True) -> Database:
    """The database of this command (closed by :meth:`State.close`), migrated unless ``migrate`` is false."""
    current = settings()
    db = Database(current.database_url, pool_size=current.db_pool_size, max_overflow=current.db_max_overflow,
                  pgbouncer=current.db_pgbouncer)
    state.databases.append(db)
    if migrate:
        upgrade(db)
    return db


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(i18n._("[red]error:[/red] %(message)s") % {"message": message})
    raise typer.Exit(code)


@contextmanager
def errors_as_messages() -> Iterator[None]:
    """Domain and validation errors end the command with one clear line, never a traceback."""
    try:
        yield
    except (CentricError, ValidationError) as exc:
        fail(explain(exc), 2)


def parse(schema: type[ModelT], **values: Any) -> ModelT:
    with errors_as_messages():
        return schema.model_validate(values)


def json_arg(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        fail(i18n._("%(what)s is not valid JSON: %(msg)s") % {"what": what, "msg": exc.msg}, 2)


def show(rows: Sequence[BaseModel], columns: list[str], as_json: bool, title: str = "",
         cell: Callable[[Any], str] = lambda v: "" if v is None else str(v)) -> None:
    if as_json:
        console.print_json(json.dumps([r.model_dump(mode="json") for r in rows]))
        return
    table = Table(title=title or None)
    for column in columns:
        table.add_column(i18n._(column))
    for row in rows:
        values = row.model_dump()
        table.add_row(*(cell(values.get(c)) for c in columns))
    console.print(table)


def report_import(path: object, json_text: str | None, summary: str, errors: Sequence[Any], failed: int) -> None:
    """Print an import's outcome (JSON, or the summary and one ``FILE:LINE: field F: reason`` per bad row).

    Exits 1 when any row was rejected.
    """
    if json_text is not None:
        console.print_json(json_text)
    else:
        console.print(summary)
        for error in errors:
            where = i18n._("field %(field)s: ") % {"field": error.field} if error.field else ""
            typer.echo(f"{path}:{error.line}: {where}{error.message}", err=True)
    if failed:
        raise typer.Exit(1)
