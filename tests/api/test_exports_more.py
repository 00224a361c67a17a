"""Downloads of the remaining staff tables: surveys, alert rules, SLAs, ROI, the Mirror pages, the staff
directory and a customer's privacy page. Each file holds the rows its page shows (compared with the page's
own data source), opens in openpyxl, is refused where the page is, and never names a suppressed group."""

from __future__ import annotations

from datetime import timedelta

import pytest

from centric.accounts.service import create_token
from centric.db import utcnow
from centric.outreach import service as outreach
from tests.api.conftest import auth
from tests.api.test_analytics import history  # noqa: F401  (300 customers with purchases and NPS)
from tests.api.test_exports import read_csv, read_xlsx
from tests.factories import make_user
from tests.mirror.gap_data import customers, staff, team_id, touchpoint_id, wave
from tests.mirror.maturity.test_maturity_api import ratings
from tests.mirror.pulses.conftest import add_staff, open_with_links
from tests.mirror.pulses.test_anonymity import _company

ROLES = ("viewer", "agent", "analyst", "manager", "admin", "hr")


@pytest.fixture
def everyone(db, tokens):
    """A token per role, HR included."""
    with db.transaction() as s:
        return {**tokens, "hr": create_token(s, make_user(s, "hr", "hr-exports@example.com"), "tests")[1]}


def same_roles(client, everyone, path: str, table: str | None = None) -> None:
    """The CSV and XLSX of ``path`` answer 403 exactly where the page does, and 200 where it opens."""
    suffix = f"&table={table}" if table else ""
    for role in ROLES:
        page = client.get(path, headers={**auth(everyone[role]), "Accept": "text/html"}).status_code
        assert page in (200, 403), (path, role, page)
        for fmt in ("csv", "xlsx"):
            sep = "&" if "?" in path else "?"
            answer = client.get(f"{path}{sep}format={fmt}{suffix}", headers=auth(everyone[role]))
            assert answer.status_code == page, (path, role, fmt, answer.status_code, answer.text[:200])


def links_on(client, headers, path: str, table: str | None = None) -> None:
    page = client.get(path, headers={**headers, "Accept": "text/html"}).text
    for fmt in ("csv", "xlsx"):
        wanted = f"table={table}&amp;format={fmt}" if table else f"format={fmt}"
        assert wanted in page, (path, table, fmt)


# --- surveys, alert rules, SLAs -------------------------------------------------------------------------


def test_surveys_export_the_list_the_api_gives(client, everyone):
    viewer = auth(everyone["viewer"])
    rows = read_csv(client.get("/surveys?format=csv", headers=viewer))
    listed = client.get("/api/v1/surveys?limit=200", headers=viewer).json()["items"]
    assert listed and [(int(r["id"]), r["key"], r["status"], int(r["responses"])) for r in rows] == [
        (s["id"], s["key"], s["status"], s["responses"]) for s in listed]
    header, xlsx_rows, _ = read_xlsx(client.get("/surveys?format=xlsx", headers=viewer))
    assert header == ["id", "key", "name", "kind", "status", "touchpoint", "version", "responses"]
    assert [row[1] for row in xlsx_rows] == [s["key"] for s in listed]
    same_roles(client, everyone, "/surveys")
    links_on(client, viewer, "/surveys")


RULE = {"name": "=Detractors", "condition": {"all": [{"field": "nps", "op": "lte", "value": 6}]}, "severity": 3,
        "actions": {"notify": {"emails": ["secret-lead@example.com"]}}}


def test_alert_rules_export_what_the_page_shows_and_not_the_actions(client, everyone):
    manager = auth(everyone["manager"])
    created = client.post("/api/v1/alert-rules", json=RULE, headers=manager)
    assert created.status_code == 201, created.text
    answer = client.get("/alert-rules?format=csv", headers=auth(everyone["agent"]))
    rows = read_csv(answer)
    listed = client.get("/api/v1/alert-rules", headers=auth(everyone["agent"])).json()["items"]
    assert [int(r["id"]) for r in rows] == [r["id"] for r in listed]
    mine = next(r for r in rows if int(r["id"]) == created.json()["id"])
    assert mine["name"] == "'=Detractors" and mine["severity"] == "3" and mine["active"] == "true"
    assert '"lte"' in mine["condition"] and "actions" not in mine
    assert b"secret-lead" not in answer.content
    header, xlsx_rows, _ = read_xlsx(client.get("/alert-rules?format=xlsx", headers=manager))
    assert header[:3] == ["id", "name", "description"] and len(xlsx_rows) == len(listed)
    same_roles(client, everyone, "/alert-rules")
    links_on(client, manager, "/alert-rules")


