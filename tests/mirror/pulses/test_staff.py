"""The staff directory: imports with errors by line and field, idempotent re-imports, the API, the CLI, roles."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from typer.testing import CliRunner

from centric.accounts.models import AuditLog
from centric.cli.main import app as cli
from centric.ingest.records import SourceRow
from centric.mirror import staff
from centric.mirror.models import Employee, EmployeeTouchpoint
from tests.api.conftest import auth
from tests.factories import make_journey

GOOD = ("external_id,email,name,team,location,job_title,touchpoints\n"
        "E1,ann@example.com,Ann,Front Office,Berlin,Receptionist,check-in;check-out\n"
        "E2,bob@example.com,Bob,Housekeeping,Berlin,Housekeeper,room\n")
BAD = ("external_id,email,name,team,location,job_title,touchpoints\n"
       "E1,ann@example.com,Ann,Front Office,Berlin,Receptionist,check-in\n"
       "E3,not-an-email,Cy,Front Office,Paris,,\n"
       "E4,dee@example.com,Dee,Front Office,Paris,,spa\n"
       ",,Nobody,Front Office,Paris,,\n"
       "E5,eve@example.com,Eve,Housekeeping,Paris,,room\n")


def _import(db, text: str, name: str = "staff.csv"):  # type: ignore[no-untyped-def]
    with db.transaction() as s:
        return staff.import_employees(s, staff.read_staff_rows(name, text.encode()), None)


def test_import_reports_bad_rows_by_line_and_field_and_keeps_the_good_ones(db):
    with db.transaction() as s:
        make_journey(s)
    report = _import(db, BAD)
    assert (report.created, report.failed) == (2, 3)
    assert [(e.line, e.field) for e in report.errors] == [(3, "email"), (4, "touchpoints"), (5, "external_id")]
    assert "spa" in report.errors[1].message
    with db.reader() as s:
        assert sorted(s.scalars(select(Employee.external_id))) == ["E1", "E5"]
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "staff.import")) == 1


def test_reimport_is_idempotent_and_updates_by_external_id_or_email(db):
    with db.transaction() as s:
        make_journey(s)
    first = _import(db, GOOD)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    again = _import(db, GOOD)
    assert (again.created, again.updated, again.unchanged, again.failed) == (0, 0, 2, 0)
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Employee)) == 2
        assert s.scalar(select(func.count()).select_from(EmployeeTouchpoint)) == 3
    moved = _import(db, '{"email": "ANN@example.com", "location": "Munich", "touchpoints": "room"}\n', "x.jsonl")
    assert (moved.created, moved.updated) == (0, 1)
    with db.reader() as s:
        ann = s.scalar(select(Employee).where(Employee.external_id == "E1"))
        assert ann is not None and ann.location == "Munich" and ann.job_title == "Receptionist"
        served = s.scalar(select(func.count()).select_from(EmployeeTouchpoint)
                          .where(EmployeeTouchpoint.employee_id == ann.id))
        assert served == 1


def test_a_row_naming_two_different_employees_is_rejected(db):
    _import(db, "external_id,email\nE1,ann@example.com\nE2,bob@example.com\n")
    report = _import(db, "external_id,email\nE1,bob@example.com\n")
    assert report.failed == 1 and report.errors[0].field == "email" and report.errors[0].line == 2


def test_unreadable_rows_keep_their_line():
    rows = list(staff.read_staff_rows("s.csv", b"external_id,colour\nE1,red\n"))
    assert rows == [SourceRow(1, None, rows[0].error)] and rows[0].error is not None
    assert rows[0].error.field == "colour"


def test_employees_api_is_for_hr_and_admins_only(client, tokens, hr_token):
    for role in ("viewer", "agent", "analyst", "manager"):
        assert client.get("/api/v1/employees", headers=auth(tokens[role])).status_code == 403, role
        assert client.post("/api/v1/employees", json={"email": "x@example.com"},
                           headers=auth(tokens[role])).status_code == 403, role
    made = client.post("/api/v1/employees", json={"email": "Zed@Example.com", "name": "Zed", "team": "Spa",
                                                  "touchpoints": ["room"]}, headers=auth(hr_token))
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["email"] == "zed@example.com" and body["team"] == "Spa" and body["touchpoints"] == ["room"]
    dup = client.post("/api/v1/employees", json={"email": "zed@example.com"}, headers=auth(hr_token))
    assert dup.status_code == 409 and "email" in dup.text
    bad = client.post("/api/v1/employees", json={"email": "a@example.com", "touchpoints": ["nope"]},
                      headers=auth(tokens["admin"]))
    assert bad.status_code == 422 and "nope" in bad.text
    patched = client.patch(f"/api/v1/employees/{body['id']}", json={"location": "Rome"}, headers=auth(hr_token))
    assert patched.json()["location"] == "Rome" and patched.json()["team"] == "Spa"
    gone = client.delete(f"/api/v1/employees/{body['id']}", headers=auth(hr_token))
    assert gone.json()["active"] is False
    listed = client.get("/api/v1/employees?active=false", headers=auth(tokens["admin"])).json()
    assert listed["total"] == 1 and listed["items"][0]["email"] == "zed@example.com"


def test_import_endpoint_takes_a_csv_body_or_an_upload(client, hr_token, tokens):
    answer = client.post("/api/v1/employees/import", content=BAD.encode(),
                         headers={**auth(hr_token), "content-type": "text/csv"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["created"] == 2 and [e["line"] for e in answer.json()["errors"]] == [3, 4, 5]
    upload = client.post("/api/v1/employees/import", files={"file": ("staff.csv", BAD.encode(), "text/csv")},
                         headers=auth(hr_token))
    assert upload.json()["unchanged"] == 2 and upload.json()["created"] == 0
    assert client.post("/api/v1/employees/import", content=b"x", headers={**auth(hr_token),
                       "content-type": "text/plain"}).status_code == 422
    assert client.post("/api/v1/employees/import", content=BAD.encode(),
                       headers={**auth(tokens["manager"]), "content-type": "text/csv"}).status_code == 403


def test_cli_imports_with_line_errors_and_lists(db, tmp_path):
    with db.transaction() as s:
        make_journey(s)
    path = tmp_path / "staff.csv"
    path.write_text(BAD)
    runner = CliRunner()
    result = runner.invoke(cli, ["--database-url", db.url, "staff", "import", str(path)])
    assert result.exit_code == 1
    assert f"{path}:3: field email:" in result.output and f"{path}:4: field touchpoints:" in result.output
    listed = runner.invoke(cli, ["--database-url", db.url, "staff", "list", "--json"])
    assert listed.exit_code == 0
    assert sorted(e["external_id"] for e in json.loads(listed.output)) == ["E1", "E5"]


def test_staff_page_imports_creates_pulses_and_opens_waves(client, hr_token, tokens):
    headers = auth(hr_token)
    imported = client.post("/staff/import", data={"csrf": ""}, files={"file": ("s.csv", BAD.encode(), "text/csv")},
                           headers=headers)
    assert imported.status_code == 200 and "2 created" in imported.text and "not-an-email" not in imported.text
    assert client.post("/staff/pulses", data={"key": "Bad Key!", "kind": "enps"}, headers=headers).status_code == 422
    made = client.post("/staff/pulses", data={"key": "enable", "kind": "enablement", "cadence": "quarterly"},
                       headers=headers, follow_redirects=False)
    assert made.status_code == 303
    pulse_id = client.get("/api/v1/pulses", headers=headers).json()["items"][0]["id"]
    assert client.post(f"/staff/pulses/{pulse_id}/waves", data={}, headers=headers,
                       follow_redirects=False).status_code == 303
    again = client.post(f"/staff/pulses/{pulse_id}/waves", data={}, headers=headers)
    assert again.status_code == 409
    page = client.get("/staff", headers=headers)
    assert page.status_code == 200 and "Enablement pulse" in page.text and "dee@example.com" not in page.text
    assert 'href="/staff"' in page.text and 'href="/ex"' in page.text
    manager_page = client.get("/ex", headers=auth(tokens["manager"]))
    assert manager_page.status_code == 200 and 'href="/staff"' not in manager_page.text
    assert client.get("/staff", headers=auth(tokens["manager"])).status_code == 403
    assert client.get("/ex", headers=auth(tokens["viewer"])).status_code == 403
