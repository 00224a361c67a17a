"""Incremental rollups of rated answers per segment and persona (DESIGN §5, §6 step 4).

``segment_rollup`` holds the sums of ``answer_rollup`` once more per segment of the
answering customer, so a segment or persona slice aggregates a few thousand rows whatever
the number of answers. It is kept in step by reactions (:mod:`centric.wiring`):

* answers stored or retracted: added to / taken from every segment their customer is in now;
* a customer joins or leaves a segment (:class:`MembershipsChanged`): that customer's
  answers, as they are at that moment, are added to / taken from that segment;
* a segment's members are recomputed wholesale (:class:`SegmentsRefilled`): that
  segment's rows are recomputed from its members' answers, set-based;
* a merge moves responses to the survivor (and an undo back): the moved answers leave the
  old owner's segments and join the new owner's.

Each reaction runs when the change is made, against the answers as they are then, so the
sum of all deltas equals what :func:`rebuild` recomputes from scratch (tested on both
databases after mixed sequences). Rows whose count fell to zero may stay behind; readers
ignore them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Date as SqlDate
from sqlalchemy import cast, delete, func, insert, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from centric.customers.models import CustomerMerge, CustomerSegment
from centric.db import in_chunks
from centric.events import (
    AnswersRetracted,
    AnswersStored,
    CustomerMergeUndone,
    CustomersMerged,
    MembershipsChanged,
    RatedAnswer,
    SegmentsRefilled,
)
from centric.insights.models import SegmentRollup
from centric.insights.rollups import RATED, SUMS, grouped, sum_columns
from centric.surveys.models import Answer, Response

SegmentKey = tuple[int, date, int, int, str, str]
Sums = dict[str, float]


def _day(session: Session) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return func.date(Response.submitted_at)
    return cast(Response.submitted_at, SqlDate)


@cache
def _upsert(dialect: str) -> postgresql.Insert | sqlite.Insert:
    """The additive upsert (negative sums subtract), built once per dialect."""
    table = SegmentRollup.__table__
    statement = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    return statement.on_conflict_do_update(
        index_elements=["segment_id", "day", "survey_id", "touchpoint_id", "channel", "metric"],
        set_={name: table.c[name] + statement.excluded[name] for name in SUMS},
    )


def _apply(session: Session, groups: dict[SegmentKey, Sums]) -> None:
    rows = [
        {"segment_id": k[0], "day": k[1], "survey_id": k[2], "touchpoint_id": k[3], "channel": k[4],
         "metric": k[5], **sums}
        for k, sums in groups.items() if sums["n"]
    ]
    # one order for every writer: concurrent upserts then lock rows in the same order (no deadlock)
    rows.sort(key=lambda r: (r["segment_id"], r["day"], r["survey_id"], r["touchpoint_id"], r["channel"],
                             r["metric"]))
    statement = _upsert(session.get_bind().dialect.name)
    for start in range(0, len(rows), 500):
        session.execute(statement, rows[start:start + 500])


def _segments_of(session: Session, customer_ids: Iterable[int]) -> dict[int, list[int]]:
    """Each customer's segments now."""
    found: dict[int, list[int]] = defaultdict(list)
    for chunk in in_chunks(sorted(set(customer_ids))):
        for customer_id, segment_id in session.execute(
                select(CustomerSegment.customer_id, CustomerSegment.segment_id)
                .where(CustomerSegment.customer_id.in_(chunk))):
            found[customer_id].append(segment_id)
    return found


def _count_answers(session: Session, rated: Sequence[RatedAnswer], sign: int) -> None:
    """Add (``sign`` 1) or take away (-1) rated answers in their customers' segments."""
    known = [a for a in rated if a.customer_id is not None and a.metric in RATED and a.number is not None]
    if not known:
        return
    by_customer: dict[int, list[RatedAnswer]] = defaultdict(list)
    for a in known:
        by_customer[a.customer_id or 0].append(a)
    segments = _segments_of(session, by_customer)
    groups: dict[SegmentKey, Sums] = defaultdict(lambda: dict.fromkeys(SUMS, 0))
    for customer_id, answers in by_customer.items():
        for key, sums in grouped(answers).items():  # the daily rollup's sums, once per segment
            for segment_id in segments.get(customer_id, ()):
                totals = groups[(segment_id, *key)]
                for name, value in sums.items():
                    totals[name] += sign * value
    _apply(session, groups)


def _answer_sums(session: Session, where: Any, *, by_customer: bool
                 ) -> dict[int, dict[tuple[date, int, int, str, str], Sums]]:
    """Rated answers' sums per rollup key for the responses ``where`` selects, per customer or all under 0."""
    day = _day(session)
    touchpoint = func.coalesce(Response.touchpoint_id, literal_column("0"))
    keys = [day, Response.survey_id, touchpoint, Response.channel, Answer.metric]
    owner = [Response.customer_id] if by_customer else []
    query = (
        select(*owner, *keys, *sum_columns())
        .join(Response, Answer.response_id == Response.id)
        .where(where, Answer.metric.in_(RATED), Answer.number.is_not(None))
        .group_by(*owner, *keys)
    )
    found: dict[int, dict[tuple[date, int, int, str, str], Sums]] = defaultdict(dict)
    for row in session.execute(query):
        cells: tuple[Any, ...] = tuple(row)
        customer_id, values = (int(cells[0]), cells[1:]) if by_customer else (0, cells)
        day_value = values[0] if isinstance(values[0], date) else date.fromisoformat(str(values[0]))
        key = (day_value, int(values[1]), int(values[2]), str(values[3]), str(values[4]))
        found[customer_id][key] = {name: float(value or 0) for name, value in zip(SUMS, values[5:], strict=True)}
    return found


