"""Staff pages of ideas: they render, escape customer text, keep both rankings, and their forms work."""

from __future__ import annotations

import re

from sqlalchemy import select

from centric.db import Database
from centric.feedback.models import Feedback
from centric.ideas.models import Idea, IdeaMerge
from tests.api.test_pages import login
from tests.ideas.staff_factories import comment, make_board, make_customer, make_idea, vote

EVIL = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _seed(db: Database) -> dict[str, int]:
    with db.transaction() as s:
        board = make_board(s)
        evil = make_idea(s, board, f"Faster check-in at night {EVIL}", body=EVIL)
        other = make_idea(s, board, "Faster check-in for late arrivals")
        for title in ("Dark mode in the app", "Pet-friendly rooms", "Airport shuttle every 30 minutes"):
            make_idea(s, board, title)  # a corpus, so that shared words weigh as they do on a real board
        pending = make_idea(s, board, f"Pending {EVIL}", moderation="pending")
        guest = make_customer(s, f"Guest {EVIL}", clv=900.0, churn=0.4, band="high")
        vote(s, evil, guest)
        comment(s, evil, guest, f"comment {EVIL}")
        feedback = Feedback(source="app", channel="app", text=f"Please add {EVIL} to rooms",
                            occurred_at=s.scalar(select(Idea.created_at)))
        s.add(feedback)
        s.flush()
        return {"evil": evil.id, "other": other.id, "pending": pending.id, "feedback": feedback.id}


def test_pages_render_escape_and_show_both_rankings(client, tokens, db) -> None:
    ids = _seed(db)
    login(client, "agent@example.com")
    listing = client.get("/manage/ideas")
    assert listing.status_code == 200 and EVIL not in listing.text and ESCAPED in listing.text
    assert "Rank by votes" in listing.text and "Rank by revenue at stake" in listing.text
    assert 'id="pending-count">1<' in listing.text
    revenue = client.get("/manage/ideas?sort=revenue")
    assert "Rank by votes" in revenue.text and "Rank by revenue at stake" in revenue.text
    page = client.get(f"/manage/ideas/{ids['evil']}")
    assert page.status_code == 200 and EVIL not in page.text and ESCAPED in page.text
    assert 'id="voters"' in page.text and f"/ideas/i/{ids['evil']}" in page.text
    assert f'href="/initiatives/new?idea={ids["evil"]}"' in page.text
    assert f'href="/manage/ideas/{ids["evil"]}/effect"' in page.text
    assert "Faster check-in for late arrivals" in page.text  # a similar idea offered as the original to merge into
    queue = client.get("/manage/ideas/moderation")
    assert queue.status_code == 200 and EVIL not in queue.text and "Pending &lt;script&gt;" in queue.text
    assert client.get("/manage/ideas/boards").status_code == 200
    new = client.get(f"/manage/ideas/new?from=feedback&ref={ids['feedback']}")
    assert new.status_code == 200 and EVIL not in new.text and "Please add &lt;script&gt;" in new.text


def test_viewers_see_no_voters_and_cannot_change(client, tokens, db) -> None:
    ids = _seed(db)
    login(client, "viewer@example.com")
    page = client.get(f"/manage/ideas/{ids['evil']}")
    assert page.status_code == 200 and 'id="voters"' not in page.text and "status-form" not in page.text
    refused = client.post(f"/manage/ideas/{ids['evil']}/status", data={"csrf": _csrf(page.text), "status": "done"})
    assert refused.status_code == 403
    assert client.get("/manage/ideas/new").status_code == 403


def test_forms_change_status_merge_undo_and_create(client, tokens, db) -> None:
    ids = _seed(db)
    login(client, "agent@example.com")
    csrf = _csrf(client.get("/manage/ideas").text)
    moved = client.post(f"/manage/ideas/{ids['evil']}/status", data={"csrf": csrf, "status": "planned",
                                                                     "note": "For May"}, follow_redirects=False)
    assert moved.status_code == 303
    assert client.post(f"/manage/ideas/{ids['evil']}/status", data={"csrf": "wrong", "status": "done"}
                       ).status_code == 403
    refused = client.post(f"/manage/ideas/{ids['other']}/merge", data={"csrf": csrf, "original_id": str(ids["other"])})
    assert refused.status_code == 422 and "itself" in refused.text
    merged = client.post(f"/manage/ideas/{ids['other']}/merge", data={"csrf": csrf, "original_id": str(ids["evil"])},
                         follow_redirects=False)
    assert merged.status_code == 303
    with db.reader() as s:
        merge_id = s.scalar(select(IdeaMerge.id))
        assert s.get_one(Idea, ids["other"]).status == "duplicate"
    page = client.get(f"/manage/ideas/{ids['other']}")
    assert "Undo merge" in page.text
    undone = client.post(f"/manage/ideas/{ids['other']}/merges/{merge_id}/undo", data={"csrf": csrf},
                         follow_redirects=False)
    assert undone.status_code == 303
    with db.reader() as s:
        assert s.get_one(Idea, ids["other"]).status == "open"
    created = client.post("/manage/ideas/new", data={"csrf": csrf, "origin": "feedback", "ref": str(ids["feedback"]),
                                                     "board": "stays", "title": "", "body": ""},
                          follow_redirects=False)
    assert created.status_code == 303
    new_id = int(created.headers["location"].rsplit("/", 1)[1])
    with db.reader() as s:
        assert s.get_one(Idea, new_id).source == "feedback"
    approve = client.post(f"/manage/ideas/moderation/ideas/{ids['pending']}",
                          data={"csrf": csrf, "moderation": "approved"}, follow_redirects=False)
    assert approve.status_code == 303


def test_create_idea_links_show_on_source_pages_for_moderators(client, tokens, db) -> None:
    ids = _seed(db)
    login(client, "agent@example.com")
    verbatims = client.get("/verbatims")
    assert f"/manage/ideas/new?from=feedback&amp;ref={ids['feedback']}" in verbatims.text
    nav = client.get("/manage/ideas")
    assert 'href="/manage/ideas" aria-current="page">Ideas<' in nav.text
