"""The staff JSON API of ideas: permissions per role, status history and its event, pages, PATCH, create-from."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from centric.accounts.models import AuditLog
from centric.db import Database
from centric.events import IdeasSubmitted, IdeaStatusesChanged, recorded
from centric.feedback.models import Feedback, Theme
from centric.ideas.models import Idea, IdeaLink, IdeaReport, IdeaStatusChange
from centric.loop.models import Case
from tests.api.conftest import auth
from tests.ideas.staff_factories import comment, make_board, make_customer, make_idea, vote


@pytest.fixture
def ideas(db: Database, tokens) -> dict[str, int]:
    with db.transaction() as s:
        board = make_board(s)
        first = make_idea(s, board, "Late checkout", body="<script>alert(1)</script>")
        second = make_idea(s, board, "Vegan breakfast")
        rich = make_customer(s, "Rich Guest", clv=5000.0, churn=0.5, band="high")
        poor = make_customer(s, "Poor Guest", clv=100.0, churn=0.1)
        other = make_customer(s, "Other Guest", clv=50.0, churn=0.1)
        vote(s, first, poor)
        vote(s, first, other)
        vote(s, second, rich)
        comment(s, first, poor, "Please!")
        s.add(IdeaReport(idea_id=first.id, reason="spam", text="looks like spam"))
        feedback = Feedback(source="app", channel="app", text="The breakfast should have vegan options, really.",
                            occurred_at=datetime(2024, 5, 1), customer_id=rich.id)
        s.add_all([feedback, Theme(name="food/breakfast", rule={"label": "Breakfast"}),
                   Case(title="Cold room", source="manual", verbatim="The room was cold all night")])
        s.flush()
        case_id = s.scalar(select(Case.id))
        return {"first": first.id, "second": second.id, "feedback": feedback.id, "case": case_id or 0,
                "rich": rich.id}


def test_readers_read_and_only_moderators_change(client, tokens, ideas) -> None:
    first = ideas["first"]
    assert client.get("/api/v1/ideas", headers=auth(tokens["viewer"])).status_code == 200
    assert client.get(f"/api/v1/ideas/{first}", headers=auth(tokens["viewer"])).status_code == 200
    for role, expected in (("viewer", 403), ("agent", 200)):
        answer = client.post(f"/api/v1/ideas/{first}/status", json={"status": "planned"}, headers=auth(tokens[role]))
        assert answer.status_code == expected, (role, answer.text)
    assert client.patch(f"/api/v1/ideas/{first}", json={"locked": True},
                        headers=auth(tokens["viewer"])).status_code == 403
    assert client.post("/api/v1/idea-boards", json={"key": "app", "names": {"en": "App"}},
                       headers=auth(tokens["agent"])).status_code == 403
    created = client.post("/api/v1/idea-boards", json={"key": "app", "names": {"en": "App", "zh": "应用"}},
                          headers=auth(tokens["manager"]))
    assert created.status_code == 201 and created.json()["names"]["zh"] == "应用"
    assert client.post("/api/v1/idea-boards", json={"key": "Bad Key", "names": {"en": "x"}},
                       headers=auth(tokens["manager"])).status_code == 422


def test_voters_need_customers_read(client, tokens, ideas) -> None:
    second = ideas["second"]
    assert client.get(f"/api/v1/ideas/{second}/votes", headers=auth(tokens["viewer"])).status_code == 403
    answer = client.get(f"/api/v1/ideas/{second}/votes", headers=auth(tokens["analyst"]))
    assert answer.status_code == 200
    voter = answer.json()["items"][0]
    assert voter["customer_id"] == ideas["rich"] and voter["name"] == "Rich Guest" and voter["clv"] == 5000.0


def test_status_change_writes_history_and_publishes(client, db, tokens, ideas) -> None:
    first = ideas["first"]
    with recorded() as events:
        answer = client.post(f"/api/v1/ideas/{first}/status", json={"status": "planned", "note": "Coming in May"},
                             headers=auth(tokens["agent"]))
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "planned" and body["history"][0]["note"] == "Coming in May"
    with db.reader() as s:
        change = s.scalar(select(IdeaStatusChange).where(IdeaStatusChange.idea_id == first))
        assert change is not None and (change.from_status, change.to_status) == ("open", "planned")
    assert [e for e in events if isinstance(e, IdeaStatusesChanged)] == [IdeaStatusesChanged((change.id,))]
    again = client.post(f"/api/v1/ideas/{first}/status", json={"status": "planned"}, headers=auth(tokens["agent"]))
    assert again.status_code == 409
    assert client.post(f"/api/v1/ideas/{first}/status", json={"status": "duplicate"},
                       headers=auth(tokens["agent"])).status_code == 422


def test_lists_are_paged_and_carry_both_rankings(client, tokens, ideas) -> None:
    h = auth(tokens["viewer"])
    page = client.get("/api/v1/ideas?limit=1", headers=h).json()
    assert page["total"] == 2 and len(page["items"]) == 1 and page["items"][0]["id"] == ideas["first"]
    by_revenue = client.get("/api/v1/ideas?sort=revenue", headers=h).json()["items"]
    assert [i["id"] for i in by_revenue] == [ideas["second"], ideas["first"]]
    second = by_revenue[0]["demand"]
    assert second["rank_revenue"] == 1 and second["rank_votes"] == 2 and second["revenue_at_stake"] == 2500.0
    assert client.get("/api/v1/ideas?q=vegan", headers=h).json()["total"] == 1
    first = ideas["first"]
    for path, total in (("/api/v1/idea-boards", 1), (f"/api/v1/ideas/{first}/comments", 1), ("/api/v1/idea-reports", 1),
                        (f"/api/v1/ideas/{first}/links", 0), (f"/api/v1/ideas/{first}/merges", 0)):
        answer = client.get(path, headers=h).json()
        assert set(answer) == {"items", "total", "total_exact", "limit", "offset"} and answer["total"] == total, path
        assert answer["total_exact"] is True, path


def test_patch_with_nulls_is_no_error_and_edits_are_audited(client, db, tokens, ideas) -> None:
    first, h = ideas["first"], auth(tokens["agent"])
    answer = client.patch(f"/api/v1/ideas/{first}", json={"title": None, "body": None, "moderation": None,
                                                            "locked": None}, headers=h)
    assert answer.status_code == 200 and answer.json()["title"] == "Late checkout"
    answer = client.patch(f"/api/v1/ideas/{first}", json={"title": "Late checkout at 2pm", "locked": True,
                                                            "moderation": "hidden"}, headers=h)
    body = answer.json()
    assert (body["title"], body["locked"], body["moderation"]) == ("Late checkout at 2pm", True, "hidden")
    assert client.patch(f"/api/v1/ideas/{first}", json={"title": ""}, headers=h).status_code == 422
    with db.reader() as s:
        entry = s.scalar(select(AuditLog).where(AuditLog.action == "idea.edit"))
        assert entry is not None and entry.detail["before"]["title"] == "Late checkout"


def test_merge_and_undo_through_the_api(client, tokens, ideas) -> None:
    h = auth(tokens["agent"])
    merged = client.post(f"/api/v1/ideas/{ideas['second']}/merge", json={"original_id": ideas["first"]}, headers=h)
    assert merged.status_code == 201
    assert client.get(f"/api/v1/ideas/{ideas['first']}", headers=h).json()["votes"] == 3
    assert client.post(f"/api/v1/ideas/{ideas['first']}/merge", json={"original_id": ideas["second"]},
                       headers=h).status_code == 409
    merge_id = merged.json()["id"]
    assert client.post(f"/api/v1/idea-merges/{merge_id}/undo", headers=auth(tokens["viewer"])).status_code == 403
    assert client.post(f"/api/v1/idea-merges/{merge_id}/undo", headers=h).status_code == 200
    assert client.post(f"/api/v1/idea-merges/{merge_id}/undo", headers=h).status_code == 409
    assert client.get(f"/api/v1/ideas/{ideas['first']}", headers=h).json()["votes"] == 2


def test_create_from_feedback_theme_and_case(client, db, tokens, ideas) -> None:
    h = auth(tokens["agent"])
    with recorded() as events:
        made = client.post("/api/v1/ideas/from", json={"kind": "feedback", "ref": str(ideas["feedback"]),
                                                       "board": "stays"}, headers=h)
    assert made.status_code == 201, made.text
    idea = made.json()
    assert idea["body"].startswith("The breakfast should have vegan") and idea["source"] == "feedback"
    assert idea["customer_id"] is None and idea["links"][0]["kind"] == "feedback"
    assert IdeasSubmitted((idea["id"],)) in events
    theme = client.post("/api/v1/ideas/from", json={"kind": "theme", "ref": "food/breakfast", "board": "stays"},
                        headers=h).json()
    assert theme["title"] == "Improve Breakfast" and theme["source_ref"] == "food/breakfast"
    case = client.post("/api/v1/ideas/from", json={"kind": "case", "ref": str(ideas["case"]), "board": "stays",
                                                   "title": "Warmer rooms"}, headers=h).json()
    assert case["title"] == "Warmer rooms" and case["body"] == "The room was cold all night"
    assert client.post("/api/v1/ideas/from", json={"kind": "case", "ref": "999999", "board": "stays"},
                       headers=h).status_code == 404
    assert client.post("/api/v1/ideas/from", json={"kind": "case", "ref": "abc", "board": "stays"},
                       headers=h).status_code == 422
    with db.reader() as s:
        assert s.scalar(select(IdeaLink.kind).where(IdeaLink.idea_id == case["id"])) == "case"


def test_staff_creates_on_behalf_of_a_customer_and_links(client, db, tokens, ideas) -> None:
    h = auth(tokens["agent"])
    made = client.post("/api/v1/ideas", json={"board": "stays", "title": "Quiet floors",
                                              "customer_external_id": "ext-rich-guest"}, headers=h)
    assert made.status_code == 201 and made.json()["customer_id"] == ideas["rich"]
    assert made.json()["source"] == "api" and made.json()["author_name"] == "Rich"
    assert client.post("/api/v1/ideas", json={"board": "stays", "title": "x", "customer_email": "nobody@example.com"},
                       headers=h).status_code == 404
    idea_id = made.json()["id"]
    link = client.post(f"/api/v1/ideas/{idea_id}/links", json={"kind": "theme", "ref": "food/breakfast"}, headers=h)
    assert link.status_code == 201
    assert client.post(f"/api/v1/ideas/{idea_id}/links", json={"kind": "theme", "ref": "food/breakfast"},
                       headers=h).status_code == 409
    assert client.post(f"/api/v1/ideas/{idea_id}/links", json={"kind": "initiative", "ref": "77"},
                       headers=h).status_code == 404
    assert client.delete(f"/api/v1/ideas/{idea_id}/links/{link.json()['id']}", headers=h).status_code == 204
    with db.reader() as s:
        assert s.get_one(Idea, idea_id).customer_id == ideas["rich"]


def test_official_answer_and_reports(client, tokens, ideas) -> None:
    first, h = ideas["first"], auth(tokens["agent"])
    one = client.post(f"/api/v1/ideas/{first}/comments", json={"body": "We are on it", "official": True}, headers=h)
    two = client.post(f"/api/v1/ideas/{first}/comments", json={"body": "Planned for May", "official": True},
                      headers=h)
    assert one.status_code == two.status_code == 201
    detail = client.get(f"/api/v1/ideas/{first}", headers=h).json()
    assert detail["official_answer"] == "Planned for May" and detail["comments"] == 3
    officials = [c for c in client.get(f"/api/v1/ideas/{first}/comments", headers=h).json()["items"] if c["official"]]
    assert [c["body"] for c in officials] == ["Planned for May"]
    report = client.get("/api/v1/idea-reports", headers=h).json()["items"][0]
    resolved = client.post(f"/api/v1/idea-reports/{report['id']}/resolve", json={"resolution": "hidden"}, headers=h)
    assert resolved.status_code == 200 and resolved.json()["resolution"] == "hidden"
    assert client.get(f"/api/v1/ideas/{first}", headers=h).json()["moderation"] == "hidden"
    assert client.get("/api/v1/idea-reports", headers=h).json()["total"] == 0
