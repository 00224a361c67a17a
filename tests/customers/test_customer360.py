"""Customer 360: value, churn risk, personas, open cases and ideas on the customer page; timeline filters."""

from __future__ import annotations

import re
from datetime import timedelta

from centric.customers.schemas import CustomerIn
from centric.customers.service import upsert_customer
from centric.db import utcnow
from centric.ideas.models import Board, Idea, IdeaVote
from centric.insights.models import CustomerValue
from centric.insights.timeline import timeline, timeline_channels
from centric.journeys.models import Event, Touchpoint
from centric.loop.models import Case
from centric.maps import personas
from centric.maps.customer360 import customer_360
from centric.maps.personas import SegmentSave
from tests.api.conftest import auth
from tests.api.test_pages import login
from tests.factories import make_journey, respond


def _ann(s) -> int:  # type: ignore[no-untyped-def]
    now = utcnow()
    ann = upsert_customer(s, CustomerIn(email="ann@example.com", name="Ann <i>", attributes={"country": "CN"})).id
    s.add(CustomerValue(customer_id=ann, clv=1234.5, churn_risk=0.72, clv_band="high", risk_band="high"))
    respond(s, "stay-csat", 2, email="ann@example.com", when=now - timedelta(days=3))  # at the room, on a link
    room = s.query(Touchpoint).filter_by(key="room").one()
    checkin = s.query(Touchpoint).filter_by(key="check-in").one()
    s.add_all([Event(customer_id=ann, kind="booking", source="app", occurred_at=now - timedelta(days=5),
                     touchpoint_id=checkin.id),
               Event(customer_id=ann, kind="purchase", source="pos", value=80, occurred_at=now - timedelta(days=4),
                     touchpoint_id=room.id)])
    s.add(Case(title="Broken <shower>", source="manual", customer_id=ann, status="new", priority="high"))
    s.add(Case(title="Old one", source="manual", customer_id=ann, status="closed"))
    board = Board(key="stays", names={"en": "Stays"})
    s.add(board)
    s.flush()
    mine, theirs = Idea(board_id=board.id, title="Late checkout", customer_id=ann, vote_count=4), Idea(
        board_id=board.id, title="Quiet floors", vote_count=9)
    s.add_all([mine, theirs])
    s.flush()
    s.add(IdeaVote(idea_id=theirs.id, origin_idea_id=theirs.id, customer_id=ann))
    personas.save_segment(s, "rich", SegmentSave(name="Valuable guests", kind="persona",
                                                 rule=[{"attribute": "clv", "op": "gte", "value": 1000}]), None)
    personas.save_segment(s, "cn", SegmentSave(name="China", kind="segment",
                                               rule=[{"attribute": "country", "op": "eq", "value": "CN"}]), None)
    s.flush()
    return ann


def test_customer_360_reads_value_personas_cases_and_ideas(db):
    with db.transaction() as s:
        make_journey(s)
        ann = _ann(s)
        more = customer_360(s, ann)
        assert more.value is not None and more.value.clv == 1234.5 and more.value.risk_band == "high"
        assert [p.key for p in more.personas] == ["rich"] and [p.key for p in more.segments] == ["cn"]
        assert more.open_cases == 1 and [c.title for c in more.cases] == ["Broken <shower>"]
        assert [i.title for i in more.ideas_posted] == ["Late checkout"]
        assert [i.title for i in more.ideas_voted] == ["Quiet floors"]


def test_timeline_filters_by_channel_and_touchpoint(db):
    with db.transaction() as s:
        make_journey(s)
        ann = _ann(s)
        everything, total = timeline(s, ann)
        assert total == len(everything) == 3
        assert timeline_channels(s, ann) == ["app", "link", "pos"]
        at_room, n = timeline(s, ann, touchpoint="room")
        assert n == 2 and {i.kind for i in at_room} == {"response", "purchase"}
        app, n = timeline(s, ann, channel="app")
        assert n == 1 and app[0].kind == "booking"
        assert timeline(s, ann, channel="pos", touchpoint="room")[1] == 1
        assert timeline(s, ann, channel="app", touchpoint="room") == ([], 0)
        assert timeline(s, ann, touchpoint="nowhere") == ([], 0)


def test_the_customer_page_and_the_api_show_it(client, db, tokens):
    with db.transaction() as s:
        ann = _ann(s)
    api = client.get(f"/api/v1/customers/{ann}/timeline?touchpoint=room", headers=auth(tokens["analyst"])).json()
    assert api["total"] == 2 and {i["kind"] for i in api["items"]} == {"response", "purchase"}
    assert client.get(f"/api/v1/customers/{ann}/timeline?channel=app",
                      headers=auth(tokens["analyst"])).json()["total"] == 1
    assert login(client, "manager@example.com").status_code == 303
    page = client.get(f"/customers/{ann}")
    assert page.status_code == 200
    assert "1,234.50" in page.text and "high risk" in page.text  # numbers in the reader's locale and "72%" in page.text
    assert 'href="/personas/rich">Valuable guests' in page.text and 'href="/personas/cn">China' in page.text
    assert "Broken &lt;shower&gt;" in page.text and re.search(r'href="/cases/\d+"', page.text)
    assert "Old one" not in page.text and "Late checkout" in page.text and "Quiet floors" in page.text
    filtered = client.get(f"/customers/{ann}?channel=app")
    assert "filtered: 1 item)" in filtered.text and "Booking" in filtered.text and "Purchase" not in filtered.text
    assert 'option value="app" selected' in filtered.text