def test_sla_policies_and_calendars_export_for_managers_only(client, everyone):
    manager = auth(everyone["manager"])
    office = client.post("/api/v1/sla/calendars", headers=manager, json={
        "name": "Office", "timezone": "Europe/London", "periods": {"mon": [["09:00", "17:00"]]},
        "holiday_country": "GB", "holiday_subdivision": "ENG", "extra_holidays": ["2024-12-24"]}).json()
    policy = client.post("/api/v1/sla/policies", headers=manager, json={
        "name": "Default", "calendar_id": office["id"], "first_contact_minutes": 60, "resolution_minutes": 2880,
        "escalation": [{"when": "breached", "target": "first_contact", "action": "notify_owner"}]}).json()
    policies = read_csv(client.get("/sla?format=csv", headers=manager))
    assert [(int(p["id"]), p["name"], p["first_contact_minutes"], p["resolution_minutes"], p["calendar"])
            for p in policies] == [(policy["id"], "Default", "60", "2880", "Office")]
    assert policies[0]["escalation"] and policies[0]["next_response_minutes"] == ""
    header, rows, _ = read_xlsx(client.get("/sla?format=xlsx&table=calendars", headers=manager))
    calendar = dict(zip(header, rows[0], strict=True))
    assert calendar["name"] == "Office" and calendar["timezone"] == "Europe/London"
    assert calendar["holiday_country"] == "GB" and "2024-12-24" in calendar["own_holidays"]
    assert client.get("/sla?format=csv&table=moons", headers=manager).status_code == 422
    same_roles(client, everyone, "/sla")
    same_roles(client, everyone, "/sla", table="calendars")
    links_on(client, manager, "/sla", "policies")
    links_on(client, manager, "/sla", "calendars")


# --- ROI ------------------------------------------------------------------------------------------------


def test_roi_exports_its_categories_and_root_causes(client, everyone, history):  # noqa: F811
    viewer = auth(everyone["viewer"])
    rows = read_csv(client.get("/roi?format=csv", headers=viewer))
    api = client.get("/api/v1/value/roi", headers=viewer).json()["categories"]
    assert [(r["category"], int(r["customers"])) for r in rows] == [(c["category"], c["n"]) for c in api]
    for row, category in zip(rows, api, strict=True):
        assert float(row["churn_rate"]) == pytest.approx(category["churn_rate"]["value"])
        assert float(row["total_value"]) == pytest.approx(category["total_value"])
    header, xlsx_rows, _ = read_xlsx(client.get("/roi?format=xlsx&table=categories", headers=viewer))
    assert header[:3] == ["category", "customers", "churn_rate"] and len(xlsx_rows) == len(api)
    causes = read_csv(client.get("/roi?format=csv&table=root-causes", headers=viewer))
    assert causes == []  # no closed case yet; the header alone
    assert client.get("/roi?format=csv&table=planets", headers=viewer).status_code == 422
    same_roles(client, everyone, "/roi")
    links_on(client, viewer, "/roi", "categories")
    links_on(client, viewer, "/roi", "root-causes")


def test_roi_without_purchases_is_a_4xx_not_an_empty_file(client, everyone):
    answer = client.get("/roi?format=csv", headers=auth(everyone["viewer"]))
    assert answer.status_code == 422


# --- the Mirror -----------------------------------------------------------------------------------------


def test_ex_export_holds_the_published_groups_and_no_hidden_one(db, client, everyone):
    _company(db, client)  # team C is one person, the only one in Rome: hidden
    hr = auth(everyone["hr"])
    report = client.get("/api/v1/ex/report", headers=hr).json()
    hidden = [g for g in report["groups"] if g["status"] == "hidden"]
    assert hidden, "the fixture must hide a group"
    answer = client.get("/ex?format=csv", headers=hr)
    rows = read_csv(answer)
    published = [g for g in report["groups"] if g["status"] != "hidden"]
    assert [(r["dimension"], r["key"], r["status"], int(r["respondents"])) for r in rows] == [
        (g["dimension"], g["key"], g["status"], g["n"]) for g in published]
    assert {g["key"] for g in hidden}.isdisjoint(r["key"] for r in rows)
    for group in hidden:
        assert group["label"] not in {r["group"] for r in rows}
    assert b"unicorn-comment" not in answer.content and b"Rome" not in answer.content
    header, xlsx_rows, _ = read_xlsx(client.get("/ex?format=xlsx", headers=hr))
    assert len(xlsx_rows) == len(published) and "C" not in {row[header.index("group")] for row in xlsx_rows}
    same_roles(client, everyone, "/ex")
    links_on(client, hr, "/ex")


