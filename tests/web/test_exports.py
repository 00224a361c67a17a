"""The export cells without a server: formulas made inert, numbers, dates, nested values."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import openpyxl

from centric.web import exports


def _csv(table: exports.Table) -> list[list[str]]:
    text = b"".join(exports._csv(table.columns, table.rows)).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_cells_are_inert_text_or_real_numbers_and_dates(tmp_path):
    items = [{"text": "=1+1", "n": -5, "x": float("nan"), "ok": True, "day": date(2026, 3, 1),
              "at": datetime(2026, 3, 1, 12, 30, tzinfo=UTC), "tags": ["a", "b"], "more": {"k": "张"},
              "note": 'say "hi",\r\nbye'}]
    columns = ["text", "n", "x", "ok", "day", "at", "tags", "more", "note"]
    rows = _csv(exports.table_of("t", items, columns))
    assert rows[0] == columns
    assert rows[1] == ["'=1+1", "-5", "", "true", "2026-03-01", "2026-03-01 12:30:00", "a; b", '{"k": "张"}',
                       'say "hi",\r\nbye']
    path = tmp_path / "t.xlsx"
    exports._write_workbook(str(path), columns, exports.table_of("t", items, columns).rows)
    sheet = openpyxl.load_workbook(path).active
    text, n, x, ok, day, at = (sheet.cell(2, i) for i in range(1, 7))
    assert (text.value, text.data_type, text.quotePrefix) == ("=1+1", "s", True)
    assert (n.value, x.value, ok.value) == (-5, None, True)
    assert day.value == datetime(2026, 3, 1) and at.value == datetime(2026, 3, 1, 12, 30)


def test_columns_follow_dotted_paths_and_functions():
    item = {"case": {"owner": {"name": "Li"}}, "n": 2}
    table = exports.table_of("x", [item], [("owner", "case.owner.name"), ("double", lambda i: i["n"] * 2),
                                            ("missing", "case.team.name")])
    assert list(table.columns) == ["owner", "double", "missing"] and list(table.rows) == [["Li", 4, None]]


def test_inert_only_touches_formula_prefixes():
    assert [exports.inert(t) for t in ("=A1", "+1", "-1", "@x", "\tx", "\rx", "a=b", "", "€")] == [
        "'=A1", "'+1", "'-1", "'@x", "'\tx", "'\rx", "a=b", "", "€"]
