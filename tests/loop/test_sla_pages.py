"""The SLA page: policies and calendars in words, and the forms that configure them (managers only)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from centric.accounts.models import Team
from centric.errors import Invalid
from centric.jobs.models import Job
from centric.loop import sla
from centric.loop.models import BusinessCalendar, SlaPolicy
from centric.loop.sla_schemas import CalendarIn, PolicyIn
from centric.loop.views.sla import (
    Names,
    conditions_in_words,
    duration_in_words,
    escalation_in_words,
    next_holidays,
    parse_periods,
    periods_in_words,
)
from tests.api.conftest import auth
from tests.api.test_pages import login

SPLIT = "mon-fri 08:00-12:30, 13:30-18:00\nsat 09:00-13:00"
EVIL = "<script>alert('sla')</script> Gold"
NO_NAMES = Names(teams={7: "Front Office"}, touchpoints={}, rules={}, users={3: "Maya"})


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _manager(client) -> str:
    assert login(client, "manager@example.com").status_code == 303
    page = client.get("/sla")
    assert page.status_code == 200
    return _csrf(page.text)


# --- reading the forms and saying things in words (pure) ------------------------------------------


def test_periods_text_becomes_split_shifts_per_weekday():
    periods = parse_periods(SPLIT + "\n\nsun,wed 9:00-10:00\nfri-mon 19:00–20:00")
    assert periods["tue"] == [("08:00", "12:30"), ("13:30", "18:00")]
    assert periods["sat"] == [("09:00", "13:00"), ("19:00", "20:00")]  # fri-mon wraps over the weekend
    assert periods["wed"] == [("08:00", "12:30"), ("09:00", "10:00"), ("13:30", "18:00")]  # overlap: the service says
    assert periods["mon"][-1] == ("19:00", "20:00") and periods["sun"] == [("09:00", "10:00"), ("19:00", "20:00")]
    for text, message in (("monday 09:00-17:00", "'monday' is not a weekday"), ("mon 9-17", "not a period"),
                          ("09:00-17:00", "write days then times"), ("mon-fry 09:00-17:00", "'fry'")):
        with pytest.raises(Invalid, match=message) as caught:
            parse_periods("sat 09:00-13:00\n" + text)
        assert caught.value.field == "periods" and "line 2" in caught.value.message


def test_policies_and_calendars_read_as_words():
    assert periods_in_words(parse_periods(SPLIT)) == ["mon–fri 08:00–12:30, 13:30–18:00", "sat 09:00–13:00"]
    assert periods_in_words(parse_periods("mon 09:00-17:00\nwed 09:00-17:00")) == ["mon 09:00–17:00",
                                                                                   "wed 09:00–17:00"]
    assert periods_in_words({}) == ["closed every day"]
    assert duration_in_words(90) == "1 h 30 min" and duration_in_words(960) == "16 h"
    assert duration_in_words(45) == "45 min" and duration_in_words(None) == "–"
    assert conditions_in_words({}, NO_NAMES) == "every case"
    tree = {"any": [{"field": "priority", "op": "in", "value": ["high", "urgent"]},
                    {"all": [{"field": "team_id", "op": "eq", "value": 7}, {"field": "severity", "op": "gte",
                                                                            "value": 3}]}]}
    assert conditions_in_words(tree, NO_NAMES) == \
        "priority is one of high, urgent or (team is Front Office and severity is at least 3)"
    assert conditions_in_words({"field": "team_id", "op": "ne", "value": 99}, NO_NAMES) == "team is not #99 (deleted)"
    steps = [{"when": "at_risk", "target": "first_contact", "action": "notify_owner"},
             {"when": "breached", "target": "first_contact", "action": "reassign"},
             {"when": "breached", "target": "first_contact", "action": "notify_manager", "to_user_id": 3},
             {"when": "breached", "target": "resolution", "action": "notify_lead", "to_team_id": 7}]
    assert escalation_in_words(steps, 0.8, NO_NAMES) == (
        "at 80% of first contact: notify the owner → at breach: reassign to the team lead, notify Maya"
        " → at breach of resolution: notify the lead of Front Office")
    assert escalation_in_words([], 0.8, NO_NAMES) == "none"


def test_the_next_holidays_are_those_that_close_a_working_day():
    row = BusinessCalendar(name="London", timezone="Europe/London", periods=parse_periods("mon-fri 09:00-17:00"),
                           holiday_country="GB", holiday_subdivision="ENG",
                           extra_holidays=["2024-12-24", "2024-12-28"])  # the 28th is a Saturday: nothing closes
    assert next_holidays(row, date(2024, 12, 20)) == [
        (date(2024, 12, 24), "company holiday"), (date(2024, 12, 25), "Christmas Day"),
        (date(2024, 12, 26), "Boxing Day"), (date(2025, 1, 1), "New Year's Day"), (date(2025, 4, 18), "Good Friday")]
    bare = BusinessCalendar(name="Bare", timezone="UTC", periods={"mon": [["09:00", "17:00"]]}, extra_holidays=[])
    assert next_holidays(bare, date(2024, 12, 20)) == []


# --- the page -----------------------------------------------------------------------------------------


def test_managers_see_policies_in_order_in_words_and_others_are_refused(client, tokens, db):
    with db.transaction() as s:
        team = s.scalars(select(Team).where(Team.name == "Front Office")).one()  # made by the tokens fixture
        office = sla.create_calendar(s, CalendarIn(name="London office", timezone="Europe/London",
                                                   periods=parse_periods(SPLIT), holiday_country="GB",
                                                   holiday_subdivision="ENG", extra_holidays=["2031-03-03"]))
        sla.create_policy(s, PolicyIn(name="Everything else", position=5, resolution_minutes=2880))
        sla.create_policy(s, PolicyIn(
            name="Urgent", position=1, calendar_id=office.id, first_contact_minutes=90, at_risk_ratio=0.75,
            conditions={"all": [{"field": "priority", "op": "in", "value": ["high", "urgent"]},
                                {"field": "team_id", "op": "eq", "value": team.id}]},
            escalation=[{"when": "at_risk", "target": "first_contact", "action": "notify_owner"},
                        {"when": "breached", "target": "first_contact", "action": "reassign"}]))
    _manager(client)
    text = client.get("/sla").text
    assert text.index("Urgent") < text.index("Everything else")  # by position, not by name or age
    assert "priority is one of high, urgent and team is Front Office" in text
    assert "at 75% of first contact: notify the owner → at breach: reassign to the team lead" in text
    assert "first contact: 1 h 30 min" in text and "resolution: 48 h" in text and "24×7 (no calendar)" in text
    assert "Europe/London" in text and "mon–fri 08:00–12:30, 13:30–18:00" in text and "GB/ENG" in text
    assert "2031-03-03" in text and "Christmas Day" in text
    assert 'href="/sla" aria-current="page">SLAs</a>' in text
    for role in ("agent", "viewer", "analyst"):
        assert client.get("/sla", headers=auth(tokens[role])).status_code == 403
    assert 'href="/sla"' not in client.get("/", headers=auth(tokens["agent"])).text


def test_calendars_and_policies_are_created_through_the_forms(client, tokens, db):
    csrf = _manager(client)
    made = client.post("/sla/calendars", follow_redirects=False, data={
        "csrf": csrf, "form": "calendar", "name": "Paris", "timezone": "Europe/Paris", "periods": SPLIT,
        "holiday_country": "fr", "extra_holidays": "2030-05-02\n\n2030-05-03"})
    assert made.status_code == 303 and made.headers["location"] == "/sla"
    with db.transaction() as s:
        paris = s.scalars(select(BusinessCalendar)).one()
        assert paris.periods["wed"] == [["08:00", "12:30"], ["13:30", "18:00"]] and "sun" not in paris.periods
        assert paris.holiday_country == "FR" and paris.extra_holidays == ["2030-05-02", "2030-05-03"]
        jobs_before = s.scalar(select(func.count()).select_from(Job).where(Job.name == sla.REAPPLY_TASK))
    made = client.post("/sla/policies", follow_redirects=False, data={
        "csrf": csrf, "form": "policy", "name": "Hot", "priority": ["high", "urgent"], "calendar_id": str(paris.id),
        "first_contact_minutes": "60", "resolution_minutes": "", "at_risk_ratio": "0.9",
        "escalation": '[{"when": "breached", "target": "first_contact", "action": "notify_lead"}]'})
    assert made.status_code == 303
    second = client.post("/sla/policies", follow_redirects=False, data={
        "csrf": csrf, "form": "policy", "name": "Calm", "conditions": '{"field": "severity", "op": "lte", "value": 2}',
        "priority": "low", "next_response_minutes": "240"})
    assert second.status_code == 303
    with db.transaction() as s:
        hot, calm = s.scalars(select(SlaPolicy).order_by(SlaPolicy.position)).all()
        assert (hot.name, hot.position, hot.calendar_id, hot.first_contact_minutes, hot.resolution_minutes) == \
            ("Hot", 0, paris.id, 60, None)
        assert hot.conditions == {"all": [{"field": "priority", "op": "in", "value": ["high", "urgent"]}]}
        assert hot.at_risk_ratio == 0.9 and hot.escalation == [
            {"when": "breached", "target": "first_contact", "action": "notify_lead"}]
        assert calm.position == 1 and calm.conditions == {"all": [
            {"field": "severity", "op": "lte", "value": 2}, {"field": "priority", "op": "in", "value": ["low"]}]}
        assert s.scalar(select(func.count()).select_from(Job).where(Job.name == sla.REAPPLY_TASK)) > jobs_before
    assert "at breach of first contact: notify the team lead" in client.get("/sla").text


BAD_INPUT = [
    ("/sla/calendars", {"name": "Mars", "timezone": "Mars/Base", "periods": "mon 09:00-17:00"},
     "unknown time zone &#39;Mars/Base&#39;"),
    ("/sla/calendars", {"name": "Odd", "periods": "mon 09:00-17:00\nmonday 10:00-11:00"},
     "line 2: &#39;monday&#39; is not a weekday"),
    ("/sla/calendars", {"name": "Inside out", "periods": "tue 17:00-09:00"}, "tue: a period must start before"),
    ("/sla/calendars", {"name": "Nowhere", "periods": "mon 09:00-17:00", "holiday_country": "XX"},
     "holiday_country: the holidays library knows no country"),
    ("/sla/calendars", {"name": "Dates", "periods": "mon 09:00-17:00", "extra_holidays": "next friday"},
     "is not an ISO date"),
    ("/sla/policies", {"name": "Slow", "first_contact_minutes": "soon"}, "first_contact_minutes: Input should be"),
    ("/sla/policies", {"name": "Broken", "escalation": "[{"}, "escalation: not valid JSON"),
    ("/sla/policies", {"name": "Wrong step", "escalation": '[{"when": "never"}]'}, "escalation.0.when"),
    ("/sla/policies", {"name": "Odd", "conditions": '{"field": "verbatim", "op": "eq"}'},
     "a condition&#39;s field must be one of"),
    ("/sla/policies", {"name": "Risky", "at_risk_ratio": "1.5"}, "at_risk_ratio: Input should be less than 1"),
    ("/sla/policies", {"name": "Nowhere", "calendar_id": "999"}, "business calendar 999 not found"),
]


def test_bad_input_re_renders_the_page_with_the_message(client, tokens, db):
    csrf = _manager(client)
    for path, fields, message in BAD_INPUT:
        form = "calendar" if "calendars" in path else "policy"
        answer = client.post(path, data={"csrf": csrf, "form": form, **fields})
        assert answer.status_code == 422 and answer.headers["content-type"].startswith("text/html"), fields
        assert message in answer.text and 'role="alert"' in answer.text, (message, answer.text[:2000])
        assert f'value="{fields["name"]}"' in answer.text  # what was typed is kept
    with db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(SlaPolicy)) == 0
        assert s.scalar(select(func.count()).select_from(BusinessCalendar)) == 0


def test_forms_need_the_csrf_token_and_the_configure_permission(client, tokens, db):
    _manager(client)
    data = {"name": "Forged", "periods": "mon 09:00-17:00"}
    assert client.post("/sla/calendars", data=data).status_code == 403
    assert client.post("/sla/calendars", data={**data, "csrf": "wrong"}).status_code == 403
    assert client.post("/sla/policies", data={"name": "Forged"}, headers=auth(tokens["agent"])).status_code == 403
    with db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(BusinessCalendar)) == 0
        assert s.scalar(select(func.count()).select_from(SlaPolicy)) == 0


def test_a_hostile_policy_name_is_shown_as_text(client, tokens, db):
    csrf = _manager(client)
    assert client.post("/sla/policies", data={"csrf": csrf, "name": EVIL}, follow_redirects=False).status_code == 303
    page = client.get("/sla").text
    assert "<script>alert(" not in page and "&lt;script&gt;alert(&#39;sla&#39;)&lt;/script&gt; Gold" in page
    again = client.post("/sla/policies", data={"csrf": csrf, "form": "policy", "name": EVIL})
    assert again.status_code == 422 and "is taken" in again.text and "<script>alert(" not in again.text


def test_policies_move_up_and_down_and_are_deactivated(client, tokens, db):
    csrf = _manager(client)
    for name in ("A", "B", "C"):
        assert client.post("/sla/policies", data={"csrf": csrf, "name": name}, follow_redirects=False).status_code \
            == 303
    with db.transaction() as s:
        ids = {p.name: p.id for p in s.scalars(select(SlaPolicy))}

    def order() -> list[str]:
        with db.transaction() as s:
            return [p.name for p in sla.list_policies(s)[0]]

    moved = client.post(f"/sla/policies/{ids['C']}/move", data={"csrf": csrf, "direction": "up"},
                        follow_redirects=False)
    assert moved.status_code == 303 and order() == ["A", "C", "B"]
    client.post(f"/sla/policies/{ids['A']}/move", data={"csrf": csrf, "direction": "down"})
    assert order() == ["C", "A", "B"]
    client.post(f"/sla/policies/{ids['C']}/move", data={"csrf": csrf, "direction": "up"})  # first already
    assert order() == ["C", "A", "B"]
    sideways = client.post(f"/sla/policies/{ids['A']}/move", data={"csrf": csrf, "direction": "sideways"})
    assert sideways.status_code == 422 and "direction must be up or down" in sideways.text
    assert client.post("/sla/policies/999999/move", data={"csrf": csrf, "direction": "up"}).status_code == 404
    off = client.post(f"/sla/policies/{ids['A']}/deactivate", data={"csrf": csrf}, follow_redirects=False)
    assert off.status_code == 303
    with db.transaction() as s:
        assert sla.get_policy(s, ids["A"]).active is False and sla.get_policy(s, ids["B"]).active is True
    assert client.post("/sla/policies/999999/deactivate", data={"csrf": csrf}).status_code == 404
    assert client.post(f"/sla/policies/{ids['B']}/deactivate", data={}).status_code == 403
