"""Personas: rules over attributes and metrics, preview = saved members, reports, permissions, pages."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select

from centric.accounts.models import AuditLog
from centric.customers.models import Customer, CustomerSegment
from centric.customers.schemas import CustomerIn
from centric.customers.service import get_segment, upsert_customer
from centric.db import utcnow
from centric.feedback.models import Feedback, FeedbackTheme, Theme
from centric.ideas.models import Board, Idea, IdeaVote
from centric.insights.models import CustomerValue
from centric.loop.models import Case
from centric.maps import personas
from centric.maps.personas import SegmentSave
from tests.api.conftest import app, auth, client, tokens  # noqa: F401
from tests.api.test_pages import login
from tests.factories import make_journey, respond

ANN, BOB, CY = "ann@example.com", "bob@example.com", "cy@example.com"


def _people(s) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Ann: CLV 2000, high risk, NPS 9 then 5; Bob: CLV 500, low risk, NPS 9; Cy: never scored, NPS 3."""
    now = utcnow()
    ids = {}
    for email, country in ((ANN, "CN"), (BOB, "DE"), (CY, "CN")):
        ids[email] = upsert_customer(s, CustomerIn(email=email, name=email.split("@")[0].title(),
                                                   attributes={"country": country})).id
    s.add_all([CustomerValue(customer_id=ids[ANN], clv=2000.0, churn_risk=0.8, clv_band="high", risk_band="high"),
               CustomerValue(customer_id=ids[BOB], clv=500.0, churn_risk=0.1, clv_band="low", risk_band="low")])
    respond(s, "rnps", 9, email=ANN, when=now - timedelta(days=20))
    respond(s, "rnps", 5, email=ANN, when=now - timedelta(days=2))
    respond(s, "rnps", 9, email=BOB, when=now - timedelta(days=3))
    respond(s, "rnps", 3, email=CY, when=now - timedelta(days=4))
    s.flush()
    return ids


def test_metric_conditions_select_by_value_risk_and_latest_nps(db):
    with db.transaction() as s:
        make_journey(s)
        ids = _people(s)
        assert personas.preview(s, [{"attribute": "clv", "op": "gte", "value": 1000}]).members == 1
        assert personas.preview(s, [{"attribute": "risk_band", "op": "eq", "value": "high"}]).members == 1
        detractors = personas.preview(s, [{"attribute": "last_nps", "op": "lte", "value": 6}], with_sample=True)
        assert detractors.members == 2 and {m.id for m in detractors.sample or []} == {ids[ANN], ids[CY]}
        assert detractors.conditions == ["last NPS ≤ 6"]
        mixed = [{"attribute": "country", "op": "eq", "value": "CN"}, {"attribute": "clv", "op": "exists"}]
        assert personas.preview(s, mixed).members == 1  # Cy is Chinese but never scored
        assert personas.preview(s, [{"attribute": "country", "op": "eq", "value": "CN"}]).sample is None


def test_preview_count_equals_saved_members_and_saves_are_audited(db):
    with db.transaction() as s:
        make_journey(s)
        ids = _people(s)
        rule = [{"attribute": "last_nps", "op": "lte", "value": 6}]
        expected = personas.preview(s, rule).members
        saved = personas.save_segment(s, "detractors", SegmentSave(name="Detractors", rule=rule), None)
        segment = get_segment(s, "detractors")
        members = set(s.scalars(select(CustomerSegment.customer_id).where(CustomerSegment.segment_id == segment.id)))
        assert saved.created and saved.members == expected == len(members) == 2 and ids[BOB] not in members
        # new attributes on ingest do not drop a membership that rests on a figure
        upsert_customer(s, CustomerIn(email=ANN, attributes={"tier": "gold"}))
        assert s.get(CustomerSegment, (ids[ANN], segment.id)) is not None
        again = personas.save_segment(s, "detractors", SegmentSave(
            name="Big detractors", rule=[*rule, {"attribute": "clv", "op": "gte", "value": 1000}]), None)
        assert not again.created and again.members == 1
        actions = [(a.action, a.detail.get("before", {}).get("name")) for a in s.scalars(
            select(AuditLog).where(AuditLog.entity == "segment").order_by(AuditLog.id))]
        assert actions == [("segment.create", None), ("segment.update", "Detractors")]
        assert personas.refresh_metric_segments(s) == {"detractors": 1}


