"""Respondent privacy: a customer's data export (GDPR art. 15) and erasure (art. 17).

Erasure deletes what identifies the person (profile, identities, events, invitations,
feedback texts, free-text and hidden answers, merge snapshots) and keeps their rated and
choice answers anonymised (``customer_id`` NULL) so that statistics stay right. Tables
added later by other domains are found through their foreign keys to ``customer``: a
nullable reference is cleared, a required one deletes the row. Ideas, votes and comments
stay (others voted for the ideas; votes keep counting) without their author: the name
shown on them is blanked and comments' words replaced first. The audit log records the
erasure with counts only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, delete, select, update
from sqlalchemy.orm import Session

import centric.models  # noqa: F401  (registers every table, so foreign keys can be followed)
from centric.accounts.service import audit
from centric.chat.follow import erase_chat_text
from centric.customers.models import Customer, CustomerMerge, CustomerSegment, Identity, Segment
from centric.customers.service import get_customer
from centric.db import Base, changed_rows
from centric.errors import Invalid
from centric.events import MembershipsChanged, publish
from centric.feedback.models import Feedback
from centric.ideas.follow import erase_authorship
from centric.ideas.models import Idea, IdeaComment, IdeaVote
from centric.journeys.models import Event
from centric.loop.cases import erase_case_text
from centric.privacy.documents import erase_copies, person_of
from centric.privacy.schemas import CustomerExport, ErasureReport
from centric.surveys.models import Answer, Invitation, Response, Survey

PERSONAL_ANSWERS = ("text", "hidden")  # free texts and link-supplied ids (ticket numbers…)
HANDLED = {"customer", "identity", "event", "response", "feedback", "invitation", "customer_segment",
           "customer_merge"}
IDEA_TABLES = {"idea", "idea_vote", "idea_comment"}  # exported under ``ideas``; erased by the generic handling


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


def _rows(session: Session, model: Any, *where: Any) -> list[dict[str, Any]]:
    table: Table = model.__table__ if hasattr(model, "__table__") else model
    return [{k: _plain(v) for k, v in row._mapping.items()} for row in session.execute(select(table).where(*where))]


def _family(session: Session, customer_id: int) -> list[int]:
    """The surviving profile and every profile merged into it (they are one person)."""
    ids = [get_customer(session, customer_id).id]
    frontier = list(ids)
    while frontier:
        merged = list(session.scalars(select(Customer.id).where(Customer.merged_into_id.in_(frontier))))
        ids += merged
        frontier = merged
    return ids


def _other_references() -> list[tuple[Table, Any]]:
    """(table, column) of every foreign key to ``customer.id`` this module does not handle itself."""
    found = []
    for table in Base.metadata.sorted_tables:
        if table.name in HANDLED:
            continue
        for column in table.columns:
            if any(fk.column.table.name == "customer" for fk in column.foreign_keys):
                found.append((table, column))
    return found


def export_customer(session: Session, customer_id: int, user_id: int | None = None) -> CustomerExport:
    """Everything Centric holds about one customer, as one JSON document (the export is audited)."""
    ids = _family(session, customer_id)
    audit(session, user_id, "customer.export", "customer", ids[0], {})
    responses = _rows(session, Response, Response.customer_id.in_(ids))
    answers: dict[int, list[dict[str, Any]]] = {}
    for answer in _rows(session, Answer, Answer.response_id.in_([r["id"] for r in responses])):
        answers.setdefault(answer["response_id"], []).append(answer)
    surveys = dict(session.execute(select(Survey.id, Survey.key)).all())
    for response in responses:
        response["survey"] = surveys.get(response["survey_id"])
        response["answers"] = answers.get(response["id"], [])
    other = {f"{table.name}.{column.name}": _rows(session, table, column.in_(ids))
             for table, column in _other_references() if table.name not in IDEA_TABLES}
    return CustomerExport(
        customer_id=ids[0], exported_at=datetime.now().astimezone().isoformat(),
        profiles=_rows(session, Customer, Customer.id.in_(ids)),
        identities=_rows(session, Identity, Identity.customer_id.in_(ids)),
        segments=list(session.scalars(select(Segment.key).join(CustomerSegment)
                                      .where(CustomerSegment.customer_id.in_(ids)))),
        events=_rows(session, Event, Event.customer_id.in_(ids)),
        responses=responses,
        feedback=_rows(session, Feedback, Feedback.customer_id.in_(ids)),
        invitations=_rows(session, Invitation, Invitation.customer_id.in_(ids)),
        merges=_rows(session, CustomerMerge, CustomerMerge.survivor_id.in_(ids) | CustomerMerge.merged_id.in_(ids)),
        ideas=_ideas_of(session, ids),
        other={k: v for k, v in other.items() if v},
    )


def _ideas_of(session: Session, ids: list[int]) -> dict[str, list[dict[str, Any]]]:
    """The customer's ideas, votes and comments, each vote and comment with its idea's title."""
    votes = _rows(session, IdeaVote, IdeaVote.customer_id.in_(ids))
    comments = _rows(session, IdeaComment, IdeaComment.customer_id.in_(ids))
    idea_ids = {row["idea_id"] for row in (*votes, *comments)}
    titles = dict(session.execute(select(Idea.id, Idea.title).where(Idea.id.in_(idea_ids))).all()) if idea_ids else {}
    for row in (*votes, *comments):
        row["idea_title"] = titles.get(row["idea_id"])
    return {"ideas": _rows(session, Idea, Idea.customer_id.in_(ids)), "votes": votes, "comments": comments}


def erase_customer(session: Session, customer_id: int, confirm: int | str | None,
                   user_id: int | None = None) -> ErasureReport:
    """Delete or anonymise everything personal about a customer; ``confirm`` must repeat the id."""
    if str(confirm).strip() != str(customer_id):
        raise Invalid(f"type the customer's id ({customer_id}) to confirm the erasure", field="confirm")
    ids = _family(session, customer_id)
    response_ids = list(session.scalars(select(Response.id).where(Response.customer_id.in_(ids))))
    invitation_ids = list(session.scalars(select(Invitation.id).where(Invitation.customer_id.in_(ids))))
    counts: dict[str, int] = {"profiles": len(ids), "responses_anonymised": len(response_ids)}
    person = person_of(session, ids, response_ids)
    memberships = session.execute(select(CustomerSegment.customer_id, CustomerSegment.segment_id)
                                  .where(CustomerSegment.customer_id.in_(ids))).all()
    if memberships:  # the answers stay (anonymised) but leave the customer's segments
        publish(session, MembershipsChanged(removed=tuple((c, s) for c, s in memberships)))
    counts["answers_deleted"] = changed_rows(session, delete(Answer).where(
        Answer.response_id.in_(response_ids), Answer.metric.in_(PERSONAL_ANSWERS)))
    counts["feedback_deleted"] = changed_rows(session, delete(Feedback).where(
        Feedback.customer_id.in_(ids) | Feedback.response_id.in_(response_ids)))
    session.execute(update(Response).where(Response.id.in_(response_ids)).values(
        customer_id=None, invitation_id=None, idempotency_key=None))
    session.execute(update(Response).where(Response.invitation_id.in_(invitation_ids)).values(invitation_id=None))
    counts["case_text_erased"] = erase_case_text(session, ids)
    counts["chat_text_erased"] = erase_chat_text(session, ids)
    counts["idea_authorship_erased"] = erase_authorship(session, ids)
    for table, column in _other_references():
        counts[table.name] = _detach(session, table, column, ids)
    counts["invitations_deleted"] = changed_rows(session, delete(Invitation).where(Invitation.id.in_(invitation_ids)))
    counts["events_deleted"] = changed_rows(session, delete(Event).where(Event.customer_id.in_(ids)))
    counts["identities_deleted"] = changed_rows(session, delete(Identity).where(Identity.customer_id.in_(ids)))
    session.execute(delete(CustomerSegment).where(CustomerSegment.customer_id.in_(ids)))
    session.execute(delete(CustomerMerge).where(CustomerMerge.survivor_id.in_(ids) | CustomerMerge.merged_id.in_(ids)))
    session.execute(update(Customer).where(Customer.id.in_(ids)).values(merged_into_id=None))
    session.execute(delete(Customer).where(Customer.id.in_(ids)))
    counts.update(erase_copies(session, person))
    session.expire_all()
    audit(session, user_id, "customer.erase", "customer", ids[0], {"counts": counts})
    return ErasureReport(customer_id=ids[0], counts=counts)


def _detach(session: Session, table: Table, column: Any, ids: list[int]) -> int:
    """Clear a nullable reference, or delete the rows (and, first, what refers to them)."""
    if column.nullable:
        return changed_rows(session, update(table).where(column.in_(ids)).values({column.name: None}))
    keys = list(table.primary_key.columns)
    if len(keys) == 1:
        row_ids = list(session.scalars(select(keys[0]).where(column.in_(ids))))
        for child in Base.metadata.sorted_tables:
            for child_column in child.columns:
                if any(fk.column is keys[0] for fk in child_column.foreign_keys):
                    _detach(session, child, child_column, row_ids)
    return changed_rows(session, delete(table).where(column.in_(ids)))
