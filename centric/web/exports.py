"""Tables as downloads: one mechanism for every staff page and JSON list.

A page (or API route) builds a :class:`Table` from the same rows it shows, already filtered
and already cut to what the caller's role may see, and hands it to :func:`respond` when the
request asked for a file: ``?format=csv|xlsx`` on a page, or ``Accept: text/csv`` /
``Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`` on the API.

CSV is UTF-8 with a byte-order mark (Excel then reads Chinese correctly) and RFC 4180
quoting, streamed row by row. XLSX is written by xlsxwriter in ``constant_memory`` mode to
a temporary file, then streamed: the header row bold and frozen, numbers as numbers, dates
as dates. In both, a text cell that a spreadsheet would run as a formula (it starts with
``= + - @``, a tab or a carriage return; OWASP "CSV injection") is made inert: CSV gets a
leading apostrophe, XLSX writes it as a string with Excel's quote prefix. Numbers stay numbers.

An export holds at most :data:`MAX_ROWS` rows; when more match, the response says so in the
``Centric-Export-Truncated`` header (the total that matched) and the page shows a note.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Literal, TypeVar

import xlsxwriter
from fastapi import Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from centric.db import Database
from centric.errors import Invalid

Format = Literal["csv", "xlsx"]
MAX_ROWS = 100_000
CHUNK = 1000
CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES: dict[Format, str] = {"csv": CSV_TYPE, "xlsx": XLSX_TYPE}
TRUNCATED_HEADER = "Centric-Export-Truncated"
# For `responses=` on a JSON route that also answers a file (schemathesis reads the OpenAPI document).
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {CSV_TYPE: {"schema": {"type": "string"}},
                      XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}}}}
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_SAFE_NAME = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Table:
    """Named columns and rows of plain values (str, int, float, bool, date, datetime or None).

    ``total`` is how many rows matched when that may be more than the rows given (a capped export).
    """

    name: str
    columns: Sequence[str]
    rows: Iterable[Sequence[object]]
    total: int | None = None


def field(item: object, path: str) -> object:
    """``item``'s value at a dotted ``path`` (attributes or mapping keys): ``"case.customer_name"``."""
    value: object = item
    for part in path.split("."):
        if value is None:
            return None
        value = value.get(part) if isinstance(value, Mapping) else getattr(value, part, None)
    return value


Column = str | tuple[str, str | Callable[[Any], object]]
"""A dotted path (also the header), or ``(header, path)``, or ``(header, function of the item)``."""


def table_of(name: str, items: Iterable[object], columns: Sequence[Column], total: int | None = None) -> Table:
    """A table of ``items``, one row each, with the given columns."""
    pairs = [(c, c) if isinstance(c, str) else c for c in columns]

    def cell(item: object, how: str | Callable[[Any], object]) -> object:
        return field(item, how) if isinstance(how, str) else how(item)

    return Table(name, [header for header, _ in pairs], ([cell(item, how) for _, how in pairs] for item in items),
                 total)


def requested(request: Request) -> Format | None:
    """The file the caller asked for: ``?format=`` (pages), else the ``Accept`` header (API); None for the page/JSON."""
    asked = request.query_params.get("format")
    if asked:
        if asked not in MEDIA_TYPES:
            raise Invalid(f"format: expected csv or xlsx, got {asked[:20]!r}", field="format")
        return "csv" if asked == "csv" else "xlsx"
    accept = request.headers.get("accept", "").lower()
    if XLSX_TYPE in accept:
        return "xlsx"
    if CSV_TYPE in accept and "application/json" not in accept and "text/html" not in accept:
        return "csv"
    return None


def respond(table: Table, fmt: Format) -> StreamingResponse:
    """The table as a download named ``centric-<table>-<date>.<fmt>``."""
    name = _SAFE_NAME.sub("-", table.name.lower()).strip("-") or "export"
    filename = f"centric-{name}-{datetime.now(UTC).date().isoformat()}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store",
               "X-Content-Type-Options": "nosniff"}
    if table.total is not None and table.total > MAX_ROWS:
        headers[TRUNCATED_HEADER] = str(table.total)
    body = _csv(table.columns, table.rows) if fmt == "csv" else _xlsx(table.columns, table.rows)
    media = "text/csv; charset=utf-8" if fmt == "csv" else XLSX_TYPE
    return StreamingResponse(body, media_type=media, headers=headers)


T = TypeVar("T")