def _gap_data(db) -> None:  # type: ignore[no-untyped-def]
    """Front Office (6 staff) predicts NPS 60 at check-in and rates eNPS; Housekeeping: 2 staff (hidden)."""
    with db.transaction() as s:
        w = wave(s, "mirror-web")
        staff(s, w, team_id(s, "Front Office"), [("guess_nps", touchpoint_id(s, "check-in"), 60),
                                                 ("enps", None, 9)], times=6)
        staff(s, w, team_id(s, "Housekeeping"), [("guess_nps", touchpoint_id(s, "room"), 90),
                                                 ("enps", None, 2)], times=2)
        # staff in no team: with them the hidden ones are at least k together, so Front Office may be shown
        staff(s, w, None, [("guess_nps", touchpoint_id(s, "check-out"), 10), ("enps", None, 8)], times=3)
        customers(s, "rnps", "check-in", [10] * 4 + [8] * 4 + [3] * 2, utcnow() - timedelta(days=10))


def test_gap_exports_only_the_shown_rows_of_each_table(db, client, everyone):
    _gap_data(db)
    manager = auth(everyone["manager"])
    body = client.get("/api/v1/mirror/gap", headers=manager).json()
    assert any(not row["shown"] for row in body["teams"]), "the fixture must hide a team"
    for table in ("company", "teams", "touchpoints"):
        answer = client.get(f"/mirror/gap?format=csv&table={table}", headers=manager)
        rows = read_csv(answer)
        shown = [row for row in body[table] if row["shown"]]
        assert [(r["key"], r["metric"], int(r["n_staff"])) for r in rows] == [
            (row["key"], row["metric"], row["n_staff"]) for row in shown], table
        for row, expected in zip(rows, shown, strict=True):
            assert float(row["predicted"]) == pytest.approx(expected["predicted"])
        assert b"Housekeeping" not in answer.content and all(int(r["n_staff"]) >= body["k"] for r in rows)
        header, xlsx_rows, _ = read_xlsx(client.get(f"/mirror/gap?format=xlsx&table={table}", headers=manager))
        assert header[:4] == ["scope", "key", "name", "metric"] and len(xlsx_rows) == len(shown)
        same_roles(client, everyone, "/mirror/gap", table=table)
        links_on(client, manager, "/mirror/gap", table)
    front = read_csv(client.get("/mirror/gap?format=csv&table=teams", headers=manager))
    assert [r["name"] for r in front] == ["Front Office"] and float(front[0]["gap"]) == pytest.approx(40)
    assert client.get("/mirror/gap?format=csv&table=people", headers=manager).status_code == 422


def test_linkage_exports_the_teams_with_hidden_ex_left_blank(db, client, everyone):
    _gap_data(db)
    manager = auth(everyone["manager"])
    teams = client.get("/api/v1/mirror/linkage", headers=manager).json()["teams"]
    rows = read_csv(client.get("/mirror/linkage?format=csv", headers=manager))
    assert [int(r["team_id"]) for r in rows] == [t["team_id"] for t in teams]
    by_team = {r["team"]: r for r in rows}
    assert float(by_team["Front Office"]["enps"]) == pytest.approx(100) and by_team["Front Office"]["enps_n"] == "6"
    hidden = by_team["Housekeeping"]  # 2 staff: their eNPS is suppressed, their customers' NPS is not
    assert hidden["ex_shown"] == "false"
    assert all(hidden[f"{name}_{part}" if part else name] == "" for name in ("enps", "engagement")
               for part in ("", "low", "high", "n"))
    for row, team in zip(rows, teams, strict=True):  # customer figures as the page has them
        assert (float(row["nps"]) if row["nps"] else None) == pytest.approx(team["nps"]["value"])
    header, xlsx_rows, _ = read_xlsx(client.get("/mirror/linkage?format=xlsx", headers=manager))
    housekeeping = dict(zip(header, next(r for r in xlsx_rows if r[1] == "Housekeeping"), strict=True))
    assert housekeeping["enps"] is None and housekeeping["enps_n"] is None
    same_roles(client, everyone, "/mirror/linkage")
    links_on(client, manager, "/mirror/linkage")