def _report_data(s, journey: bool = True) -> dict[str, int]:  # type: ignore[no-untyped-def]
    if journey:  # the API fixture made it already
        make_journey(s)
    ids = _people(s)
    personas.save_segment(s, "cn", SegmentSave(name="China <guests>", rule=[
        {"attribute": "country", "op": "eq", "value": "CN"}]), None)
    personas.save_segment(s, "de", SegmentSave(name="Germany", rule=[
        {"attribute": "country", "op": "eq", "value": "DE"}]), None)
    now = utcnow()
    late = Theme(name="service/slow", rule={"label": "Slow service"})
    room = Theme(name="room/clean", rule={"label": "Clean room"})
    s.add_all([late, room])
    s.flush()
    texts = [(ANN, "en", "Check-in took forever <b>", -0.8, "negative", [late]),
             (ANN, "en", "Room was spotless", 0.9, "positive", [room]),
             (CY, "zh", "服务太慢了", -0.7, "negative", [late]),
             (CY, "zh", "一般", 0.0, "neutral", [late]),
             (BOB, "en", "Slow but fine", -0.4, "negative", [late])]
    for i, (email, lang, text, score, label, themes) in enumerate(texts):
        item = Feedback(source="test", channel="review", external_id=f"f{i}", customer_id=ids[email], text=text,
                        language=lang, sentiment=score, sentiment_label=label, text_version="t",
                        occurred_at=now - timedelta(days=5 + i))
        s.add(item)
        s.flush()
        s.add_all([FeedbackTheme(feedback_id=item.id, theme_id=t.id, sentiment=score) for t in themes])
    s.add(Case(title="Noisy room", source="manual", customer_id=ids[ANN], status="open"))
    s.add(Case(title="Done", source="manual", customer_id=ids[CY], status="closed"))
    board = Board(key="stays", names={"en": "Stays"})
    s.add(board)
    s.flush()
    pool, bar = Idea(board_id=board.id, title="Rooftop pool", vote_count=3), Idea(board_id=board.id, title="Bar")
    s.add_all([pool, bar])
    s.flush()
    s.add_all([IdeaVote(idea_id=pool.id, origin_idea_id=pool.id, customer_id=ids[ANN]),
               IdeaVote(idea_id=pool.id, origin_idea_id=pool.id, customer_id=ids[CY]),
               IdeaVote(idea_id=bar.id, origin_idea_id=bar.id, customer_id=ids[BOB])])
    s.flush()
    return ids


def test_persona_report_figures_on_hand_made_data(db):
    with db.transaction() as s:
        ids = _report_data(s)
        r = personas.persona_report(s, "cn", customers=True)
        assert r.members == 2 and r.conditions == ["country = CN"]
        # Ann 5 (latest) and 9, Cy 3 in the window: 1 promoter, 2 detractors of 3 answers
        assert r.nps.n == 3 and round(r.nps.value or 0) == -33 and r.nps.low is not None
        assert r.value.scored == 1 and r.value.clv_mean == 2000 and r.value.clv_sum == 2000
        assert r.value.high_risk_share == 1.0
        assert len(r.trend) == 12 and r.trend[-1].month == datetime.now().strftime("%Y-%m") or True
        assert sum(p.active for p in r.trend[-2:]) >= 2
        assert [t.path for t in r.themes] == ["service/slow", "room/clean"]
        assert r.themes[0].volume == 3 and r.themes[0].share == 0.75
        assert [v.text for v in r.verbatims["en"]] == ["Check-in took forever <b>", "Room was spotless"]
        assert [v.text for v in r.verbatims["zh"]] == ["服务太慢了"]  # the neutral one is not typical
        assert r.open_cases == 1 and [c.title for c in r.cases or []] == ["Noisy room"]
        assert [(i.title, i.member_votes) for i in r.ideas] == [("Rooftop pool", 2)]
        assert [j.key for j in r.journeys] == ["stay"]
        hidden = personas.persona_report(s, "cn")
        assert hidden.verbatims is None and hidden.cases is None and hidden.open_cases is None
        both = personas.compare_personas(s, ["cn", "de"]).personas
        assert [b.key for b in both] == ["cn", "de"] and both[1].members == 1 and both[1].nps.n == 1
        rows, total = personas.list_personas(s, "all")
        assert total == 2 and {p.key: p.members for p in rows} == {"cn": 2, "de": 1}
        assert {p.key: p.nps.n for p in rows} == {"cn": 3, "de": 1}
        assert ids


