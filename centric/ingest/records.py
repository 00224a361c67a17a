"""Reading CSV and JSON Lines files into records, with the line each came from.

CSV columns are flat (``email``, ``nps``, ``comment``…) and are turned into the nested
shape the API takes; JSON Lines records already have the API's shape.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
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


def read_rows(path: Path | str, kind: str, *, data: bytes | None = None) -> Iterator[SourceRow]:
    """Rows of a ``.csv`` or ``.jsonl``/``.ndjson`` file (``data`` overrides reading ``path``)."""
    name = str(path).lower()
    raw = data if data is not None else Path(path).read_bytes()
    if name.endswith(".json") and raw.lstrip()[:1] == b"[":
        yield from _json_array_rows(raw)
    elif name.endswith((".jsonl", ".ndjson", ".json")):
        yield from _jsonl_rows(raw)
    elif name.endswith(".csv"):
        yield from _csv_rows(raw, kind)
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


def _csv_rows(raw: bytes, kind: str) -> Iterator[SourceRow]:
    lines = raw.splitlines(keepends=True)
    if lines and lines[0].startswith(b"\xef\xbb\xbf"):
        lines[0] = lines[0][3:]
    decoded: list[str] = []
    bad: dict[int, str] = {}
    for number, encoded in enumerate(lines, start=1):
        try:
            decoded.append(encoded.decode("utf-8"))
        except UnicodeDecodeError as exc:
            bad[number] = f"invalid UTF-8 at byte {exc.start}"
            decoded.append(encoded.decode("utf-8", errors="replace"))
    if 1 in bad:
        yield SourceRow(1, None, RowError(1, None, f"header: {bad[1]}"))
        return
    reader = csv.DictReader(io.StringIO("".join(decoded)))
    header = reader.fieldnames or []
    if not header:
        yield SourceRow(1, None, RowError(1, None, "the file is empty"))
        return
    while True:
        previous = reader.line_num
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield SourceRow(reader.line_num, None, RowError(reader.line_num, None, f"CSV: {exc}"))
            return
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
        yield SourceRow(line_number, flat_to_record(kind, {k: (v or "").strip() for k, v in row.items()}))


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
