"""Customer profiles: identity resolution, logged and reversible merges, segments."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, Literal, Protocol

from sqlalchemy import Select, func, or_, select, tuple_, union, update
from sqlalchemy.orm import Session

from centric.accounts.service import audit
from centric.customers.identities import normalise_identity
from centric.customers.models import Customer, CustomerMerge, CustomerSegment, Identity, MergeSuggestion, Segment
from centric.customers.schemas import CustomerIn, CustomerOut, IdentityOut, SegmentIn, SegmentOut
from centric.customers.suggestions import decide, pending_suggestion, record_suggestion
from centric.db import capped_count_of, count_of, in_chunks, page_of, utcnow
from centric.errors import Conflict, Invalid, NotFound
from centric.events import CustomerMergeUndone, CustomersMerged, MembershipsChanged, SegmentsRefilled, publish
from centric.search import narrowed

CONFLICTS_KEY = "_conflicts"
DERIVED_ATTRIBUTES = ("clv", "churn_risk", "clv_band", "risk_band", "last_nps")
"""Names a rule may use for a customer's figures rather than attributes: value and churn risk
(``customer_value``) and the latest NPS answer. Layers above evaluate such rules
(:mod:`centric.maps.personas`); ingest leaves those segments' memberships to them."""


def identities_of(data: CustomerIn) -> list[tuple[str, str]]:
    """Every normalised identity named by ``data`` (external id, e-mail, phone, others)."""
    raw: list[tuple[str, object]] = [(i.kind, i.value) for i in data.identities]
    if data.external_id:
        raw.append(("external", data.external_id))
    if data.email:
        raw.append(("email", data.email))
    if data.phone:
        raw.append(("phone", data.phone))
    if data.social:
        raw.append(("social", data.social))
    seen: dict[tuple[str, str], None] = {}
    for kind, value in raw:
        seen[normalise_identity(kind, value)] = None
    return list(seen)


