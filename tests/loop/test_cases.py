"""Cases: transitions, routing, priority, bulk actions, merges, customer merges, webhooks, erasure."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from centric.accounts.models import Team, User
from centric.config import Settings
from centric.customers.schemas import CustomerIn
from centric.customers.service import merge_customers, undo_merge, upsert_customer
from centric.errors import Conflict, Invalid, NotFound
from centric.events import CasesUpdated, recorded
from centric.insights.models import CustomerValue
from centric.journeys.models import Touchpoint
from centric.loop import cases, inbox
from centric.loop.case_schemas import AssignIn, BulkIn, CaseFilters, CaseIn, CasePatch, CloseIn, RootCauseIn
from centric.loop.cases import CaseDraft, open_cases
from centric.loop.models import Case, CaseActivity, RootCause
from centric.loop.rootcauses import create_root_cause, delete_root_cause
from centric.privacy.service import erase_customer
from centric.webhooks.models import WebhookDelivery
from centric.webhooks.schemas import SubscriptionIn
from centric.webhooks.service import create_subscription
from tests.factories import make_journey, make_user


def _team(s, name: str = "Front Office") -> Team:
    return s.scalar(select(Team).where(Team.name == name))


def _member(s, role: str, email: str, team: Team | None) -> User:
    user = make_user(s, role, email)
    user.team_id = team.id if team else None
    return user


def _touchpoint(s, key: str = "check-in") -> Touchpoint:
    return s.scalar(select(Touchpoint).where(Touchpoint.key == key))


def _codes(s) -> None:
    create_root_cause(s, RootCauseIn(code="delivery", name="Delivery"))
    create_root_cause(s, RootCauseIn(code="delivery/courier-late", name="Courier late"))


def _case(s, title: str = "Unhappy guest", **kw) -> Case:
    return open_cases(s, [CaseDraft(title=title, source="manual", **kw)])[0]


def test_status_transitions_and_close_needs_a_root_cause(db):
    with db.transaction() as s:
        make_journey(s)
        _codes(s)
        case = _case(s)
        cases.update_case(s, case.id, CasePatch(status="open"))
        with pytest.raises(Conflict, match="cannot go from open to reopened"):
            cases.update_case(s, case.id, CasePatch(status="reopened"))
        with pytest.raises(Invalid, match="needs a root cause") as refused:
            cases.close_case(s, case.id, CloseIn())
        assert refused.value.field == "root_cause"
        with pytest.raises(Invalid, match="no root-cause code"):
            cases.close_case(s, case.id, CloseIn(root_cause="nope"))
        cases.close_case(s, case.id, CloseIn(root_cause="delivery/courier-late", recovered="yes",
                                             resolution="refunded the night"))
        assert (case.status, case.recovered, case.closed_at is not None) == ("closed", "yes", True)
        with pytest.raises(Conflict):
            cases.update_case(s, case.id, CasePatch(status="open"))
        cases.reopen_case(s, case.id, "customer wrote again")
        assert case.status == "reopened" and case.closed_at is None
        kinds = list(s.scalars(select(CaseActivity.kind).where(CaseActivity.case_id == case.id)
                               .order_by(CaseActivity.id)))
        # the reopening restarts the resolution clock, which the SLA engine notes ("sla")
        assert [k for k in kinds if k != "sla"] == ["created", "status", "root_cause", "recovered", "status",
                                                    "status"]
        assert kinds.count("sla") == 1 and kinds.index("sla") > kinds.index("recovered")
        # a used code is deactivated, not deleted
        used = s.scalar(select(RootCause).where(RootCause.code == "delivery/courier-late"))
        assert delete_root_cause(s, used.id) is False and used.active is False


def test_round_robin_and_least_loaded_routing(db):
    with db.transaction() as s:
        make_journey(s)
        team = _team(s)
        team.routing = "round_robin"
        a1 = _member(s, "agent", "a1@example.com", team)
        a2 = _member(s, "agent", "a2@example.com", team)
        _member(s, "analyst", "an@example.com", team)  # analysts take no cases
        m = _member(s, "manager", "m@example.com", team)
        tp = _touchpoint(s)
        routed = open_cases(s, [CaseDraft(title=f"c{i}", source="manual", touchpoint_id=tp.id) for i in range(4)])
        assert [c.owner_id for c in routed] == [a1.id, a2.id, m.id, a1.id]
        assert all(c.team_id == team.id for c in routed) and team.last_assigned_id == a1.id
        team.routing = "least_loaded"
        nxt = open_cases(s, [CaseDraft(title=f"d{i}", source="manual", touchpoint_id=tp.id) for i in range(2)])
        assert [c.owner_id for c in nxt] == [a2.id, m.id]  # a1 holds two open cases
        other = _case(s)  # no touchpoint, no team: unassigned
        assert (other.owner_id, other.team_id) == (None, None)


def test_priority_is_explained(db):
    with db.transaction() as s:
        make_journey(s)
        customer = upsert_customer(s, CustomerIn(name="Ann", email="ann@example.com"))
        s.add(CustomerValue(customer_id=customer.id, clv=900.0, clv_band="high", churn_risk=0.4, risk_band="medium"))
        s.flush()
        valued, plain = open_cases(s, [CaseDraft(title="a", source="manual", customer_id=customer.id, severity=2),
                                       CaseDraft(title="b", source="manual", severity=2)])
        assert (valued.priority, valued.priority_score) == ("high", pytest.approx(3.6))
        assert "severity 2 × 1.5 (high customer value) × 1.2 (medium churn risk) = 3.60 → high" in \
            valued.priority_reason["text"]
        assert (plain.priority, plain.priority_reason["value_weight"]) == ("normal", 1.0)
        cases.update_case(s, plain.id, CasePatch(priority="urgent"))
        assert plain.priority == "urgent" and plain.priority_reason["override"]["computed"] == "normal"


def test_bulk_is_all_or_nothing_and_publishes_one_event(db):
    with db.transaction() as s:
        make_journey(s)
        _codes(s)
        agent = _member(s, "agent", "a1@example.com", _team(s))
        first, second, third = (_case(s, f"c{i}") for i in range(3))
        cases.close_case(s, third.id, CloseIn(root_cause="delivery"))
        ids = [first.id, second.id, third.id]
    with db.transaction() as s, pytest.raises(Conflict, match=f"case {ids[2]}: case {ids[2]} is closed already"):
        cases.bulk(s, BulkIn(ids=ids, action="close", root_cause="delivery"))
    with db.transaction() as s:
        assert [s.get(Case, i).status for i in ids] == ["new", "new", "closed"]  # nothing changed
        with recorded() as events:
            cases.bulk(s, BulkIn(ids=ids[:2], action="assign", owner_id=agent.id))
        updates = [e for e in events if isinstance(e, CasesUpdated)]
        assert len(updates) == 1 and {c.case_id for c in updates[0].changes} == set(ids[:2])
        assert updates[0].changes[0].fields["owner_id"] == (None, agent.id)


def test_merge_and_undo(db):
    with db.transaction() as s:
        make_journey(s)
        keep, dup = _case(s, "keep"), _case(s, "dup")
        cases.update_case(s, dup.id, CasePatch(status="waiting"))
        cases.add_note(s, dup.id, "same guest, second ticket")
        cases.merge_case(s, dup.id, keep.id)
        assert (dup.status, dup.merged_into_id) == ("closed", keep.id)
        shown = inbox.case_detail(s, keep.id)
        assert shown.merged_cases == [dup.id]
        assert "same guest, second ticket" in [a.body for a in shown.activity]
        with pytest.raises(Conflict):
            cases.merge_case(s, dup.id, keep.id)
        cases.unmerge_case(s, dup.id)
        assert (dup.status, dup.merged_into_id, dup.closed_at) == ("waiting", None, None)
        assert inbox.case_detail(s, keep.id).merged_cases == []


def test_agents_see_own_team_and_unassigned_cases_only(db):
    with db.transaction() as s:
        make_journey(s)
        front, house = _team(s), _team(s, "Housekeeping")
        agent = _member(s, "agent", "a1@example.com", front)
        other = _member(s, "agent", "a2@example.com", house)
        analyst = _member(s, "analyst", "an@example.com", None)
        mine = _case(s, "mine", owner_id=agent.id)
        theirs = _case(s, "theirs", team_id=house.id, owner_id=other.id)
        loose = _case(s, "loose")
        with pytest.raises(NotFound):
            cases.get_case(s, theirs.id, agent)
        with pytest.raises(NotFound):
            cases.assign_case(s, theirs.id, AssignIn(owner_id=agent.id), agent)
        seen = {c.id for c in inbox.list_cases(s, CaseFilters(), agent)[0]}
        assert seen == {mine.id, loose.id}
        assert len(inbox.list_cases(s, CaseFilters(), analyst)[0]) == 3


def test_customer_merge_moves_cases_and_undo_moves_them_back(db):
    with db.transaction() as s:
        ann = upsert_customer(s, CustomerIn(name="Ann", email="ann@example.com"))
        dup = upsert_customer(s, CustomerIn(name="Ann B", email="annb@example.com"))
        case = _case(s, customer_id=dup.id)
        merge = merge_customers(s, ann, dup, reason="same person")
        assert case.customer_id == ann.id
        undo_merge(s, merge.id)
        s.expire_all()
        assert s.get(Case, case.id).customer_id == dup.id


def test_webhooks_announce_created_updated_and_closed(db):
    settings = Settings(database_url=db.url, webhook_allowed_hosts="127.0.0.1")
    with db.transaction() as s:
        create_subscription(s, SubscriptionIn(url="http://127.0.0.1:9/hook", events=["case.*"]), settings)
        _codes(s)
        case = _case(s, "late courier")
        cases.update_case(s, case.id, CasePatch(status="open"))
        cases.close_case(s, case.id, CloseIn(root_cause="delivery"))
        case_id = case.id
    with db.transaction() as s:
        sent = list(s.execute(select(WebhookDelivery.event, WebhookDelivery.payload).order_by(WebhookDelivery.id)))
    assert [event for event, _ in sent] == ["case.created", "case.updated", "case.updated", "case.closed"]
    assert all(payload["id"] == case_id for _, payload in sent)
    assert sent[1][1]["changes"]["status"] == {"before": "new", "after": "open"}
    assert sent[3][1]["root_cause"] == "delivery"


def test_erasure_blanks_case_text(db):
    with db.transaction() as s:
        ann = upsert_customer(s, CustomerIn(name="Ann Example", email="ann@example.com"))
        case = _case(s, "Ann Example is furious", customer_id=ann.id, verbatim="room was filthy")
        cases.add_note(s, case.id, "called Ann Example at home")
        erase_customer(s, ann.id, ann.id)
        case_id = case.id
    with db.transaction() as s:
        stored = s.get(Case, case_id)
        assert (stored.title, stored.verbatim, stored.customer_id) == ("[erased]", "", None)
        bodies = set(s.scalars(select(CaseActivity.body).where(CaseActivity.case_id == case_id)))
        assert "called Ann Example at home" not in bodies


def test_manual_case_checks_its_references(db):
    with db.transaction() as s, pytest.raises(Invalid) as refused:
        cases.open_case(s, CaseIn(title="x", customer_id=999))
    assert refused.value.field == "customer_id"


def test_any_first_contact_opens_a_new_case_visibly(db):
    """An e-mail sent by the follow-up job logs its contact like a call does: the trail and the event show it."""
    with db.transaction() as s:
        case = open_cases(s, [CaseDraft(title="Cold room", source="manual")])[0]
        with recorded() as seen:
            cases.log_contact(s, case, None, channel="email", outcome="sent")
        kinds = list(s.scalars(select(CaseActivity.kind).where(CaseActivity.case_id == case.id)
                               .order_by(CaseActivity.id)))
        assert case.status == "open" and kinds[-2:] == ["contact", "status"]
        updates = [e for e in seen if isinstance(e, CasesUpdated)]
        assert [c.fields for e in updates for c in e.changes] == [{"status": ("new", "open")}]
