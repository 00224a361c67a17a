"""Reading CSV and JSON Lines files into records, with the line each came from.

CSV columns are flat (``email``, ``nps``, ``comment``…) and are turned into the nested
shape the API takes; JSON Lines records already have the API's shape.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
              encoding: str | None = None) -> Iterator[SourceRow]:
    """Rows of a ``.csv`` or ``.jsonl``/``.ndjson`` file (``data`` overrides reading ``path``).

    ``encoding`` applies to CSV files; by default it is detected (see :func:`csv_encoding`).
    JSON is UTF-8 by definition.
    """
    name = str(path).lower()
    raw = data if data is not None else Path(path).read_bytes()
    if name.endswith(".json") and raw.lstrip()[:1] == b"[":
        yield from _json_array_rows(raw)
    elif name.endswith((".jsonl", ".ndjson", ".json")):
        yield from _jsonl_rows(raw)
    elif name.endswith(".csv"):
        yield from _csv_rows(raw, kind, encoding)
    else:
        yield SourceRow(0, None, RowError(0, None, f"{path}: use a .csv or .jsonl file"))


def _jsonl_rows(raw: bytes) -> Iterator[SourceRow]:
    for number, line in enumerate(raw.splitlines(), start=1):
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
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    for line in raw.splitlines():
        try:
            if not line.isascii() and line.decode("utf-8"):
                return "utf-8"
        except UnicodeDecodeError:
            continue
    try:
        raw.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _decode_lines(raw: bytes, encoding: str) -> tuple[list[str], dict[int, str]]:
    """The file's lines as text, and for each line that does not decode, why."""
    if encoding.replace("_", "-").lower() not in ("utf-8", "utf8", "utf-8-sig"):
        return raw.decode(encoding, errors="replace").splitlines(keepends=True), {}
    lines = raw.splitlines(keepends=True)
    if lines and lines[0].startswith(b"\xef\xbb\xbf"):
        lines[0] = lines[0][3:]
    decoded: list[str] = []
    bad: dict[int, str] = {}
    for number, encoded in enumerate(lines, start=1):
        try:
            decoded.append(encoded.decode("utf-8"))
        except UnicodeDecodeError as exc:
            bad[number] = f"invalid UTF-8 at byte {exc.start} (give the file's encoding with --encoding)"
            decoded.append(encoded.decode("utf-8", errors="replace"))
    return decoded, bad


def _csv_rows(raw: bytes, kind: str, encoding: str | None = None) -> Iterator[SourceRow]:
    try:
        decoded, bad = _decode_lines(raw, encoding or csv_encoding(raw))
    except LookupError:
        yield SourceRow(0, None, RowError(0, None, f"unknown encoding {encoding!r}"))
        return
    if 1 in bad:
        yield SourceRow(1, None, RowError(1, None, f"header: {bad[1]}"))
        return
    reader = csv.DictReader(io.StringIO("".join(decoded)))
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        yield SourceRow(1, None, RowError(1, None, f"header: {exc}"))
        return
    if not header:
        yield SourceRow(1, None, RowError(1, None, "the file is empty"))
        return
    seen: set[str] = set()
    for column in header:
        if column.strip() in seen:
            yield SourceRow(1, None, RowError(1, column.strip(), f"the column {column.strip()!r} appears twice "
                                                                 "in the header: rename or remove one"))
            return
        seen.add(column.strip())
    while True:
        previous = reader.line_num
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # One bad record (e.g. a field over csv.field_size_limit()) fails alone: the
            # reader starts afresh on the next line.
            line_number = reader.reader.line_num  # DictReader's own count moves only on success
            long_column = _long_field("".join(decoded[previous:line_number]), header, csv.field_size_limit())
            message = f"longer than {csv.field_size_limit()} characters" if long_column else f"CSV: {exc}"
            yield SourceRow(line_number, None, RowError(line_number, long_column, message))
            reader.line_num = line_number
            continue
        line_number = reader.line_num
        broken = next((n for n in range(previous + 1, line_number + 1) if n in bad), None)
        if broken is not None:
            yield SourceRow(broken, None, RowError(broken, None, bad[broken]))
            continue
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        if None in row:
            yield SourceRow(line_number, None, RowError(line_number, None, "more cells than header columns"))
            continue
        yield SourceRow(line_number, flat_to_record(kind, {k.strip(): (v or "").strip() for k, v in row.items()}))


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