def test_maturity_exports_its_trend_competencies_and_items(client, everyone):
    manager = auth(everyone["manager"])
    assert client.get("/mirror/maturity?format=csv&table=items", headers=manager).status_code == 422  # none yet
    first = client.post("/api/v1/mirror/maturity", json={"title": "Q1", "ratings": ratings(2)}, headers=manager)
    second = client.post("/api/v1/mirror/maturity", json={"title": "Q2", "ratings": ratings(4)}, headers=manager)
    assert first.status_code == second.status_code == 201
    listed = client.get("/api/v1/mirror/maturity", headers=manager).json()["items"]
    trend = read_csv(client.get("/mirror/maturity?format=csv", headers=manager))
    assert [(int(r["id"]), r["title"]) for r in trend] == [(a["id"], a["title"]) for a in listed]
    assert all(r["overall_stage"] for r in trend) and any(k.endswith("_stage") and k != "overall_stage"
                                                          for k in trend[0])
    detail = client.get(f"/api/v1/mirror/maturity/{first.json()['id']}", headers=manager).json()
    path = f"/mirror/maturity/{first.json()['id']}"
    competencies = read_csv(client.get(f"{path}?format=csv&table=competencies", headers=manager))
    assert [(c["key"], c["stage"]) for c in competencies] == [
        (c["key"], str(c["stage"]) if c["stage"] is not None else "") for c in detail["competencies"]]
    header, items, _ = read_xlsx(client.get(f"{path}?format=xlsx&table=items", headers=manager))
    assert [row[header.index("key")] for row in items] == [r["key"] for r in detail["ratings"]]
    assert {row[header.index("rating")] for row in items} == {2}
    same_roles(client, everyone, "/mirror/maturity")
    same_roles(client, everyone, path, table="items")
    for table in ("trend", "competencies", "items"):
        links_on(client, manager, "/mirror/maturity", table)


# --- the staff directory, a customer's privacy page ------------------------------------------------------


def test_staff_directory_and_waves_export_to_hr_only(db, client, everyone):
    add_staff(db, [(f"a{i}@example.com", "A", "Berlin") for i in range(6)] + [("=x@example.com", "B", "Rome")])
    open_with_links(db)
    hr = auth(everyone["hr"])
    listed = client.get("/api/v1/employees?limit=200", headers=hr).json()["items"]
    rows = read_csv(client.get("/staff?format=csv", headers=hr))
    assert [(int(r["id"]), r["email"], r["team"]) for r in rows] == [
        (e["id"], "'" + e["email"] if e["email"].startswith("=") else e["email"], e["team"]) for e in listed]
    assert "external_id" not in rows[0]
    header, xlsx_rows, _ = read_xlsx(client.get("/staff?format=xlsx&table=directory", headers=hr))
    assert header == ["id", "name", "email", "team", "location", "job_title", "touchpoints", "active"]
    assert len(xlsx_rows) == len(listed)
    waves = read_csv(client.get("/staff?format=csv&table=waves", headers=hr))
    assert [(w["pulse_key"], w["invited"], w["answered"]) for w in waves] == [("pulse", "7", "")]  # none answered
    assert client.get("/staff?format=csv&table=answers", headers=hr).status_code == 422
    same_roles(client, everyone, "/staff")
    same_roles(client, everyone, "/staff", table="waves")
    links_on(client, hr, "/staff", "directory")
    links_on(client, hr, "/staff", "waves")


def test_privacy_page_tables_export_to_admins_only(db, client, everyone):
    agent = auth(everyone["agent"])
    created = client.post("/api/v1/customers", headers=agent, json={"name": "Eve", "email": "eve@example.com"})
    customer_id = created.json()["id"]
    invited = client.post("/api/v1/outreach/invitations", headers=agent,
                          json={"survey": "rnps", "customer_id": customer_id})
    assert invited.status_code in (200, 201), invited.text
    admin = auth(everyone["admin"])
    path = f"/customers/{customer_id}/privacy"
    rows = read_csv(client.get(f"{path}?format=csv", headers=admin))
    with db.reader() as s:
        shown = outreach.list_invitations(s, customer_id=customer_id, limit=20)
        skipped = outreach.list_skips(s, customer_id=customer_id, limit=20)
    assert shown and [(int(r["id"]), r["survey"], r["status"]) for r in rows] == [
        (i.id, i.survey, i.status) for i in shown]
    assert "address" not in rows[0]
    header, skip_rows, _ = read_xlsx(client.get(f"{path}?format=xlsx&table=skips", headers=admin))
    assert header == ["id", "at", "survey", "channel", "rule", "reason"] and len(skip_rows) == len(skipped)
    assert client.get(f"{path}?format=csv&table=notes", headers=admin).status_code == 422
    assert client.get("/customers/999999/privacy?format=csv", headers=admin).status_code == 404
    same_roles(client, everyone, path)
    same_roles(client, everyone, path, table="skips")
    links_on(client, admin, path, "invitations")
    links_on(client, admin, path, "skips")
