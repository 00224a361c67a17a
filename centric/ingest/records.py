"""Reading CSV and JSON Lines files into records, with the line each came from.

CSV columns are flat (``email``, ``nps``, ``comment``…) and are turned into the nested
shape the API takes; JSON Lines records already have the API's shape.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from centric.customers.models import IDENTITY_KINDS


@dataclass(frozen=True)
class RowError:
    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", field {self.field}" if self.field else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class SourceRow:
    line: int
    record: dict[str, Any] | None
    error: RowError | None = None


CUSTOMER_COLUMNS = {"customer_external_id", "customer_name", "email", "phone", "social", "customer_id"}
KIND_COLUMNS = {
    "customers": {"external_id", "name", "email", "phone", "social"},
    "events": {"kind", "occurred_at", "touchpoint", "value", "source", "external_id"},
    "responses": {"survey", "touchpoint", "submitted_at", "locale", "channel", "external_id"},
    "feedback": {"text", "channel", "source", "external_id", "touchpoint", "rating", "occurred_at"},
}
IMPORT_KINDS = tuple(KIND_COLUMNS)


def read_rows(path: Path | str, kind: str, *, data: bytes | None = None,
              encoding: str | None = None) -> RowSource:
    """Rows of a ``.csv`` or ``.jsonl``/``.ndjson`` file (``data`` overrides reading ``path``).

    ``encoding`` applies to CSV files; by default it is detected (see :func:`csv_encoding`).
    JSON is UTF-8 by definition. CSV and JSON Lines are read as a stream, a block of lines
    at a time, so memory stays bounded whatever the file's size; a JSON array is read whole.
    """
    return RowSource(path, kind, data, encoding)


BLOCK = 1 << 20  # bytes read at a time


def _jsonl_rows(handle: BinaryIO) -> Iterator[SourceRow]:
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError as exc:
            yield SourceRow(number, None, RowError(number, None, f"invalid UTF-8 at byte {exc.start}"))
            continue
        except json.JSONDecodeError as exc:
            yield SourceRow(number, None, RowError(number, None, f"malformed JSON: {exc.msg}"))
            continue
        if not isinstance(record, dict):
            yield SourceRow(number, None, RowError(number, None, "each line must hold a JSON object"))
            continue
        yield SourceRow(number, record)


def _json_array_rows(raw: bytes) -> Iterator[SourceRow]:
    """A JSON array of records; the "line" reported is the record's position (1-based)."""
    try:
        records = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        yield SourceRow(0, None, RowError(0, None, f"invalid UTF-8 at byte {exc.start}"))
        return
    except json.JSONDecodeError as exc:
        yield SourceRow(exc.lineno, None, RowError(exc.lineno, None, f"malformed JSON: {exc.msg}"))
        return
    for number, record in enumerate(records, start=1):
        if isinstance(record, dict):
            yield SourceRow(number, record)
        else:
            yield SourceRow(number, None, RowError(number, None, "each item must be a JSON object"))


def csv_encoding(raw: bytes) -> str:
    """The encoding of a CSV file: a BOM's, else UTF-8, else Windows-1252/latin-1.

    A file with no valid non-ASCII UTF-8 at all but bytes that are not UTF-8 was written
    in a legacy 8-bit encoding (Excel on Windows). A UTF-8 file with a few broken lines
    stays UTF-8, so only those lines fail instead of every accent becoming mojibake.
    """
    return _stream_encoding(io.BytesIO(raw))


def _blocks(handle: BinaryIO) -> Iterator[bytes]:
    """The stream in blocks of about :data:`BLOCK` bytes, each ending after a ``\\n`` (but the last)."""
    rest = b""
    while block := handle.read(BLOCK):
        block = rest + block
        cut = block.rfind(b"\n") + 1
        rest, block = block[cut:], block[:cut]
        if block:
            yield block
    if rest:
        yield rest


def _stream_encoding(handle: BinaryIO) -> str:
    """:func:`csv_encoding` read block by block (the stream is left at its start)."""
    head = handle.read(3)
    handle.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    broken = False
    legacy = "cp1252"
    try:
        for block in _blocks(handle):
            try:
                if not block.decode("utf-8").isascii():
                    return "utf-8"  # valid non-ASCII UTF-8: the file is UTF-8 with, at most, broken lines
                continue
            except UnicodeDecodeError:
                broken = True
            for line in block.split(b"\n"):
                try:
                    if not line.isascii() and line.decode("utf-8"):
                        return "utf-8"
                except UnicodeDecodeError:
                    continue
            try:
                block.decode("cp1252")
            except UnicodeDecodeError:
                legacy = "latin-1"
    finally:
        handle.seek(0)
    return legacy if broken else "utf-8"


