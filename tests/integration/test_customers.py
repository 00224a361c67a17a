"""Identity resolution, merges that never lose data, undo, and segments — on both backends."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from centric.customers.models import Customer, CustomerMerge, Identity
from centric.customers.schemas import CustomerIn, SegmentIn
from centric.customers.service import (
    create_segment,
    get_customer,
    identities_for,
    undo_merge,
    upsert_customer,
)
from centric.errors import Conflict, Invalid
from centric.feedback.schemas import FeedbackIn
from centric.feedback.service import record_feedback
from centric.journeys.models import Event
from centric.journeys.schemas import EventIn
from centric.journeys.service import record_event


def test_same_identity_finds_same_customer(db):
    with db.transaction() as s:
        first = upsert_customer(s, CustomerIn(email="Ann@Example.com", name="Ann"))
        again = upsert_customer(s, CustomerIn(email="ann@example.com "))
        assert again.id == first.id
        assert s.scalar(select(func.count()).select_from(Customer)) == 1


def test_customer_seen_on_two_channels_is_merged_without_losing_data(db):
    with db.transaction() as s:
        by_mail = upsert_customer(s, CustomerIn(email="bo@example.com", attributes={"tier": "gold"}))
        by_phone = upsert_customer(
            s, CustomerIn(phone="+44 20 7946 0000", attributes={"tier": "silver", "city": "London"}))
        record_event(s, EventIn(customer=CustomerIn(phone="+44 20 7946 0000"), kind="call",
                                occurred_at=datetime(2026, 1, 5), external_id="call-1", source="pbx"))
        assert by_mail.id != by_phone.id
        # A chat names both the e-mail and the phone: the two profiles are one person.
        joined = upsert_customer(s, CustomerIn(email="bo@example.com", phone="+442079460000"), may_merge=True)
        assert joined.id == by_mail.id
        merged = s.get(Customer, by_phone.id)
        assert merged.merged_into_id == by_mail.id
        assert get_customer(s, by_phone.id).id == by_mail.id
        kinds = {(i.kind, i.value) for i in identities_for(s, by_mail.id)}
        assert ("phone", "+442079460000") in kinds and ("email", "bo@example.com") in kinds
        assert s.scalar(select(Event.customer_id).where(Event.external_id == "call-1")) == by_mail.id
        survivor = s.get(Customer, by_mail.id)
        assert survivor.attributes["tier"] == "gold"
        assert survivor.attributes["city"] == "London"
        assert survivor.attributes["_conflicts"]["tier"] == ["silver"]
        assert s.scalar(select(func.count()).select_from(Customer)) == 2  # nothing deleted


def test_undo_merge_restores_both_profiles(db):
    with db.transaction() as s:
        a = upsert_customer(s, CustomerIn(email="cy@example.com", attributes={"tier": "gold"}))
        b = upsert_customer(s, CustomerIn(social="@cy_tweets", attributes={"city": "Paris"}))
        record_feedback(s, FeedbackIn(text="Love the rooftop bar", channel="social", source="twitter",
                                      external_id="tw-1", customer=CustomerIn(social="@cy_tweets")))
        upsert_customer(s, CustomerIn(email="cy@example.com", identities=[{"kind": "social", "value": "cy_tweets"}]),
                        may_merge=True)
        merge = s.scalar(select(CustomerMerge))
        assert merge.survivor_id == a.id and merge.merged_id == b.id
    with db.transaction() as s:
        undo_merge(s, merge.id)
    with db.transaction() as s:
        assert s.get(Customer, b.id).merged_into_id is None
        assert s.get(Customer, a.id).attributes == {"tier": "gold"}
        assert {i.kind for i in identities_for(s, b.id)} == {"social"}
        assert {i.kind for i in identities_for(s, a.id)} == {"email"}
        with pytest.raises(Conflict):
            undo_merge(s, merge.id)


def test_identity_values_are_validated(db):
    with db.transaction() as s, pytest.raises(Invalid) as caught:
        upsert_customer(s, CustomerIn(email="not-an-email"))
    assert caught.value.field == "email"


def test_rule_segment_members(db):
    with db.transaction() as s:
        for i, tier in enumerate(["gold", "gold", "silver"]):
            upsert_customer(s, CustomerIn(external_id=f"c{i}", attributes={"tier": tier}))
        gold = [{"attribute": "tier", "op": "eq", "value": "gold"}]
        segment = create_segment(s, SegmentIn(key="vip", name="VIP", rule=gold))
        from centric.customers.models import CustomerSegment
        members = s.scalar(select(func.count()).select_from(CustomerSegment)
                           .where(CustomerSegment.segment_id == segment.id))
        assert members == 2
        later = upsert_customer(s, CustomerIn(external_id="c9", attributes={"tier": "gold"}))
        from centric.customers.service import segment_keys_for
        assert segment_keys_for(s, later.id) == ["vip"]
        assert s.scalar(select(func.count()).select_from(Identity).where(Identity.kind == "external")) == 4
