"""Contact-frequency rules: global or per survey, attribute-aware, across every channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from centric.accounts.service import audit
from centric.customers.models import Customer
from centric.customers.service import matches_rule
from centric.db import rows_page_of, utcnow
from centric.errors import NotFound
from centric.outreach.models import ContactRule, InvitationDelivery
from centric.outreach.schemas import ContactRuleIn, ContactRuleOut
from centric.surveys.models import Invitation, Survey
from centric.surveys.service import get_survey

NOT_CONTACTED = ("failed", "suppressed", "skipped")


@dataclass(frozen=True)
class Verdict:
    """Why an invitation may not be made: the rule (if any) and a sentence for the admin."""

    reason: str
    rule_id: int | None = None


def create_rule(session: Session, data: ContactRuleIn, user_id: int | None = None) -> ContactRule:
    survey_id = get_survey(session, data.survey).id if data.survey else None
    rule = ContactRule(name=data.name, survey_id=survey_id, conditions=[c.model_dump() for c in data.conditions],
                       max_contacts=data.max_contacts, window_days=data.window_days)
    session.add(rule)
    session.flush()
    audit(session, user_id, "contact_rule.create", "contact_rule", rule.id, {"name": data.name})
    return rule


def list_rules(session: Session, *, include_inactive: bool = False, limit: int | None = None,
               offset: int = 0) -> tuple[list[ContactRuleOut], int]:
    """Contact rules, oldest first (a slice of them), and how many there are."""
    query = select(ContactRule, Survey.key).outerjoin(Survey, ContactRule.survey_id == Survey.id)
    if not include_inactive:
        query = query.where(ContactRule.active.is_(True))
    rows, total = rows_page_of(session, query.order_by(ContactRule.id), limit, offset)
    return [rule_out(rule, key) for rule, key in rows], total


def rule_out(rule: ContactRule, survey_key: str | None) -> ContactRuleOut:
    return ContactRuleOut(id=rule.id, name=rule.name, survey=survey_key, conditions=list(rule.conditions or []),
                          max_contacts=rule.max_contacts, window_days=rule.window_days, active=rule.active,
                          created_at=rule.created_at)


def deactivate_rule(session: Session, rule_id: int, user_id: int | None = None) -> ContactRule:
    """Rules are switched off, never deleted, so past skips keep naming their rule."""
    rule = session.get(ContactRule, rule_id)
    if rule is None:
        raise NotFound(f"contact rule {rule_id} not found")
    if not rule.active:
        return rule
    rule.active = False
    audit(session, user_id, "contact_rule.deactivate", "contact_rule", rule.id, {})
    return rule


def _contacts(session: Session, customer_id: int, days: int, survey_id: int | None) -> int:
    """Invitations to this customer in the last ``days`` on any channel (failed sends excepted)."""
    query = (
        select(func.count()).select_from(Invitation)
        .outerjoin(InvitationDelivery, InvitationDelivery.invitation_id == Invitation.id)
        .where(Invitation.customer_id == customer_id, Invitation.created_at >= utcnow() - timedelta(days=days),
               (InvitationDelivery.status.is_(None)) | (InvitationDelivery.status.not_in(NOT_CONTACTED)))
    )
    if survey_id is not None:
        query = query.where(Invitation.survey_id == survey_id)
    return int(session.scalar(query) or 0)


def check(session: Session, survey: Survey, customer: Customer) -> Verdict | None:
    """The first rule that forbids inviting ``customer`` to ``survey`` now, or None.

    Per-survey rules are checked before global ones; the survey's own ``throttle_days``
    acts as a per-survey rule of one contact.
    """
    if survey.throttle_days and _contacts(session, customer.id, survey.throttle_days, survey.id) >= 1:
        return Verdict(f"invited to {survey.key} within its throttle of {survey.throttle_days} days")
    rules = session.scalars(
        select(ContactRule).where(ContactRule.active.is_(True),
                                  (ContactRule.survey_id.is_(None)) | (ContactRule.survey_id == survey.id))
        .order_by(ContactRule.survey_id.is_(None), ContactRule.id)
    ).all()
    attributes = customer.attributes or {}
    for rule in rules:
        if rule.conditions and not matches_rule(attributes, rule.conditions):
            continue
        used = _contacts(session, customer.id, rule.window_days, rule.survey_id)
        if used >= rule.max_contacts:
            scope = f"survey {survey.key}" if rule.survey_id else "all surveys"
            return Verdict(f"rule {rule.name!r}: {used} of at most {rule.max_contacts} contacts in "
                           f"{rule.window_days} days ({scope})", rule.id)
    return None