def _move_customers(session: Session, pairs: Iterable[tuple[int, int]], sign: int) -> None:
    """Add (or take away) each customer's current answers in the paired segment."""
    by_customer: dict[int, list[int]] = defaultdict(list)
    for customer_id, segment_id in pairs:
        by_customer[customer_id].append(segment_id)
    if not by_customer:
        return
    groups: dict[SegmentKey, Sums] = defaultdict(lambda: dict.fromkeys(SUMS, 0))
    for chunk in in_chunks(sorted(by_customer)):
        per_customer = _answer_sums(session, Response.customer_id.in_(chunk), by_customer=True)
        for customer_id, keyed in per_customer.items():
            for segment_id in by_customer[customer_id]:
                for key, sums in keyed.items():
                    target = groups[(segment_id, *key)]
                    for name, value in sums.items():
                        target[name] += sign * value
    _apply(session, groups)


def _move_responses(session: Session, response_ids: Sequence[int], old_owner: int, new_owner: int) -> None:
    """Moved responses' answers leave ``old_owner``'s segments and join ``new_owner``'s."""
    if not response_ids:
        return
    segments = _segments_of(session, (old_owner, new_owner))
    groups: dict[SegmentKey, Sums] = defaultdict(lambda: dict.fromkeys(SUMS, 0))
    for chunk in in_chunks(list(response_ids)):
        keyed = _answer_sums(session, Response.id.in_(chunk), by_customer=False).get(0, {})
        for owner, sign in ((old_owner, -1), (new_owner, 1)):
            for segment_id in segments.get(owner, ()):
                for key, sums in keyed.items():
                    target = groups[(segment_id, *key)]
                    for name, value in sums.items():
                        target[name] += sign * value
    _apply(session, groups)


def refill(session: Session, segment_ids: Sequence[int]) -> None:
    """Recompute the rows of these segments from their members' answers (set-based)."""
    if not segment_ids:
        return
    session.execute(delete(SegmentRollup).where(SegmentRollup.segment_id.in_(list(segment_ids))))
    _insert_from_answers(session, CustomerSegment.segment_id.in_(list(segment_ids)))


def _insert_from_answers(session: Session, where: Any) -> None:
    day = _day(session)
    touchpoint = func.coalesce(Response.touchpoint_id, literal_column("0"))
    select_sums = (
        select(CustomerSegment.segment_id, day, Response.survey_id, touchpoint, Response.channel, Answer.metric,
               *sum_columns())
        .select_from(CustomerSegment)
        .join(Response, Response.customer_id == CustomerSegment.customer_id)
        .join(Answer, Answer.response_id == Response.id)
        .where(where, Answer.metric.in_(RATED), Answer.number.is_not(None))
        .group_by(CustomerSegment.segment_id, day, Response.survey_id, touchpoint, Response.channel, Answer.metric)
    )
    session.execute(insert(SegmentRollup).from_select(
        ["segment_id", "day", "survey_id", "touchpoint_id", "channel", "metric", *SUMS], select_sums))


def rebuild(session: Session) -> int:
    """Recompute every segment rollup from the stored answers; returns the number of rows."""
    session.execute(delete(SegmentRollup))
    _insert_from_answers(session, literal_column("1") == literal_column("1"))
    return session.scalar(select(func.count()).select_from(SegmentRollup)) or 0


# --- reactions (listed in centric.wiring) ---------------------------------------------------

def on_answers_stored(session: Session, event: AnswersStored) -> None:
    """Reaction: count new rated answers in their customers' segments."""
    _count_answers(session, event.rated, 1)


def on_answers_retracted(session: Session, event: AnswersRetracted) -> None:
    """Reaction: uncount replaced rated answers from their customers' segments."""
    _count_answers(session, event.rated, -1)


def on_memberships_changed(session: Session, event: MembershipsChanged) -> None:
    """Reaction: a customer's answers follow them into and out of segments."""
    _move_customers(session, event.removed, -1)
    _move_customers(session, event.added, 1)


def on_segments_refilled(session: Session, event: SegmentsRefilled) -> None:
    """Reaction: segments whose members were recomputed wholesale are recounted."""
    refill(session, sorted(set(event.ids)))


def on_customers_merged(session: Session, event: CustomersMerged) -> None:
    """Reaction (after the responses moved): their answers count in the survivor's segments."""
    record = session.get(CustomerMerge, event.merge_id)
    assert record is not None
    moved = record.snapshot.get("moved", {}).get(Response.__tablename__, [])
    _move_responses(session, moved, event.merged_id, event.survivor_id)


def on_merge_undone(session: Session, event: CustomerMergeUndone) -> None:
    """Reaction (after the responses moved back): their answers count in the merged customer's segments."""
    moved = event.moved.get(Response.__tablename__, ())
    _move_responses(session, list(moved), event.survivor_id, event.merged_id)