def every(request: Request, session: Session,
          fetch: Callable[[Session, int, int], tuple[Sequence[T], int]]) -> tuple[Iterator[T], int]:
    """Every item of a paged query (up to :data:`MAX_ROWS`) and how many matched.

    ``fetch(session, limit, offset)`` is the page's own service call with its filters. The
    first slice is read now, in the request's session, so a bad filter is a 4xx before
    anything is sent; the rest is read while the file streams, in a session of its own
    (the request's is closed by then).
    """
    first, total = fetch(session, CHUNK, 0)
    return _rest(request, fetch, list(first)), total


def _rest(request: Request, fetch: Callable[[Session, int, int], tuple[Sequence[T], int]],
          first: list[T]) -> Iterator[T]:
    yield from first
    if len(first) < CHUNK:
        return
    db: Database = request.app.state.db
    with db.reader() as session:
        offset = len(first)
        while offset < MAX_ROWS:
            items, _ = fetch(session, min(CHUNK, MAX_ROWS - offset), offset)
            yield from items
            if len(items) < CHUNK:
                return
            offset += len(items)


def columns_of(model: type[BaseModel], leave_out: Sequence[str] = ()) -> tuple[str, ...]:
    """A JSON schema's fields as columns (nested values become JSON text in their cell)."""
    return tuple(name for name in model.model_fields if name not in leave_out)


def listing(request: Request, session: Session, name: str, columns: Sequence[Column],
            fetch: Callable[[Session, int, int], tuple[Sequence[T], int]]) -> StreamingResponse | None:
    """A JSON list route's answer as a file when one was asked for (every matching item, paging
    aside), else None: the route then answers its JSON page."""
    fmt = requested(request)
    if fmt is None:
        return None
    items, total = every(request, session, fetch)
    return respond(table_of(name, items, columns, total), fmt)


# --- cells ---------------------------------------------------------------------------------


def inert(text: str) -> str:
    """Text a spreadsheet will not run as a formula (OWASP CSV injection): a leading apostrophe."""
    return "'" + text if text.startswith(_DANGEROUS) else text


def _plain(value: object) -> object:
    """A cell value: numbers, booleans, dates and text; lists joined, mappings as JSON."""
    if value is None or isinstance(value, bool | int | float | date | str):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, BaseModel):
        return json.dumps(value.model_dump(mode="json"), ensure_ascii=False)
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, list | tuple | set | frozenset):
        return "; ".join(str(_plain(v)) for v in value)
    return str(value)


def _csv_cell(value: object) -> object:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return _utc(value).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return inert(value)
    if isinstance(value, float) and not math.isfinite(value):
        return ""  # NaN and infinities: blank, as in the XLSX
    return value


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


class _Buffer(io.StringIO):
    def take(self) -> bytes:
        text = self.getvalue()
        self.seek(0)
        self.truncate()
        return text.encode("utf-8")


def _csv(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[bytes]:
    buffer = _Buffer()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180: CRLF, quotes doubled, quoted when needed
    writer.writerow([inert(c) for c in columns])
    yield b"\xef\xbb\xbf" + buffer.take()
    for count, row in enumerate(rows, 1):
        writer.writerow([_csv_cell(v) for v in row])
        if count % 500 == 0:
            yield buffer.take()
        if count >= MAX_ROWS:
            break
    yield buffer.take()


def _xlsx(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[bytes]:
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="centric-export-")
    os.close(handle)
    try:
        _write_workbook(path, columns, rows)
        with open(path, "rb") as done:
            while chunk := done.read(64 * 1024):
                yield chunk
    finally:
        os.unlink(path)


def _write_workbook(path: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                      "strings_to_urls": False, "strings_to_numbers": False})
    try:
        sheet = book.add_worksheet("export")
        bold = book.add_format({"bold": True})
        quoted = book.add_format({"quote_prefix": True})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        for col, header in enumerate(columns):
            sheet.write_string(0, col, header, bold)
        sheet.freeze_panes(1, 0)
        for number, row in enumerate(rows, 1):
            if number > MAX_ROWS:
                break
            for col, raw in enumerate(row):
                value = _plain(raw)
                if value is None:
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(number, col, value)
                elif isinstance(value, int | float):
                    if math.isfinite(value):  # NaN and infinities: blank
                        sheet.write_number(number, col, value)
                elif isinstance(value, datetime):
                    sheet.write_datetime(number, col, _utc(value), moment)
                elif isinstance(value, date):
                    sheet.write_datetime(number, col, datetime(value.year, value.month, value.day), day)
                else:
                    text = str(value)
                    sheet.write_string(number, col, text, quoted if text.startswith(_DANGEROUS) else None)
    finally:
        book.close()