def get_customer(session: Session, customer_id: int) -> Customer:
    """The customer, following merges to the surviving profile."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} not found")
    while customer.merged_into_id is not None:
        customer = session.get(Customer, customer.merged_into_id)
        assert customer is not None
    return customer


def find_by_identity(session: Session, kind: str, value: str) -> Customer | None:
    kind, value = normalise_identity(kind, value)
    customer_id = session.scalar(
        select(Identity.customer_id).where(Identity.kind == kind, Identity.value == value)
    )
    return None if customer_id is None else get_customer(session, customer_id)


def upsert_customer(session: Session, data: CustomerIn, user_id: int | None = None, *,
                    may_merge: bool = False, origin: str = "") -> Customer:
    """Find the customer behind these identities, creating or merging as needed.

    A customer seen on two channels (say an e-mail on a survey and a phone number on a
    call that later turn out to be the same person) is merged into the oldest profile —
    but only when the caller ``may_merge`` (``customers:write``, or a connector configured
    to merge). Otherwise the record joins the oldest profile and a merge suggestion, naming
    the identities and ``origin`` (which record), waits for a manager.
    """
    return upsert_customer_outcome(session, data, user_id, may_merge=may_merge, origin=origin)[0]


def upsert_customer_outcome(
    session: Session, data: CustomerIn, user_id: int | None = None, *, may_merge: bool = False, origin: str = "",
) -> tuple[Customer, Literal["created", "updated", "unchanged"]]:
    """:func:`upsert_customer` and what it did, so that imports can count truthfully."""
    identities = identities_of(data)
    if not identities:
        raise Invalid("a customer needs an external_id, email, phone or another identity", field="identities")
    owners = _owners_of(session, identities)
    matches = [get_customer(session, cid) for cid in sorted(set(owners.values()))]
    changed = len(matches) > 1 and may_merge
    if not matches:
        customer = Customer(external_id=data.external_id, name=data.name, attributes=dict(data.attributes))
        session.add(customer)
        session.flush()
    else:
        customer = matches[0]
        for other in matches[1:]:
            if may_merge:
                merge_customers(session, customer, other, reason="shared identity", user_id=user_id)
            else:
                evidence = [{"kind": k, "value": v, "customer_id": cid} for (k, v), cid in owners.items()
                            if cid in (customer.id, other.id)]
                record_suggestion(session, customer.id, other.id, evidence, origin=origin, user_id=user_id)
        before = dict(customer.attributes or {})
        _combine_attributes(customer, data.attributes)
        changed = changed or dict(customer.attributes or {}) != before
        if data.name and not customer.name:
            customer.name, changed = data.name, True
        if data.external_id and not customer.external_id:
            customer.external_id, changed = data.external_id, True
    for kind, value in identities:
        if (kind, value) not in owners:  # an identity of another profile stays there until a merge
            session.add(Identity(customer_id=customer.id, kind=kind, value=value))
            changed = True
    session.flush()
    if not matches or data.attributes:
        assign_rule_segments(session, customer)
    return customer, "created" if not matches else "updated" if changed else "unchanged"


def accept_suggestion(session: Session, suggestion_id: int, user_id: int | None) -> MergeSuggestion:
    """Merge the suggested pair through :func:`merge_customers`, so every reaction to the merge runs."""
    suggestion = pending_suggestion(session, suggestion_id)
    first, second = sorted((get_customer(session, suggestion.customer_id), get_customer(session, suggestion.other_id)),
                           key=lambda c: c.id)
    if first.id == second.id:
        raise Conflict("these two profiles were merged already")
    record = merge_customers(session, first, second, reason=f"merge suggestion {suggestion.id}", user_id=user_id)
    decide(suggestion, "accepted", user_id, record.id)
    audit(session, user_id, "customer.merge_suggestion.accept", "merge_suggestion", suggestion.id,
          {"merge_id": record.id})
    return suggestion


def reject_suggestion(session: Session, suggestion_id: int, user_id: int | None) -> MergeSuggestion:
    """Keep both profiles apart; the pair is not suggested again."""
    suggestion = pending_suggestion(session, suggestion_id)
    decide(suggestion, "rejected", user_id)
    audit(session, user_id, "customer.merge_suggestion.reject", "merge_suggestion", suggestion.id, {})
    return suggestion


def assign_rule_segments(session: Session, customer: Customer) -> None:
    """Keep the customer's rule-based segment memberships in step with the attributes."""
    rules = [(s.id, s.rule) for s in session.scalars(select(Segment)) if s.rule and not names_derived(s.rule)]
    if not rules:
        return
    current = set(session.scalars(
        select(CustomerSegment.segment_id).where(CustomerSegment.customer_id == customer.id)
    ))
    added: list[tuple[int, int]] = []
    removed: list[tuple[int, int]] = []
    for segment_id, rule in rules:
        wanted = matches_rule(customer.attributes or {}, rule)
        if wanted and segment_id not in current:
            session.add(CustomerSegment(customer_id=customer.id, segment_id=segment_id))
            added.append((customer.id, segment_id))
        elif not wanted and segment_id in current:
            link = session.get(CustomerSegment, (customer.id, segment_id))
            if link is not None:
                session.delete(link)
                removed.append((customer.id, segment_id))
    if added or removed:
        session.flush()
        publish(session, MembershipsChanged(added=tuple(added), removed=tuple(removed)))


def names_derived(rule: Iterable[dict[str, Any]]) -> bool:
    """True when a condition of ``rule`` names one of :data:`DERIVED_ATTRIBUTES`."""
    return any(c.get("attribute") in DERIVED_ATTRIBUTES for c in rule)