def _text_lines(handle: BinaryIO, codec: str, bad: dict[int, str], recent: list[str]) -> Iterator[str]:
    """The stream's lines (split at ``\\n``) as text; a line that is not valid UTF-8 is noted in ``bad``.

    Each line is also appended to ``recent``, which the reader empties after each record.
    """
    if codec not in ("utf-8", "utf-8-sig"):
        decoder = codecs.getincrementaldecoder(codec)(errors="replace")
        rest = ""
        while block := handle.read(BLOCK):
            text = rest + decoder.decode(block)
            cut = text.rfind("\n") + 1
            rest = text[cut:]
            for line in io.StringIO(text[:cut]):
                recent.append(line)
                yield line
        rest += decoder.decode(b"", final=True)
        if rest:
            recent.append(rest)
            yield rest
        return
    number = 0
    for block in _blocks(handle):
        if number == 0 and block.startswith(codecs.BOM_UTF8):
            block = block[3:]
        try:
            lines: Iterable[str] = io.StringIO(block.decode("utf-8"))
        except UnicodeDecodeError:
            lines = _decoded_one_by_one(block, number, bad)
        for line in lines:
            number += 1
            recent.append(line)
            yield line


def _decoded_one_by_one(block: bytes, first: int, bad: dict[int, str]) -> list[str]:
    """The lines of a block that holds invalid UTF-8, noting each broken line (numbered from ``first`` + 1)."""
    parts = block.split(b"\n")
    encoded = [part + b"\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    decoded: list[str] = []
    for number, line in enumerate(encoded, start=first + 1):
        try:
            decoded.append(line.decode("utf-8"))
        except UnicodeDecodeError as exc:
            bad[number] = f"invalid UTF-8 at byte {exc.start} (give the file's encoding with --encoding)"
            decoded.append(line.decode("utf-8", errors="replace"))
    return decoded


Cells = tuple[int, list[str]]  # a CSV record: its (first) line and its cells, unstripped


def _csv_cells(handle: BinaryIO, encoding: str | None) -> Iterator[Cells | RowError]:
    """The header (line 1) and then every record of a CSV stream, or the error of each bad one.

    A record's cells are as many as the header's (short records are padded with ``""``);
    blank records are left out. After an error in the header nothing more is yielded.
    """
    bad: dict[int, str] = {}
    recent: list[str] = []
    try:
        codec = codecs.lookup(encoding or _stream_encoding(handle)).name
    except LookupError:
        yield RowError(0, None, f"unknown encoding {encoding!r}")
        return
    reader = csv.reader(_text_lines(handle, codec, bad, recent))
    try:
        header = [column.strip() for column in next(reader, [])]
    except csv.Error as exc:
        yield RowError(1, None, f"header: {exc}")
        return
    if 1 in bad:
        yield RowError(1, None, f"header: {bad[1]}")
        return
    if not header:
        yield RowError(1, None, "the file is empty")
        return
    seen: set[str] = set()
    for column in header:
        if column in seen:
            yield RowError(1, column, f"the column {column!r} appears twice in the header: rename or remove one")
            return
        seen.add(column)
    yield 1, header
    width = len(header)
    while True:
        previous = reader.line_num
        recent.clear()
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # One bad record (e.g. a field over csv.field_size_limit()) fails alone: the
            # reader starts afresh on the next line.
            long_column = _long_field("".join(recent), header, csv.field_size_limit())
            message = f"longer than {csv.field_size_limit()} characters" if long_column else f"CSV: {exc}"
            yield RowError(reader.line_num, long_column, message)
            continue
        line_number = reader.line_num
        if bad:
            broken = next((n for n in range(previous + 1, line_number + 1) if n in bad), None)
            problem = bad.get(broken, "") if broken is not None else ""
            for number in [n for n in bad if n <= line_number]:
                del bad[number]  # passed: the dictionary holds only the broken lines ahead
            if broken is not None:
                yield RowError(broken, None, problem)
                continue
        if len(row) != width:
            if len(row) > width:
                yield RowError(line_number, None, "more cells than header columns")
                continue
            row += [""] * (width - len(row))
        if not "".join(row).strip():
            continue
        yield line_number, row


def _csv_rows(handle: BinaryIO, kind: str, encoding: str | None = None) -> Iterator[SourceRow]:
    cells = _csv_cells(handle, encoding)
    header: list[str] = []
    for item in cells:
        if isinstance(item, RowError):
            yield SourceRow(item.line, None, item)
        elif header:
            yield source_row(kind, header, *item)
        else:
            header = item[1]


def source_row(kind: str, header: Sequence[str], line: int, row: Sequence[str]) -> SourceRow:
    """The API-shaped record of one CSV record."""
    cells = {column: cell.strip() for column, cell in zip(header, row, strict=True)}
    return SourceRow(line, flat_to_record(kind, cells))


@dataclass
class CsvChunk:
    """Up to ``size`` consecutive CSV records, as the set-based import reads them."""

    header: list[str]
    lines: list[int]
    rows: list[list[str]]  # cells as read, not stripped
    errors: list[RowError]


class RowSource:
    """What :func:`read_rows` returns: an iterable of :class:`SourceRow`, and for a CSV file
    also its records in chunks of raw cells (:meth:`csv_chunks`), which skip building a
    record per row."""

    def __init__(self, path: Path | str, kind: str, data: bytes | None, encoding: str | None) -> None:
        self.path, self.kind, self.data, self.encoding = path, kind, data, encoding

    @property
    def is_csv(self) -> bool:
        return str(self.path).lower().endswith(".csv")

    def _open(self) -> BinaryIO:
        return io.BytesIO(self.data) if self.data is not None else Path(self.path).open("rb")

    def __iter__(self) -> Iterator[SourceRow]:
        name = str(self.path).lower()
        with self._open() as handle:
            if name.endswith(".json") and handle.read(BLOCK).lstrip()[:1] == b"[":
                handle.seek(0)
                yield from _json_array_rows(handle.read())
            elif name.endswith((".jsonl", ".ndjson", ".json")):
                handle.seek(0)
                yield from _jsonl_rows(handle)
            elif self.is_csv:
                yield from _csv_rows(handle, self.kind, self.encoding)
            else:
                yield SourceRow(0, None, RowError(0, None, f"{self.path}: use a .csv or .jsonl file"))

    def csv_chunks(self, size: int) -> Iterator[CsvChunk]:
        """The CSV file's records, ``size`` at a time (errors ride with the chunk they fall in)."""
        with self._open() as handle:
            header: list[str] = []
            chunk = CsvChunk(header, [], [], [])
            for item in _csv_cells(handle, self.encoding):
                if isinstance(item, RowError):
                    chunk.errors.append(item)
                    continue
                if not header:
                    header[:] = item[1]
                    continue
                chunk.lines.append(item[0])
                chunk.rows.append(item[1])
                if len(chunk.rows) >= size:
                    yield chunk
                    chunk = CsvChunk(header, [], [], [])
            if chunk.rows or chunk.errors:
                yield chunk


def _long_field(text: str, header: Sequence[str], limit: int) -> str | None:
    """The header name of the first field of one CSV record longer than ``limit``, if any."""
    index = length = 0
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            index, length = index + 1, 0
            continue
        length += 1
        if length > limit:
            return header[index].strip() if index < len(header) else None
    return None


def _customer(cells: dict[str, str], *, own: bool) -> dict[str, Any] | None:
    """The customer named by a flat row; ``own`` when the row is the customer itself."""
    prefix = "" if own else "customer_"
    customer: dict[str, Any] = {"identities": []}
    external = cells.get("external_id" if own else "customer_external_id") or cells.get("customer_id", "")
    if external:
        customer["external_id"] = external
    name = cells.get("name" if own else "customer_name")
    if name:
        customer["name"] = name
    for kind in ("email", "phone"):
        if cells.get(kind):
            customer[kind] = cells[kind]
    for kind in IDENTITY_KINDS:
        if kind in ("email", "phone", "external"):
            continue
        value = cells.get(kind) or cells.get(prefix + kind)
        if value:
            customer["identities"].append({"kind": kind, "value": value})
    if not customer["identities"]:
        del customer["identities"]
    return customer if len(customer) > 0 else None


def flat_to_record(kind: str, cells: dict[str, str]) -> dict[str, Any]:
    """The API-shaped record for one flat CSV row."""
    own = KIND_COLUMNS[kind]
    record: dict[str, Any] = {}
    if kind == "customers":
        record = _customer(cells, own=True) or {}
        attributes = {k: v for k, v in cells.items() if k not in own and k not in CUSTOMER_COLUMNS and v != ""}
        if attributes:
            record["attributes"] = attributes
        return record
    for column in own:
        if cells.get(column, "") != "":
            record[column] = cells[column]
    customer = _customer(cells, own=False)
    if customer:
        record["customer"] = customer
    if kind == "responses":
        reserved = own | CUSTOMER_COLUMNS | set(IDENTITY_KINDS)
        record["answers"] = {k: v for k, v in cells.items() if k not in reserved and v != ""}
    if kind == "events":
        payload = {k: v for k, v in cells.items() if k not in own | CUSTOMER_COLUMNS and v != ""}
        if payload:
            record["payload"] = payload
    return record
