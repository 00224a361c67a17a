"""Domain events: published once per batch inside the unit of work, reacted to as wired."""

from __future__ import annotations

import inspect
import typing

import pytest
from sqlalchemy import func, select

from centric import events, wiring
from centric.customers.models import Customer
from centric.customers.schemas import CustomerIn
from centric.customers.service import merge_customers, undo_merge, upsert_customer
from centric.feedback.models import Feedback
from centric.feedback.schemas import FeedbackIn
from centric.feedback.service import record_feedback
from centric.ingest.records import read_rows
from centric.ingest.service import import_rows
from centric.insights.models import AnswerRollup
from centric.jobs.models import Job
from centric.journeys.models import Event
from centric.surveys.models import Response
from centric.themes.enrichment import ENRICH_TASK
from tests.factories import make_journey, respond


def _of(seen: list[object], kind: type) -> list:
    return [e for e in seen if isinstance(e, kind)]


def test_every_reaction_takes_the_event_it_is_wired_to():
    for reaction in wiring.REACTIONS:
        hints = typing.get_type_hints(reaction.handler)
        parameters = list(inspect.signature(reaction.handler).parameters)
        event_parameter = parameters[1] if reaction.in_transaction else parameters[0]
        assert hints[event_parameter] is reaction.event, reaction.name
        assert len(parameters) == (2 if reaction.in_transaction else 1), reaction.name


def test_every_event_type_is_reacted_to():
    defined = {obj for obj in vars(events).values() if inspect.isclass(obj) and obj.__module__ == "centric.events"
               and obj not in (events.RatedAnswer, events.CaseChange, events.JobSpec, events.Reaction)}
    wired = {r.event for r in wiring.REACTIONS}
    assert defined - wired == set()  # every event has a reaction (the closed loop took FeedbackEnriched)


def test_a_bulk_import_publishes_one_event_per_batch(db, tmp_path):
    with db.transaction() as s:
        make_journey(s)
    path = tmp_path / "responses.csv"
    rows = "\n".join(f"r{i},rnps,{i % 11},guest{i}@example.com,Lovely stay number {i}" for i in range(50))
    path.write_text("external_id,survey,nps,email,comment\n" + rows + "\n", encoding="utf-8")
    with events.recorded() as seen:
        assert import_rows(db, "responses", read_rows(path, "responses")).created == 50
    stored = _of(seen, events.ResponsesStored)
    assert len(stored) == 1 and len(stored[0].ids) == 50 and stored[0].imported
    assert len(_of(seen, events.AnswersStored)) == 1 and len(_of(seen, events.AnswersStored)[0].rated) == 50
    comments = _of(seen, events.FeedbackStored)
    assert len(comments) == 1 and comments[0].origin == "survey" and len(comments[0].ids) == 50
    with db.reader() as s:
        assert s.scalar(select(func.sum(AnswerRollup.n))) == 50  # the rollup reaction ran
        jobs = list(s.scalars(select(Job).where(Job.name == ENRICH_TASK)))
        assert [len(j.payload["ids"]) for j in jobs] == [50]  # the enrichment reaction, batched


def test_reactions_roll_back_with_the_change_that_caused_them(db):
    with db.transaction() as s:
        make_journey(s)
    with pytest.raises(RuntimeError), db.transaction() as s:
        record_feedback(s, FeedbackIn(text="The towels were dirty", channel="review"))
        respond(s, "rnps", 3, comment="Noisy room")
        raise RuntimeError("the unit of work fails after the events were published")
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Feedback)) == 0
        assert s.scalar(select(func.count()).select_from(Job)) == 0
        assert s.scalar(select(func.count()).select_from(AnswerRollup)) == 0


def test_a_single_submission_publishes_each_event_once(db):
    with db.transaction() as s:
        make_journey(s)
    with events.recorded() as seen, db.transaction() as s:
        out = respond(s, "rnps", 9, comment="Great breakfast")
    assert [type(e).__name__ for e in seen] == ["AnswersStored", "FeedbackStored", "ResponsesStored"]
    assert _of(seen, events.ResponsesStored)[0].ids == (out.id,)


def test_merge_reactions_move_every_owned_row_and_undo_moves_them_back(db):
    with db.transaction() as s:
        make_journey(s)
        respond(s, "rnps", 4, email="a@example.com", comment="Slow check-in")
        respond(s, "rnps", 10, email="b@example.com")
        first = upsert_customer(s, CustomerIn(email="a@example.com"))
        second = upsert_customer(s, CustomerIn(email="b@example.com"))
        record_feedback(s, FeedbackIn(text="Lost my booking", channel="chat", customer={"email": "b@example.com"}))
        ids = first.id, second.id
    with events.recorded() as seen, db.transaction() as s:
        merge = merge_customers(s, s.get(Customer, ids[0]), s.get(Customer, ids[1]), reason="same person")
    assert _of(seen, events.CustomersMerged) == [events.CustomersMerged(merge.id, ids[0], ids[1])]
    with db.reader() as s:
        owners = {m.__tablename__: set(s.scalars(select(m.customer_id))) for m in (Response, Feedback)}
        assert owners == {"response": {ids[0]}, "feedback": {ids[0]}}
        assert s.scalar(select(func.count()).select_from(Event)) == 0
    with db.transaction() as s:
        undo_merge(s, merge.id)
    with db.reader() as s:
        assert set(s.scalars(select(Response.customer_id))) == set(ids)
        assert set(s.scalars(select(Feedback.customer_id).where(Feedback.source != "survey"))) == {ids[1]}
