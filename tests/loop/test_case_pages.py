"""The agent inbox, case and workload pages: scoping, tabs, escaping, the case forms, CSRF and roles."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select

from centric.accounts.models import Team, User
from centric.db import utcnow
from centric.loop.case_schemas import CaseOut
from centric.loop.cases import CaseDraft, open_cases
from centric.loop.models import Case, RootCause
from centric.loop.views.cases import countdown, next_due
from tests.api.test_pages import login
from tests.api.test_statement_counts import counted
from tests.factories import respond

EVIL = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _setup(db) -> dict[str, int]:
    """An agent in Front Office owning "Ours"; "Theirs" in Housekeeping; "Loose" with nobody; a root cause."""
    with db.transaction() as s:
        teams = {t.name: t.id for t in s.scalars(select(Team))}
        agent = s.scalar(select(User).where(User.role == "agent"))
        agent.team_id = teams["Front Office"]
        ours, theirs, loose = open_cases(s, [
            CaseDraft(title="Ours", source="manual", team_id=teams["Front Office"], owner_id=agent.id, verbatim=EVIL),
            CaseDraft(title="Theirs", source="manual", team_id=teams["Housekeeping"]),
            CaseDraft(title="Loose", source="manual")])
        s.add(RootCause(code="room", name="Room not ready"))
        return {"ours": ours.id, "theirs": theirs.id, "loose": loose.id, "agent": agent.id,
                "front": teams["Front Office"]}


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _titles(page: str) -> set[str]:
    return set(re.findall(r'<a href="/cases/\d+">([^<]+)</a>', page))


def _case(db, case_id: int) -> Case:
    with db.transaction() as s:
        case = s.get(Case, case_id)
        s.expunge(case)
        return case


def test_inbox_shows_my_queues_only_with_counts_and_escapes_text(client, tokens, db):
    ids = _setup(db)
    with db.transaction() as s:
        s.get(Case, ids["ours"]).first_contact_due_at = utcnow() + timedelta(hours=3, minutes=12, seconds=50)
    assert login(client, "agent@example.com").status_code == 303
    mine = client.get("/inbox")
    assert mine.status_code == 200 and 'href="/inbox"' in mine.text  # the nav link
    assert _titles(mine.text) == {"Ours"}
    assert EVIL not in mine.text and ESCAPED in mine.text
    assert re.search(r'Mine <span class="count">1</span>', mine.text)
    assert re.search(r'Unassigned <span class="count">1</span>', mine.text)
    assert ">All <" not in mine.text  # agents have no "All" tab
    assert _titles(client.get("/inbox?view=unassigned").text) == {"Loose"}
    assert _titles(client.get("/inbox?view=team").text) == {"Ours"}
    assert _titles(client.get("/inbox?view=breached").text) == set()
    assert "Theirs" not in client.get("/inbox?view=all").text
    assert _titles(client.get("/inbox?view=unassigned&q=ours").text) == set()
    due = re.search(r'data-due="([^"]+)"[^>]*>([^<]+)<', mine.text)
    assert due is not None and due.group(1).endswith("Z") and re.fullmatch(r"3 h 1\d min left", due.group(2))
    bad = client.get("/inbox?priority=sideways")
    assert bad.status_code == 422 and "priority" in bad.text
    saved = client.post("/inbox/views", data={"csrf": _csrf(mine.text), "name": "Loose ones", "view": "unassigned"},
                        follow_redirects=False)
    assert saved.status_code == 303
    listed = client.get(saved.headers["location"])
    assert "Loose ones" in listed.text and _titles(listed.text) == {"Loose"}
    twice = client.post("/inbox/views", data={"csrf": _csrf(mine.text), "name": "Loose ones"})
    assert twice.status_code == 409 and "Loose ones" in twice.text


def test_managers_get_the_all_tab_and_workload_agents_do_not(client, tokens, db):
    ids = _setup(db)
    login(client, "agent@example.com")
    assert client.get("/cases/workload").status_code == 403
    login(client, "manager@example.com")
    page = client.get("/inbox")
    assert page.status_code == 200 and _titles(page.text) == {"Ours", "Theirs", "Loose"}
    assert re.search(r'All <span class="count">3</span>', page.text)
    load = client.get("/cases/workload")
    assert load.status_code == 200 and "Front Office" in load.text and "Housekeeping" in load.text
    assert f'/inbox?team_id={ids["front"]}&amp;view=breached' in load.text


def test_viewer_is_refused_and_analyst_reads_without_forms(client, tokens, db):
    ids = _setup(db)
    login(client, "viewer@example.com")
    assert client.get("/inbox").status_code == 403
    assert client.get(f"/cases/{ids['ours']}").status_code == 403
    assert 'href="/inbox"' not in client.get("/").text
    login(client, "analyst@example.com")
    page = client.get(f"/cases/{ids['ours']}")
    assert page.status_code == 200 and "Ours" in page.text and "Close case" not in page.text
    refused = client.post(f"/cases/{ids['ours']}/notes", data={"csrf": _csrf(page.text), "body": "x"})
    assert refused.status_code == 403


def test_case_page_is_scoped_and_escapes_the_verbatim(client, tokens, db):
    ids = _setup(db)
    login(client, "agent@example.com")
    page = client.get(f"/cases/{ids['ours']}")
    assert page.status_code == 200 and "Close case" in page.text and "Room not ready" in page.text
    assert EVIL not in page.text and ESCAPED in page.text
    assert "created" in page.text  # the trail
    assert client.get(f"/cases/{ids['theirs']}").status_code == 404
    assert client.post(f"/cases/{ids['theirs']}/notes", data={"csrf": _csrf(page.text), "body": "x"}).status_code == 404


def test_closing_needs_a_root_cause_and_lands_in_the_trail(client, tokens, db):
    ids = _setup(db)
    login(client, "agent@example.com")
    csrf = _csrf(client.get(f"/cases/{ids['ours']}").text)
    refused = client.post(f"/cases/{ids['ours']}/close", data={"csrf": csrf, "root_cause": "", "recovered": "yes"})
    assert refused.status_code == 422 and "needs a root cause" in refused.text and "Close case" in refused.text
    assert _case(db, ids["ours"]).status == "new" and _case(db, ids["ours"]).recovered != "yes"
    unknown = client.post(f"/cases/{ids['ours']}/close", data={"csrf": csrf, "root_cause": "nope"})
    assert unknown.status_code == 422 and "nope" in unknown.text
    closed = client.post(f"/cases/{ids['ours']}/close", data={
        "csrf": csrf, "root_cause": "room", "action_taken": "Moved to a ready room", "recovered": "yes"},
        follow_redirects=False)
    assert closed.status_code == 303 and closed.headers["location"] == f"/cases/{ids['ours']}"
    page = client.get(closed.headers["location"]).text
    assert "new → closed" in page and "Moved to a ready room" in page
    stored = _case(db, ids["ours"])
    assert (stored.status, stored.recovered) == ("closed", "yes") and stored.root_cause_id is not None
    again = client.post(f"/cases/{ids['ours']}/status", data={"csrf": csrf, "status": "open"})
    assert again.status_code == 409 and "closed to open" in again.text
    reopened = client.post(f"/cases/{ids['ours']}/reopen", data={"csrf": csrf, "reason": "guest called back"},
                           follow_redirects=False)
    assert reopened.status_code == 303 and _case(db, ids["ours"]).status == "reopened"


def test_assign_to_me_note_call_and_watch(client, tokens, db):
    ids = _setup(db)
    login(client, "agent@example.com")
    csrf = _csrf(client.get("/inbox").text)
    assigned = client.post(f"/cases/{ids['loose']}/assign",
                           data={"csrf": csrf, "owner_id": "me", "next": "/inbox?view=mine"}, follow_redirects=False)
    assert assigned.status_code == 303 and assigned.headers["location"] == "/inbox?view=mine"
    assert _case(db, ids["loose"]).owner_id == ids["agent"]
    assert _titles(client.get("/inbox?view=mine").text) == {"Ours", "Loose"}
    outside = client.post(f"/cases/{ids['ours']}/assign", data={"csrf": csrf, "owner_id": "me",
                                                                "next": "https://evil.example"},
                          follow_redirects=False)
    assert outside.headers["location"] == f"/cases/{ids['ours']}"
    assert client.post(f"/cases/{ids['ours']}/notes", data={"csrf": csrf, "body": EVIL}).status_code == 200
    assert client.post(f"/cases/{ids['ours']}/calls", data={"csrf": csrf, "outcome": "reached",
                                                            "body": "apologised"}).status_code == 200
    assert client.post(f"/cases/{ids['ours']}/watch", data={"csrf": csrf}).status_code == 200
    page = client.get(f"/cases/{ids['ours']}").text
    assert "apologised" in page and "Stop watching" in page and EVIL not in page
    stored = _case(db, ids["ours"])
    assert stored.first_contact_at is not None and stored.status == "open"
    empty = client.post(f"/cases/{ids['ours']}/notes", data={"csrf": csrf, "body": " "})
    assert empty.status_code == 422 and "write the note first" in empty.text
    bad_owner = client.post(f"/cases/{ids['ours']}/assign", data={"csrf": csrf, "owner_id": "x1"})
    assert bad_owner.status_code == 422 and "owner_id" in bad_owner.text


def test_forms_without_csrf_are_refused(client, tokens, db):
    ids = _setup(db)
    login(client, "agent@example.com")
    assert client.post(f"/cases/{ids['loose']}/assign", data={"owner_id": "me"}).status_code == 403
    assert client.post(f"/cases/{ids['loose']}/assign", data={"owner_id": "me", "csrf": "wrong"}).status_code == 403
    assert client.post("/inbox/views", data={"name": "x"}).status_code == 403
    assert _case(db, ids["loose"]).owner_id is None


def test_merge_and_undo_from_the_page(client, tokens, db):
    ids = _setup(db)
    login(client, "manager@example.com")
    csrf = _csrf(client.get(f"/cases/{ids['loose']}").text)
    merged = client.post(f"/cases/{ids['loose']}/merge", data={"csrf": csrf, "into": str(ids["ours"])},
                         follow_redirects=False)
    assert merged.status_code == 303 and merged.headers["location"] == f"/cases/{ids['ours']}"
    assert _case(db, ids["loose"]).merged_into_id == ids["ours"]
    assert client.post(f"/cases/{ids['loose']}/merge", data={"csrf": csrf, "into": "abc"}).status_code == 422
    undone = client.post(f"/cases/{ids['loose']}/unmerge", data={"csrf": csrf}, follow_redirects=False)
    assert undone.status_code == 303 and _case(db, ids["loose"]).merged_into_id is None


def test_inbox_reads_a_page_in_constant_statements(client, tokens, db):
    _setup(db)
    login(client, "manager@example.com")
    with counted(db.engine) as few:
        assert client.get("/inbox").status_code == 200
    with db.transaction() as s:
        teams = [t.id for t in s.scalars(select(Team))]
        owners = [u.id for u in s.scalars(select(User).where(User.role.in_(("agent", "manager"))))]
        open_cases(s, [CaseDraft(title=f"c{i}", source="manual", team_id=teams[i % len(teams)],
                                 owner_id=owners[i % len(owners)]) for i in range(60)])
    with counted(db.engine) as many:
        page = client.get("/inbox")
    assert len(_titles(page.text)) == 50
    # the same statements for 3 cases and 50 of 63, except the total: a short page needs no count query
    assert len(few) <= len(many) <= len(few) + 1, (len(few), len(many))


def test_countdown_words_and_which_due_time_counts():
    now = datetime(2026, 3, 1, 12, 0)
    assert countdown(now + timedelta(hours=3, minutes=12, seconds=59), now) == "3 h 12 min left"
    assert countdown(now - timedelta(hours=2), now) == "breached 2 h ago"
    assert countdown(now + timedelta(days=2, hours=1), now) == "2 d 1 h left"
    assert countdown(now + timedelta(seconds=20), now) == "0 min left"
    fields = {name: None for name in CaseOut.model_fields}
    base = CaseOut.model_construct(**{**fields, "status": "open", "first_contact_due_at": now,
                                      "resolution_due_at": now + timedelta(days=1)})
    assert next_due(base) == now
    assert next_due(base.model_copy(update={"first_contact_at": now})) == now + timedelta(days=1)
    assert next_due(base.model_copy(update={"status": "closed"})) is None


def test_case_page_shows_the_customer_beside_the_case_and_emails_them(client, tokens, db):
    ids = _setup(db)
    with db.transaction() as s:
        answer = respond(s, "rnps", 2, email="guest@example.com", comment=EVIL, name=EVIL)
        case = open_cases(s, [CaseDraft(title="Detractor", source="response", customer_id=answer.customer_id,
                                        response_id=answer.id, metric="nps", score=2, verbatim=EVIL,
                                        team_id=ids["front"], owner_id=ids["agent"])])[0]
        earlier = open_cases(s, [CaseDraft(title="Earlier trouble", source="manual", customer_id=answer.customer_id,
                                           team_id=ids["front"])])[0]
        case_id, earlier_id = case.id, earlier.id
    login(client, "agent@example.com")
    page = client.get(f"/cases/{case_id}")
    assert page.status_code == 200 and EVIL not in page.text and page.text.count(ESCAPED) >= 3
    assert f"response #{answer.id}" in page.text and "Relationship NPS" in page.text  # trigger and timeline
    assert f'href="/cases/{earlier_id}"' in page.text  # previous cases
    assert f'href="/customers/{answer.customer_id}"' in page.text
    csrf = _csrf(page.text)
    sent = client.post(f"/cases/{case_id}/emails", data={"csrf": csrf, "subject": "Sorry", "body": "We will fix it"},
                       follow_redirects=False)
    assert sent.status_code == 303
    after = client.get(f"/cases/{case_id}").text
    assert "Sorry (queued)" in after
    nothing = client.post(f"/cases/{case_id}/emails", data={"csrf": csrf, "subject": "", "body": "x"})
    assert nothing.status_code == 422 and "subject" in nothing.text
    nobody = client.post(f"/cases/{ids['ours']}/emails", data={"csrf": csrf, "subject": "Hi", "body": "x"})
    assert nobody.status_code == 422 and "no customer" in nobody.text