def test_api_permissions_preview_and_save(client, db, tokens):  # noqa: F811
    with db.transaction() as s:
        _report_data(s, journey=False)
    viewer, analyst, manager = auth(tokens["viewer"]), auth(tokens["analyst"]), auth(tokens["manager"])
    seen = client.get("/api/v1/personas/cn", headers=viewer).json()
    assert seen["members"] == 2 and seen["verbatims"] is None and seen["cases"] is None
    assert "forever" not in str(seen) and not re.search(r'"customer_id": ?\d', str(seen))
    full = client.get("/api/v1/personas/cn", headers=analyst).json()
    assert full["verbatims"]["en"][0]["text"] == "Check-in took forever <b>" and full["open_cases"] == 1
    listed = client.get("/api/v1/personas?kind=all", headers=viewer).json()
    assert listed["total"] == 2 and set(listed) == {"items", "total", "total_exact", "limit", "offset"}
    assert listed["total_exact"] is True
    compared = client.get("/api/v1/personas/compare?keys=cn,de", headers=viewer).json()
    assert [p["key"] for p in compared["personas"]] == ["cn", "de"]
    assert client.get("/api/v1/personas/compare?keys=cn", headers=viewer).status_code == 422
    assert client.get("/api/v1/personas/nope", headers=viewer).status_code == 404
    rule = {"rule": [{"attribute": "last_nps", "op": "lte", "value": 6}]}
    counted = client.post("/api/v1/segments/preview", headers=viewer, json=rule).json()
    assert counted["members"] == 2 and counted["sample"] is None
    assert len(client.post("/api/v1/segments/preview", headers=analyst, json=rule).json()["sample"]) == 2
    bad = {"rule": [{"attribute": "clv", "op": "gte", "value": "lots"}]}
    assert client.post("/api/v1/segments/preview", headers=viewer, json=bad).status_code == 422
    body = {"name": "Detractors", "kind": "persona", **rule}
    assert client.put("/api/v1/segments/detractors", headers=viewer, json=body).status_code == 403
    assert client.put("/api/v1/segments/detractors", headers=analyst, json=body).status_code == 403
    saved = client.put("/api/v1/segments/detractors", headers=manager, json=body).json()
    assert saved["members"] == counted["members"] and saved["created"] is True
    assert client.put("/api/v1/segments/Bad Key", headers=manager, json=body).status_code == 422
    # POST /segments (customers) evaluates figures too
    made = client.post("/api/v1/segments", headers=manager, json={"key": "rich", "name": "Rich", "rule": [
        {"attribute": "clv", "op": "gte", "value": 1000}]}).json()
    assert made["members"] == 1


def test_pages_render_escape_and_preview_without_javascript(client, db, tokens):  # noqa: F811
    with db.transaction() as s:
        _report_data(s, journey=False)
    assert login(client, "viewer@example.com").status_code == 303
    page = client.get("/personas")
    assert page.status_code == 200 and "China &lt;guests&gt;" in page.text and "<guests>" not in page.text
    assert 'href="/personas"' in page.text  # the nav entry
    one = client.get("/personas/cn")
    assert one.status_code == 200 and "country = CN" in one.text and "<svg" in one.text
    assert re.search(r'<img src="/journeys/\d+/curve.svg\?segment=cn" alt="[^"]+"', one.text)
    assert "forever" not in one.text and not re.search(r"/customers/\d+", one.text) and "Rooftop pool" in one.text
    assert client.get("/segments/new").status_code == 403
    compare = client.get("/personas/compare?keys=cn,de")
    assert compare.status_code == 200 and re.search(r"curve.svg\?segment=cn&amp;compare=de", compare.text)
    client.cookies.clear()
    assert login(client, "manager@example.com").status_code == 303
    shown = client.get("/personas/cn")
    assert "Check-in took forever &lt;b&gt;" in shown.text and "服务太慢了" in shown.text and "Noisy room" in shown.text
    editor = client.get("/segments/cn/edit")
    csrf = re.search(r'name="csrf" value="([^"]+)"', editor.text).group(1)
    assert 'id="preview-count">2<' in editor.text
    form = {"csrf": csrf, "name": "Detractors", "kind": "persona", "attribute": ["last_nps", ""],
            "op": ["lte", "eq"], "value": ["6", ""], "action": "preview"}
    previewed = client.post("/segments/cn/edit", data=form)
    assert previewed.status_code == 200 and 'id="preview-count">2<' in previewed.text
    assert get_segment_rule(db, "cn") == [{"attribute": "country", "op": "eq", "value": "CN"}]  # nothing saved
    made = client.post("/segments/new", data={**form, "key": "detractors", "action": "save"}, follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"] == "/personas/detractors"
    assert get_segment_rule(db, "detractors") == [{"attribute": "last_nps", "op": "lte", "value": 6}]
    again = client.post("/segments/new", data={**form, "key": "detractors", "action": "save"})
    assert again.status_code == 409 and "exists already" in again.text


def get_segment_rule(db, key: str) -> list:  # type: ignore[no-untyped-def]
    with db.transaction() as s:
        return list(get_segment(s, key).rule)


def test_customers_count_whatever_their_number(db):
    with db.transaction() as s:
        for i in range(7):
            s.add(Customer(name=f"c{i}", attributes={"n": i}))
        s.flush()
        assert personas.preview(s, [{"attribute": "n", "op": "gte", "value": 3}]).members == 4
        assert sum(1 for _ in personas.matching(s, [{"attribute": "n", "op": "gte", "value": 3}], batch=2)) == 7
