"""Event-triggered surveys: "ticket_solved at support → CSAT survey two hours later"."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.accounts.service import audit
from centric.customers.service import get_customer
from centric.db import in_chunks, rows_page_of, utcnow
from centric.errors import CentricError, NotFound
from centric.events import EventsRecorded
from centric.journeys.models import Event, Touchpoint
from centric.journeys.service import touchpoint_id_for
from centric.outreach.models import ContactSkip, InvitationDelivery, TriggerRule
from centric.outreach.schemas import InviteResult, TriggerIn, TriggerOut
from centric.outreach.service import schedule
from centric.surveys.models import Survey
from centric.surveys.service import get_survey

_CACHE = "centric.outreach.triggers"


def create_trigger(session: Session, data: TriggerIn, user_id: int | None = None) -> TriggerRule:
    survey = get_survey(session, data.survey)
    rule = TriggerRule(name=data.name, event_kind=data.event_kind, touchpoint_id=touchpoint_id_for(session,
                                                                                                   data.touchpoint),
                       survey_id=survey.id, channel=data.channel, delay_minutes=data.delay_minutes,
                       max_event_age_hours=data.max_event_age_hours)
    session.add(rule)
    session.flush()
    session.info.pop(_CACHE, None)
    audit(session, user_id, "trigger.create", "trigger_rule", rule.id, {"event_kind": data.event_kind})
    return rule


def deactivate_trigger(session: Session, trigger_id: int, user_id: int | None = None) -> TriggerRule:
    rule = session.get(TriggerRule, trigger_id)
    if rule is None:
        raise NotFound(f"trigger {trigger_id} not found")
    if not rule.active:
        return rule
    rule.active = False
    session.info.pop(_CACHE, None)
    audit(session, user_id, "trigger.deactivate", "trigger_rule", rule.id, {})
    return rule


def list_triggers(session: Session, *, include_inactive: bool = False, limit: int | None = None,
                  offset: int = 0) -> tuple[list[TriggerOut], int]:
    """Trigger rules, oldest first (a slice of them), and how many there are."""
    query = (select(TriggerRule, Survey.key, Touchpoint.key)
             .join(Survey, TriggerRule.survey_id == Survey.id)
             .outerjoin(Touchpoint, TriggerRule.touchpoint_id == Touchpoint.id))
    if not include_inactive:
        query = query.where(TriggerRule.active.is_(True))
    rows, total = rows_page_of(session, query.order_by(TriggerRule.id), limit, offset)
    return [trigger_out(r, survey, tp) for r, survey, tp in rows], total


def on_events_recorded(session: Session, recorded: EventsRecorded) -> None:
    """Reaction: schedule the invitations that newly stored events trigger."""
    if not _active_rules(session):
        return
    for chunk in in_chunks(list(recorded.ids)):
        for event in session.scalars(select(Event).where(Event.id.in_(chunk)).order_by(Event.id)):
            on_event(session, event)


def _active_rules(session: Session) -> list[TriggerRule]:
    """Active triggers, read once per transaction (a bulk import runs :func:`on_event` per row)."""
    if _CACHE not in session.info:
        session.info[_CACHE] = list(session.scalars(select(TriggerRule).where(TriggerRule.active.is_(True))))
    return session.info[_CACHE]


def on_event(session: Session, event: Event) -> list[InviteResult]:
    """Schedule the invitations that ``event`` triggers, inside the caller's transaction.

    Call it once for each newly stored event. The invitation is sent ``delay_minutes``
    after the event happened; events older than the rule's ``max_event_age_hours`` (for
    instance imported history) trigger nothing. A second call for the same event and
    rule does nothing.
    """
    rules = [r for r in _active_rules(session) if r.event_kind == event.kind
             and (r.touchpoint_id is None or r.touchpoint_id == event.touchpoint_id)]
    results = []
    for rule in rules:
        if event.occurred_at < utcnow() - timedelta(hours=rule.max_event_age_hours):
            continue
        source = f"trigger:{rule.id}:event:{event.id}"
        if _already_handled(session, source):
            continue
        survey = session.get(Survey, rule.survey_id)
        if survey is None or survey.status != "active":
            continue
        try:
            with session.begin_nested():
                results.append(schedule(session, survey, get_customer(session, event.customer_id),
                                        channel=rule.channel, source=source,
                                        send_at=event.occurred_at + timedelta(minutes=rule.delay_minutes)))
        except CentricError:  # e.g. a never-published survey: the event itself must still be stored
            continue
    return results


def _already_handled(session: Session, source: str) -> bool:
    made = session.scalar(select(InvitationDelivery.invitation_id).where(InvitationDelivery.source == source).limit(1))
    skipped = session.scalar(select(ContactSkip.id).where(ContactSkip.source == source).limit(1))
    return made is not None or skipped is not None


def trigger_out(rule: TriggerRule, survey: str, touchpoint: str | None) -> TriggerOut:
    """A trigger as the API shows it, given the keys of its survey and touchpoint."""
    return TriggerOut(id=rule.id, name=rule.name, event_kind=rule.event_kind, touchpoint=touchpoint, survey=survey,
                      channel=rule.channel, delay_minutes=rule.delay_minutes,
                      max_event_age_hours=rule.max_event_age_hours, active=rule.active, created_at=rule.created_at)
