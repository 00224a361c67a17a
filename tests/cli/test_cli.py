"""The command line end to end: users, tokens, imports with line-numbered errors, metrics."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from centric.cli.main import app
from tests.factories import make_journey

runner = CliRunner()


def run(db, *args: str, input: str | None = None):
    return runner.invoke(app, ["--database-url", db.url, *args], input=input)


def test_user_and_token(db):
    made = run(db, "user", "create", "ana@example.com", "--role", "analyst", input="long enough pw\nlong enough pw\n")
    assert made.exit_code == 0, made.output
    assert "ana@example.com (analyst)" in made.output
    again = run(db, "user", "create", "ana@example.com", "--role", "analyst", input="long enough pw\nlong enough pw\n")
    assert again.exit_code == 1 and "exists already" in again.output
    bad_role = run(db, "user", "create", "bo@example.com", "--role", "boss", input="long enough pw\nlong enough pw\n")
    assert bad_role.exit_code == 1 and "role" in bad_role.output
    token = run(db, "token", "create", "ana@example.com")
    assert token.exit_code == 0 and token.output.strip().startswith("ctc_")


def test_import_reports_file_line_and_field_then_metrics(db, tmp_path):
    with db.transaction() as s:
        make_journey(s)
    path = tmp_path / "responses.csv"
    path.write_text(
        "external_id,survey,email,touchpoint,nps,comment\n"
        "a,rnps,a@x.org,check-in,10,Great\n"
        "b,rnps,b@x.org,check-in,0,Awful\n"
        "c,rnps,c@x.org,check-in,12,\n"
        "d,rnps,d@x.org,room,9,\n",
        encoding="utf-8",
    )
    result = run(db, "import", "responses", str(path))
    assert result.exit_code == 1
    assert "3 created, 0 updated, 0 already stored, 1 rejected" in result.output
    assert f"{path}:4: field nps:" in result.output
    rerun = run(db, "import", "responses", str(path), "--json")
    assert json.loads(rerun.output[rerun.output.index("{"):])["skipped"] == 3
    table = run(db, "metrics", "nps", "--by", "touchpoint", "--json")
    assert table.exit_code == 0, table.output
    body = json.loads(table.output)
    assert "versus_rest" not in body
    rows = {r["group"]: r for r in body["rows"]}
    assert rows["Check-in"]["value"] == 0.0 and rows["Room"]["value"] == 100.0
    assert body["overall"]["n"] == 3
    text = run(db, "metrics", "nps", "--by", "touchpoint")
    assert "Check-in" in text.output and "95% interval" in text.output
    compared = run(db, "metrics", "nps", "--by", "touchpoint", "--compare")
    assert compared.exit_code == 0 and "against the rest" in compared.output and "Holm" in compared.output
    wrong = run(db, "metrics", "nps", "--by", "colour")
    assert wrong.exit_code == 2 and "cannot group by" in wrong.output


def test_surveys_from_a_template_to_links_and_a_qr_code(db, tmp_path):
    with db.transaction() as s:
        make_journey(s)
        from centric.customers.schemas import CustomerIn
        from centric.customers.service import upsert_customer

        customer_id = upsert_customer(s, CustomerIn(email="q@example.com")).id
    assert "onboarding-ces" in run(db, "surveys", "templates").output
    made = run(db, "surveys", "create", "onb", "Onboarding", "--template", "onboarding-ces", "--touchpoint", "room",
               "--draft")
    assert made.exit_code == 0 and "as a draft" in made.output and made.output.strip().endswith("/s/onb")
    assert run(db, "surveys", "create", "onb", "Again", "--template", "enps").exit_code == 2  # exists already
    assert run(db, "surveys", "create", "x", "X", "--template", "nope").exit_code == 2
    assert "version 1 is live" in run(db, "surveys", "publish", "onb").output
    listed = json.loads(run(db, "surveys", "list", "--json").output)
    assert {"key": "onb", "version": 1, "touchpoint": "room", "status": "active"}.items() <= next(
        s for s in listed if s["key"] == "onb").items()
    personal = run(db, "surveys", "link", "onb", "--customer-id", str(customer_id), "--score", "6").output.strip()
    assert "/s/onb?t=" in personal and personal.endswith("score=6")
    assert run(db, "surveys", "link", "onb", "--customer-id", "999").exit_code == 2
    svg = tmp_path / "onb.svg"
    assert run(db, "surveys", "qr", "onb", "--out", str(svg)).exit_code == 0 and "<svg" in svg.read_text()
    assert "is closed" in run(db, "surveys", "status", "onb", "closed").output


def test_import_encoding_option_and_exit_codes(db, tmp_path):
    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes("external_id,name,email\nc1,Zoë,z@x.org\n".encode("latin-1"))
    good = run(db, "import", "customers", str(legacy), "--encoding", "latin-1", "--json")
    assert good.exit_code == 0, good.output
    assert json.loads(good.output)["created"] == 1
    again = run(db, "import", "customers", str(legacy), "--json")  # detected, nothing new
    assert again.exit_code == 0 and json.loads(again.output)["skipped"] == 1
    doubled = tmp_path / "doubled.csv"
    doubled.write_text("external_id,email,email\nc2,a@x.org,b@x.org\n", encoding="utf-8")
    bad = run(db, "import", "customers", str(doubled))
    assert bad.exit_code == 1
    assert f"{doubled}:1: field email: the column 'email' appears twice" in bad.output


def test_csv_exports_neutralise_formulas(tmp_path):
    import csv

    from centric.cli.common import spreadsheet_safe

    assert spreadsheet_safe({"a": "=1+1", "b": "+1", "c": "-1", "d": "@SUM(A1)", "e": "\t=x", "f": "\r=x",
                             "g": "fine", "h": -3.5, "i": 2}) == {
        "a": "'=1+1", "b": "'+1", "c": "'-1", "d": "'@SUM(A1)", "e": "'\t=x", "f": "'\r=x", "g": "fine",
        "h": -3.5, "i": 2}
    source = tmp_path / "texts.csv"
    source.write_text('id,text\n"=HYPERLINK(""http://evil.example"")",The staff were lovely\nok,Slow check-in\n',
                      encoding="utf-8")
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["text", "analyze", str(source), "--text-col", "text", "--id-col", "id",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(newline="", encoding="utf-8") as handle:
        ids = [row["id"] for row in csv.DictReader(handle)]
    assert ids == ["'=HYPERLINK(\"http://evil.example\")", "ok"]
