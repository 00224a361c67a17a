"""Helpers shared by the jobs, worker, outreach, webhooks and connectors commands.

``centric.cli.main`` imports the command modules while it loads, so they reach its
helpers lazily, through these functions.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.table import Table

from centric.config import Settings
from centric.db import Database
from centric.errors import CentricError

console = Console()
T = TypeVar("T")


def options() -> Settings:
    from centric.cli import main

    return main.settings()


def database() -> Database:
    from centric.cli import main

    return main.open_db()


def fail(message: str, code: int = 1) -> NoReturn:
    from centric.cli import main

    main.fail(message, code)
    raise AssertionError  # unreachable: fail exits


@contextmanager
def errors_as_messages() -> Iterator[None]:
    """Domain and validation errors end the command with one clear line, never a traceback."""
    try:
        yield
    except CentricError as exc:
        fail(f"{exc.field}: {exc.message}" if exc.field and exc.field not in exc.message else exc.message, 2)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        fail(f"{where}: {first.get('msg', 'invalid')}" if where else first.get("msg", "invalid"), 2)


def parse(schema: type[T], **values: Any) -> T:
    with errors_as_messages():
        return schema.model_validate(values)  # type: ignore[attr-defined]


def json_arg(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"{what} is not valid JSON: {exc.msg}", 2)


def show(rows: list[BaseModel], columns: list[str], as_json: bool, title: str = "",
         cell: Callable[[Any], str] = lambda v: "" if v is None else str(v)) -> None:
    if as_json:
        console.print_json(json.dumps([r.model_dump(mode="json") for r in rows]))
        return
    table = Table(title=title or None)
    for column in columns:
        table.add_column(column)
    for row in rows:
        values = row.model_dump()
        table.add_row(*(cell(values.get(c)) for c in columns))
    console.print(table)
