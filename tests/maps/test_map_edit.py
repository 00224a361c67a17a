"""Editing the journey map through the API and the page; exports; permissions and escaping."""

from __future__ import annotations

import re

from sqlalchemy import select

from centric.accounts.models import AuditLog
from centric.customers.models import Customer, CustomerSegment, Segment
from centric.events import MembershipsChanged, publish
from centric.journeys.models import Journey, Stage, Touchpoint
from centric.surveys.models import Survey
from tests.api.conftest import auth
from tests.api.test_pages import login
from tests.factories import respond


def _journey(db) -> int:
    with db.transaction() as s:
        return s.scalar(select(Journey.id).where(Journey.key == "stay"))


def _actions(db) -> list[str]:
    with db.transaction() as s:
        return list(s.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def test_api_map_and_edits(client, tokens, db) -> None:
    jid = _journey(db)
    with db.transaction() as s:
        for score in (5, 5, 4, 2):
            respond(s, "stay-csat", score, touchpoint="room")
    got = client.get(f"/api/v1/journeys/{jid}/map", headers=auth(tokens["viewer"]))
    assert got.status_code == 200
    body = got.json()
    assert [s["key"] for s in body["stages"]] == ["arrive", "depart"]
    room = body["stages"][0]["touchpoints"][1]
    assert room["key"] == "room" and room["score"]["n"] == 4 and room["score"]["metric"] == "csat"
    assert client.get(f"/api/v1/journeys/{jid}/map?segment=nope", headers=auth(tokens["viewer"])).status_code == 422
    assert client.get("/api/v1/journeys/99999/map", headers=auth(tokens["viewer"])).status_code == 404

    patch = {"designed_emotion": 2, "channel": "app", "owner_team": "Front Office", "event_kinds": ["Stay", "wifi"],
             "survey": "support-ces", "description": "The room itself"}
    for role in ("viewer", "agent", "analyst"):
        assert client.patch("/api/v1/touchpoints/room", json=patch, headers=auth(tokens[role])).status_code == 403
    done = client.patch("/api/v1/touchpoints/room", json=patch, headers=auth(tokens["manager"]))
    assert done.status_code == 200, done.text
    state = done.json()
    assert state["designed_emotion"] == 2 and state["channel"] == "app" and state["owner_team"] == "Front Office"
    assert state["event_kinds"] == ["stay", "wifi"] and "support-ces" in state["surveys"]
    nulls = {k: None for k in ("name", "stage", "position", "channel", "description", "designed_emotion",
                               "owner_team", "owner_user", "event_kinds", "survey")}
    same = client.patch("/api/v1/touchpoints/room", json=nulls, headers=auth(tokens["manager"]))
    assert same.status_code == 200 and same.json() == state
    cleared = client.patch("/api/v1/touchpoints/room", json={"clear_designed_emotion": True, "owner_team": ""},
                           headers=auth(tokens["manager"]))
    assert cleared.json()["designed_emotion"] is None and cleared.json()["owner_team"] is None
    for bad, field in (({"designed_emotion": 3}, "designed_emotion"), ({"event_kinds": ["no spaces"]}, "event_kinds"),
                       ({"owner_team": "Nobody"}, "owner_team"), ({"owner_user": "x@nowhere"}, "owner_user"),
                       ({"survey": "nope"}, "survey"), ({"stage": "nope"}, "stage")):
        answer = client.patch("/api/v1/touchpoints/room", json=bad, headers=auth(tokens["manager"]))
        assert answer.status_code == 422, (bad, answer.text)
        assert field in answer.text
    taken = client.patch("/api/v1/touchpoints/check-in", json={"event_kinds": ["wifi"]},
                         headers=auth(tokens["manager"]))
    assert taken.status_code == 422 and "event_kinds" in taken.text
    assert client.patch("/api/v1/touchpoints/nope", json={}, headers=auth(tokens["manager"])).status_code == 404

    # stages: add, rename, reorder; touchpoints: add, move, reorder
    assert client.post(f"/api/v1/journeys/{jid}/stages", json={"key": "book", "name": "Book"},
                       headers=auth(tokens["agent"])).status_code == 403
    added = client.post(f"/api/v1/journeys/{jid}/stages", json={"key": "book", "name": "Book"},
                        headers=auth(tokens["manager"]))
    assert added.status_code == 201 and added.json()["position"] == 2
    assert client.post(f"/api/v1/journeys/{jid}/stages", json={"key": "book", "name": "Again"},
                       headers=auth(tokens["manager"])).status_code == 409
    assert client.patch(f"/api/v1/journeys/{jid}/stages/book", json={"name": "Booking"},
                        headers=auth(tokens["manager"])).json()["name"] == "Booking"
    order = client.post(f"/api/v1/journeys/{jid}/stages/order", json={"stages": ["book", "arrive", "depart"]},
                        headers=auth(tokens["manager"]))
    assert order.status_code == 200 and order.json()["stages"] == ["book", "arrive", "depart"]
    assert client.post(f"/api/v1/journeys/{jid}/stages/order", json={"stages": ["book"]},
                       headers=auth(tokens["manager"])).status_code == 422
    new = client.post(f"/api/v1/journeys/{jid}/stages/book/touchpoints",
                      json={"key": "website", "name": "Website", "channel": "web"}, headers=auth(tokens["manager"]))
    assert new.status_code == 201 and new.json()["stage"] == "book"
    moved = client.patch("/api/v1/touchpoints/room", json={"stage": "book", "position": 0},
                         headers=auth(tokens["manager"]))
    assert moved.json()["stage"] == "book" and moved.json()["position"] == 0
    order = client.post(f"/api/v1/journeys/{jid}/stages/book/touchpoints/order",
                        json={"touchpoints": ["website", "room"]}, headers=auth(tokens["manager"]))
    assert order.json()["touchpoints"] == ["website", "room"]
    m = client.get(f"/api/v1/journeys/{jid}/map", headers=auth(tokens["viewer"])).json()
    assert [(s["key"], [t["key"] for t in s["touchpoints"]]) for s in m["stages"]] == [
        ("book", ["website", "room"]), ("arrive", ["check-in"]), ("depart", ["check-out"])]
    actions = _actions(db)
    for action in ("touchpoint.edit", "stage.create", "stage.edit", "stage.reorder", "touchpoint.create",
                   "touchpoint.reorder"):
        assert action in actions
    with db.transaction() as s:
        assert s.scalar(select(Survey.touchpoint_id).where(Survey.key == "support-ces")) == s.scalar(
            select(Touchpoint.id).where(Touchpoint.key == "room"))


def test_pages_exports_and_escaping(client, tokens, db) -> None:
    jid = _journey(db)
    with db.transaction() as s:
        s.scalar(select(Touchpoint).where(Touchpoint.key == "room")).name = "<script>alert(1)</script>"
        s.scalar(select(Stage).where(Stage.key == "arrive")).name = 'Arrive "&" <b>'
        s.add_all([Segment(key="business", name="Business <i>travellers</i>", kind="persona"),
                   Segment(key="families", name="Families", kind="persona")])
        for score in (5, 4, 2):
            respond(s, "stay-csat", score, touchpoint="room", comment="the secret verbatim words")
        s.scalar(select(Touchpoint).where(Touchpoint.key == "room")).designed_emotion = 1
        business = s.scalar(select(Segment.id).where(Segment.key == "business"))
        members = list(s.scalars(select(Customer.id)))
        s.add_all([CustomerSegment(customer_id=c, segment_id=business) for c in members])
        publish(s, MembershipsChanged(added=tuple((c, business) for c in members)))  # as the services do
    login(client, "viewer@example.com")
    listing = client.get("/journeys")
    assert listing.status_code == 200 and f'href="/journeys/{jid}/map"' in listing.text
    assert 'href="/journeys"' in client.get("/touchpoints").text
    page = client.get(f"/journeys/{jid}/map")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "Journey maps" in page.text and "<svg" in page.text and "Emotion curve" in page.text
    assert "secret verbatim" not in page.text  # viewers see no customers' words
    assert "Edit stage" not in page.text and "Add a stage" not in page.text
    assert 'src="/static/maps.js"' in page.text and "<script>" not in page.text.replace(
        '<script src="/static/vendor/htmx.min.js" defer></script>', "")
    compare = client.get(f"/journeys/{jid}/map?segment=business&compare=families")
    assert compare.status_code == 200 and "Business &lt;i&gt;travellers&lt;/i&gt;" in compare.text
    assert client.get(f"/journeys/{jid}/map?start=yesterday").status_code == 422
    poster = client.get(f"/journeys/{jid}/map.svg")
    assert poster.status_code == 200 and poster.headers["content-type"].startswith("image/svg+xml")
    assert "<script" not in poster.text and "&lt;script&gt;" in poster.text and "&lt;b&gt;" in poster.text
    curve = client.get(f"/journeys/{jid}/curve.svg?segment=business&compare=families")
    assert curve.status_code == 200 and curve.text.startswith("<svg") and "Families" in curve.text
    assert "Business &lt;i&gt;travellers&lt;/i&gt;" in curve.text and curve.text.count("<polyline") == 2
    assert client.get(f"/journeys/{jid}/curve.svg?segment=nobody").status_code == 422
    assert client.post(f"/journeys/{jid}/map/stages", data={"key": "x", "name": "X", "csrf": "x"}).status_code == 403

    login(client, "manager@example.com")
    page = client.get(f"/journeys/{jid}/map?segment=business")
    assert "Edit stage" in page.text and "Add a stage" in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    qs = "segment=business"
    form = {"csrf": csrf, "qs": qs, "channel": "tablet", "designed_emotion": "-1", "owner_team": "Housekeeping",
            "owner_user": "", "event_kinds": "stay, wifi", "survey": "", "description": "d"}
    done = client.post(f"/journeys/{jid}/map/touchpoints/room", data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/journeys/{jid}/map?{qs}"
    with db.transaction() as s:
        room = s.scalar(select(Touchpoint).where(Touchpoint.key == "room"))
        assert (room.channel, room.designed_emotion, room.event_kinds) == ("tablet", -1, ["stay", "wifi"])
    bad = client.post(f"/journeys/{jid}/map/touchpoints/room", data={**form, "designed_emotion": "5"})
    assert bad.status_code == 422 and "designed emotion" in bad.text
    assert client.post(f"/journeys/{jid}/map/touchpoints/room", data={**form, "csrf": "no"}).status_code == 403
    assert client.post(f"/journeys/{jid}/map/stages", data={"csrf": csrf, "key": "book", "name": "Book"},
                       follow_redirects=False).status_code == 303
    assert client.post(f"/journeys/{jid}/map/stages/book/move", data={"csrf": csrf, "direction": "left"},
                       follow_redirects=False).status_code == 303
    assert client.post(f"/journeys/{jid}/map/stages/book", data={"csrf": csrf, "name": "Booking"},
                       follow_redirects=False).status_code == 303
    assert client.post(f"/journeys/{jid}/map/stages/book/touchpoints",
                       data={"csrf": csrf, "tp_key": "site", "name": "Site", "channel": "web"},
                       follow_redirects=False).status_code == 303
    assert client.post(f"/journeys/{jid}/map/touchpoints/check-in/move", data={"csrf": csrf, "direction": "down"},
                       follow_redirects=False).status_code == 303
    with db.transaction() as s:
        stages = list(s.scalars(select(Stage.key).where(Stage.journey_id == jid).order_by(Stage.position)))
        assert stages == ["arrive", "book", "depart"]
        arrive = list(s.scalars(select(Touchpoint.key).join(Stage).where(Stage.key == "arrive")
                                .order_by(Touchpoint.position)))
        assert arrive == ["room", "check-in"]
    assert client.post(f"/journeys/{jid}/map/stages", data={"csrf": csrf, "key": "Bad Key", "name": "B"}
                       ).status_code == 422
    assert "touchpoint.edit" in _actions(db) and "stage.reorder" in _actions(db)