def _owners_of(session: Session, identities: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Which of these identities are stored, and the surviving customer id of each."""
    rows = session.execute(
        select(Identity.kind, Identity.value, Identity.customer_id)
        .where(tuple_(Identity.kind, Identity.value).in_(identities))
    ).all()
    return {(kind, value): get_customer(session, cid).id for kind, value, cid in rows}


def _combine_attributes(customer: Customer, incoming: dict[str, Any]) -> None:
    """Add new attributes; a differing value never overwrites silently, it is kept."""
    if not incoming:
        return
    merged = dict(customer.attributes or {})
    conflicts = dict(merged.get(CONFLICTS_KEY, {}))
    for key, value in incoming.items():
        if key == CONFLICTS_KEY:
            continue
        if key not in merged or merged[key] in (None, ""):
            merged[key] = value
        elif merged[key] != value:
            values = conflicts.setdefault(key, [])
            if value not in values:
                values.append(value)
    if conflicts:
        merged[CONFLICTS_KEY] = conflicts
    customer.attributes = merged


class CustomerOwned(Protocol):
    """A table whose rows belong to a customer (``customer_id``) and follow merges."""

    __tablename__: str
    id: Any
    customer_id: Any


def _owned_ids(session: Session, model: type[CustomerOwned], customer_id: int) -> list[int]:
    return list(session.scalars(select(model.id).where(model.customer_id == customer_id)))


def _move(session: Session, model: type[CustomerOwned], ids: Iterable[int], customer_id: int) -> None:
    for chunk in in_chunks(list(ids)):
        session.execute(update(model).where(model.id.in_(chunk)).values(customer_id=customer_id))


def move_rows_on_merge(session: Session, model: type[CustomerOwned], merged: CustomersMerged) -> None:
    """Re-point ``model``'s rows of the merged customer to the survivor; note them for an undo.

    Called by the reactions to :class:`CustomersMerged` of each domain that keeps customer rows.
    """
    ids = _owned_ids(session, model, merged.merged_id)
    _move(session, model, ids, merged.survivor_id)
    record = session.get(CustomerMerge, merged.merge_id)
    assert record is not None
    snapshot = dict(record.snapshot)
    snapshot["moved"] = {**snapshot.get("moved", {}), model.__tablename__: ids}
    record.snapshot = snapshot  # a new dict: JSON columns track assignment, not mutation


def move_rows_on_undo(session: Session, model: type[CustomerOwned], undone: CustomerMergeUndone) -> None:
    """Give the merged customer back ``model``'s rows that the undone merge moved."""
    _move(session, model, undone.moved.get(model.__tablename__, ()), undone.merged_id)


def merge_customers(
    session: Session, survivor: Customer, merged: Customer, *, reason: str, user_id: int | None = None
) -> CustomerMerge:
    """Move everything of ``merged`` onto ``survivor``; nothing is deleted, all is logged."""
    if survivor.id == merged.id:
        raise Invalid("cannot merge a customer into itself")
    if merged.merged_into_id is not None or survivor.merged_into_id is not None:
        raise Conflict("one of these customers was merged already")
    moved = {Identity.__tablename__: _owned_ids(session, Identity, merged.id)}
    segments = list(session.scalars(
        select(CustomerSegment.segment_id).where(CustomerSegment.customer_id == merged.id)
    ))
    snapshot = {
        "moved": moved,
        "segments": segments,
        "survivor_attributes": dict(survivor.attributes or {}),
        "survivor_name": survivor.name,
        "survivor_external_id": survivor.external_id,
    }
    _move(session, Identity, moved[Identity.__tablename__], survivor.id)
    survivor_segments = set(session.scalars(
        select(CustomerSegment.segment_id).where(CustomerSegment.customer_id == survivor.id)
    ))
    segments_added = [s for s in segments if s not in survivor_segments]
    snapshot["segments_added"] = segments_added
    for segment_id in segments_added:
        session.add(CustomerSegment(customer_id=survivor.id, segment_id=segment_id))
    if segments_added:
        session.flush()  # the survivor's own answers join the merged customer's segments
        publish(session, MembershipsChanged(added=tuple((survivor.id, s) for s in segments_added)))
    _combine_attributes(survivor, merged.attributes or {})
    survivor.name = survivor.name or merged.name
    merged.merged_into_id = survivor.id
    record = CustomerMerge(
        survivor_id=survivor.id, merged_id=merged.id, reason=reason, user_id=user_id, snapshot=snapshot
    )
    session.add(record)
    session.flush()
    publish(session, CustomersMerged(record.id, survivor.id, merged.id))
    audit(session, user_id, "customer.merge", "customer", survivor.id, {"merged_id": merged.id, "reason": reason})
    return record


def undo_merge(session: Session, merge_id: int, user_id: int | None = None) -> CustomerMerge:
    """Give the merged customer back everything the merge moved, and restore the survivor."""
    record = session.get(CustomerMerge, merge_id)
    if record is None:
        raise NotFound(f"merge {merge_id} not found")
    if record.undone_at is not None:
        raise Conflict(f"merge {merge_id} was undone already")
    later = session.scalar(
        select(func.count()).select_from(CustomerMerge).where(
            CustomerMerge.survivor_id == record.survivor_id,
            CustomerMerge.id > record.id,
            CustomerMerge.undone_at.is_(None),
        )
    )
    if later:
        raise Conflict("undo the later merges into this customer first")
    survivor = session.get(Customer, record.survivor_id)
    merged = session.get(Customer, record.merged_id)
    assert survivor is not None and merged is not None
    snapshot = record.snapshot
    moved = {table: tuple(ids) for table, ids in snapshot["moved"].items()}
    _move(session, Identity, moved.get(Identity.__tablename__, ()), merged.id)
    publish(session, CustomerMergeUndone(record.id, survivor.id, merged.id, moved))
    left: list[tuple[int, int]] = []
    for segment_id in snapshot.get("segments_added", []):
        link = session.get(CustomerSegment, (survivor.id, segment_id))
        if link is not None:
            session.delete(link)
            left.append((survivor.id, segment_id))
    if left:
        session.flush()
        publish(session, MembershipsChanged(removed=tuple(left)))
    survivor.attributes = snapshot["survivor_attributes"]
    survivor.name = snapshot["survivor_name"]
    merged.merged_into_id = None
    record.undone_at = utcnow()
    session.flush()
    audit(session, user_id, "customer.unmerge", "customer", survivor.id, {"merge_id": merge_id})
    return record


def merges_of(session: Session, customer_id: int, limit: int | None = None,
              offset: int = 0) -> tuple[list[CustomerMerge], int]:
    """The merges the customer took part in, newest first (a slice of them), and how many there are."""
    query = select(CustomerMerge).where(
        (CustomerMerge.survivor_id == customer_id) | (CustomerMerge.merged_id == customer_id)
    )
    return page_of(session, query.order_by(CustomerMerge.id.desc()), limit, offset)


LIST_WINDOW = 20_000
"""A customer search first looks for its page among this many oldest customers (see :func:`list_customers`)."""


def list_customers(
    session: Session, *, search: str | None = None, segment: str | None = None, limit: int = 50, offset: int = 0,
    count_cap: int | None = None,
) -> tuple[list[Customer], int]:
    """Customers (not merged away) by id, a slice of them, and how many match.

    A search matches the name or any identity (case-insensitive substring). With
    ``count_cap`` the count stops after ``count_cap + 1`` matches (a common surname matches
    tens of thousands): a total above the cap means "more than the cap".
    """
    query = select(Customer).where(Customer.merged_into_id.is_(None))
    if segment:
        members = select(CustomerSegment.customer_id).join(Segment).where(Segment.key == segment)
        query = query.where(Customer.id.in_(members))
    if not search:
        return page_of(session, query.order_by(Customer.id), limit, offset, count_cap)
    term = search.strip().lower()
    by_name, by_identity = _name_and_identity_matches(session, term)
    rows = _first_customers_page(session, query, term, limit, offset)
    if rows is None:
        return page_of(session, query.where(Customer.id.in_(union(by_name, by_identity))).order_by(Customer.id),
                       limit, offset, count_cap)
    if len(rows) < limit:
        return rows, offset + len(rows)
    return rows, _count_matches(session, query, by_name, by_identity, count_cap, segment)


def _name_and_identity_matches(session: Session, term: str) -> tuple[Select[int], Select[int]]:
    """Ids of customers whose name matches, and of those with a matching identity (each reads its trigram index)."""
    # autoescape: a %, _ or \\ in the search is matched literally, never as a wildcard
    by_name = select(Customer.id).where(func.lower(Customer.name).contains(term, autoescape=True))
    by_identity = select(Identity.customer_id).where(func.lower(Identity.value).contains(term, autoescape=True))
    # Two selects, never an OR: each can read its trigram index (centric.search); on SQLite the FTS
    # candidates narrow the LIKE, which still decides, so results equal the plain LIKE's.
    dialect = session.get_bind().dialect.name
    return (narrowed(by_name, dialect, "customer", Customer.id, [term]),
            narrowed(by_identity, dialect, "identity", Identity.id, [term]))


def _first_customers_page(session: Session, query: Select[Customer], term: str, limit: int,
                          offset: int) -> list[Customer] | None:
    """The page found among the :data:`LIST_WINDOW` oldest customers, or None when they do not fill it.

    Matching through the indexes yields every match before the first ones by id can be
    picked; a common name fills a page within the first few thousand customers. The window
    is a prefix of the order (ids up to the ``LIST_WINDOW``-th), so a full page from it is
    exactly the page of the whole list; a rare term falls through to the indexes.
    """
    if offset + limit > LIST_WINDOW:
        return None
    edge = session.scalar(select(Customer.id).order_by(Customer.id).offset(LIST_WINDOW - 1).limit(1))
    if edge is None:  # a small table: the indexes are cheap
        return None
    has_identity = select(Identity.id).where(
        Identity.customer_id == Customer.id, func.lower(Identity.value).contains(term, autoescape=True)).exists()
    matching = or_(func.lower(Customer.name).contains(term, autoescape=True), has_identity)
    rows = list(session.scalars(query.where(Customer.id <= edge, matching).order_by(Customer.id)
                                .limit(limit).offset(offset or None)))
    return rows if len(rows) == limit else None


def _count_matches(session: Session, query: Select[Customer], by_name: Select[int], by_identity: Select[int],
                   count_cap: int | None, segment: str | None) -> int:
    """How many customers match; with a cap, each side is counted up to it before the union is.

    Counting one side streams from its index and stops at the cap, while the union needs
    every match of both sides; a common surname or e-mail domain passes the cap on one side.
    """
    everyone = query.where(Customer.id.in_(union(by_name, by_identity)))
    if count_cap is None:
        return count_of(session, everyone)
    if not segment:
        live = Customer.merged_into_id.is_(None)
        named = by_name.where(live)
        identified = by_identity.join(Customer, Customer.id == Identity.customer_id).where(live).distinct()
        for side in (named, identified):
            if (side_count := capped_count_of(session, side, count_cap)) > count_cap:
                return side_count  # one side alone passes the cap: so does the union
    return capped_count_of(session, everyone, count_cap)


def identities_for(session: Session, customer_id: int) -> list[Identity]:
    return list(session.scalars(
        select(Identity).where(Identity.customer_id == customer_id).order_by(Identity.kind, Identity.value)
    ))


def segment_keys_for(session: Session, customer_id: int) -> list[str]:
    return list(session.scalars(
        select(Segment.key).join(CustomerSegment).where(CustomerSegment.customer_id == customer_id)
    ))


# --- segments and personas -------------------------------------------------------------

def create_segment(session: Session, data: SegmentIn, user_id: int | None = None) -> Segment:
    if session.scalar(select(Segment.id).where(Segment.key == data.key)) is not None:
        raise Conflict(f"segment {data.key!r} exists already", field="key")
    segment = Segment(
        key=data.key, name=data.name, kind=data.kind, description=data.description,
        rule=[c.model_dump() for c in data.rule],
    )
    session.add(segment)
    session.flush()
    audit(session, user_id, "segment.create", "segment", segment.id, {"key": data.key})
    if segment.rule:
        refresh_segment(session, segment)
    return segment


def get_segment(session: Session, key: str) -> Segment:
    segment = session.scalar(select(Segment).where(Segment.key == key))
    if segment is None:
        raise NotFound(f"segment {key!r} not found")
    return segment


def list_segments(session: Session, limit: int | None = None,
                  offset: int = 0) -> tuple[list[tuple[Segment, int]], int]:
    """Segments by kind and name (a slice of them) with their member counts, and how many segments there are."""
    segments, total = page_of(session, select(Segment).order_by(Segment.kind, Segment.name), limit, offset)
    counts: dict[int, int] = {}
    if segments:
        counts = {segment_id: n for segment_id, n in session.execute(
            select(CustomerSegment.segment_id, func.count())
            .where(CustomerSegment.segment_id.in_([s.id for s in segments])).group_by(CustomerSegment.segment_id)
        )}
    return [(s, counts.get(s.id, 0)) for s in segments], total


def matches_rule(attributes: dict[str, Any], rule: Iterable[dict[str, Any]]) -> bool:
    """True when every condition of ``rule`` holds for ``attributes`` (empty rule: never)."""
    conditions = list(rule)
    if not conditions:
        return False
    return all(_holds(attributes.get(c["attribute"]), c["op"], c.get("value")) for c in conditions)


def _holds(actual: Any, op: str, expected: Any) -> bool:
    if op == "exists":
        return actual not in (None, "")
    if actual is None:
        return False
    try:
        if op == "eq":
            return actual == expected
        if op == "ne":
            return actual != expected
        if op == "in":
            return actual in (expected or [])
        if op == "gte":
            return float(actual) >= float(expected)
        if op == "lte":
            return float(actual) <= float(expected)
        if op == "contains":
            return str(expected).lower() in str(actual).lower()
    except (TypeError, ValueError):
        return False
    return False


def refresh_segment(session: Session, segment: Segment, batch: int = 5000) -> int:
    """Recompute rule-based membership; returns the number of members."""
    session.execute(CustomerSegment.__table__.delete().where(CustomerSegment.segment_id == segment.id))
    members = 0
    last_id = 0
    while True:
        rows = session.execute(
            select(Customer.id, Customer.attributes)
            .where(Customer.merged_into_id.is_(None), Customer.id > last_id)
            .order_by(Customer.id)
            .limit(batch)
        ).all()
        if not rows:
            break
        chosen = [{"customer_id": cid, "segment_id": segment.id} for cid, attrs in rows if matches_rule(attrs or {},
                                                                                                        segment.rule)]
        if chosen:
            session.execute(CustomerSegment.__table__.insert(), chosen)
        members += len(chosen)
        last_id = rows[-1][0]
    publish(session, SegmentsRefilled((segment.id,)))
    return members


# --- API output ---------------------------------------------------------------------------

def customer_out(customer: Customer, identities: Sequence[Identity], segments: Sequence[str]) -> CustomerOut:
    """A customer as the API shows it, from rows already read."""
    return CustomerOut(
        id=customer.id, external_id=customer.external_id, name=customer.name,
        attributes=customer.attributes or {}, created_at=customer.created_at,
        identities=[IdentityOut.model_validate(i) for i in identities], segments=list(segments),
    )


def customer_outs(session: Session, customers: Sequence[Customer]) -> list[CustomerOut]:
    """Many customers as the API shows them: two queries per thousand, whatever their number."""
    identities: dict[int, list[Identity]] = defaultdict(list)
    segments: dict[int, list[str]] = defaultdict(list)
    for chunk in in_chunks([c.id for c in customers]):
        for identity in session.scalars(select(Identity).where(Identity.customer_id.in_(chunk))
                                        .order_by(Identity.kind, Identity.value)):
            identities[identity.customer_id].append(identity)
        for customer_id, key in session.execute(
                select(CustomerSegment.customer_id, Segment.key).join(Segment, Segment.id == CustomerSegment.segment_id)
                .where(CustomerSegment.customer_id.in_(chunk)).order_by(Segment.key)):
            segments[customer_id].append(key)
    return [customer_out(c, identities[c.id], segments[c.id]) for c in customers]


def segment_out(segment: Segment, members: int) -> SegmentOut:
    return SegmentOut.model_validate(segment).model_copy(update={"members": members})


def segment_members(session: Session, segment_id: int) -> int:
    return session.scalar(select(func.count()).where(CustomerSegment.segment_id == segment_id)) or 0
