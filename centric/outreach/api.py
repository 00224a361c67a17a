"""JSON routes for invitations, reminders, unsubscribes, trigger rules and contact rules."""

from __future__ import annotations

from fastapi import APIRouter, Query

from centric.accounts.roles import Permission
from centric.outreach import rules, service, triggers
from centric.outreach.models import Suppression
from centric.outreach.schemas import (
    ContactRuleIn,
    ContactRuleOut,
    InvitationIn,
    InvitationOut,
    InviteResult,
    ReminderIn,
    ReminderResult,
    SkipOut,
    SuppressionOut,
    TriggerIn,
    TriggerOut,
    UnsubscribeIn,
)
from centric.web.deps import (
    MAX_ID,
    CanConfigure,
    CanIngest,
    CanReadCustomers,
    DbSession,
    ObjectId,
    Page,
    Paging,
)

router = APIRouter(prefix="/outreach", tags=["outreach"])


@router.post("/invitations", response_model=InviteResult)
def invite(data: InvitationIn, session: DbSession, caller: CanIngest) -> InviteResult:
    """Invite a customer; ``invited: false`` carries the skip record (rule or unsubscribe)."""
    return service.invite(session, data, caller.user.id, may_merge=caller.can(Permission.WRITE_CUSTOMERS))


@router.get("/invitations", response_model=Page[InvitationOut])
def list_invitations(session: DbSession, _: CanReadCustomers, paging: Paging,
                     survey: str | None = Query(default=None, max_length=80),
                     status: str | None = Query(default=None, max_length=12),
                     customer_id: int | None = Query(default=None, ge=1, le=MAX_ID)) -> Page[InvitationOut]:
    rows = service.list_invitations(session, survey=survey, status=status, customer_id=customer_id,
                                    limit=paging.limit, offset=paging.offset)
    return paging.of(rows, service.count_invitations(session, survey=survey, status=status, customer_id=customer_id))


@router.post("/reminders", response_model=ReminderResult)
def remind(data: ReminderIn, session: DbSession, caller: CanIngest) -> ReminderResult:
    return service.schedule_reminders(session, data, caller.user.id)


@router.get("/skips", response_model=Page[SkipOut])
def list_skips(session: DbSession, _: CanReadCustomers, paging: Paging,
               survey: str | None = Query(default=None, max_length=80),
               rule_id: int | None = Query(default=None, ge=1, le=MAX_ID),
               customer_id: int | None = Query(default=None, ge=1, le=MAX_ID)) -> Page[SkipOut]:
    """Every invitation that was not made, with the rule or reason that stopped it."""
    rows = service.list_skips(session, survey=survey, rule_id=rule_id, customer_id=customer_id,
                              limit=paging.limit, offset=paging.offset)
    return paging.of(rows, service.count_skips(session, survey=survey, rule_id=rule_id, customer_id=customer_id))


@router.post("/unsubscribes", response_model=SuppressionOut)
def unsubscribe(data: UnsubscribeIn, session: DbSession, caller: CanIngest) -> Suppression:
    return service.unsubscribe(session, data.customer_id, data.channel, data.reason, caller.user.id)


@router.get("/unsubscribes", response_model=Page[SuppressionOut])
def list_unsubscribes(session: DbSession, _: CanReadCustomers, paging: Paging) -> Page[SuppressionOut]:
    rows = service.list_suppressions(session, paging.limit, paging.offset)
    return paging.of([SuppressionOut.model_validate(s) for s in rows], service.count_suppressions(session))


@router.get("/contact-rules", response_model=Page[ContactRuleOut])
def list_contact_rules(session: DbSession, _: CanReadCustomers, paging: Paging,
                       include_inactive: bool = False) -> Page[ContactRuleOut]:
    rows, total = rules.list_rules(session, include_inactive=include_inactive, limit=paging.limit,
                                   offset=paging.offset)
    return paging.of(rows, total)


@router.post("/contact-rules", response_model=ContactRuleOut, status_code=201)
def create_contact_rule(data: ContactRuleIn, session: DbSession, caller: CanConfigure) -> ContactRuleOut:
    rule = rules.create_rule(session, data, caller.user.id)
    return rules.rule_out(rule, data.survey)


@router.delete("/contact-rules/{rule_id}", status_code=204)
def deactivate_contact_rule(rule_id: ObjectId, session: DbSession, caller: CanConfigure) -> None:
    rules.deactivate_rule(session, rule_id, caller.user.id)


@router.get("/triggers", response_model=Page[TriggerOut])
def list_triggers(session: DbSession, _: CanReadCustomers, paging: Paging,
                  include_inactive: bool = False) -> Page[TriggerOut]:
    rows, total = triggers.list_triggers(session, include_inactive=include_inactive, limit=paging.limit,
                                         offset=paging.offset)
    return paging.of(rows, total)


@router.post("/triggers", response_model=TriggerOut, status_code=201)
def create_trigger(data: TriggerIn, session: DbSession, caller: CanConfigure) -> TriggerOut:
    rule = triggers.create_trigger(session, data, caller.user.id)
    return triggers.trigger_out(rule, data.survey, data.touchpoint)


@router.delete("/triggers/{trigger_id}", status_code=204)
def deactivate_trigger(trigger_id: ObjectId, session: DbSession, caller: CanConfigure) -> None:
    triggers.deactivate_trigger(session, trigger_id, caller.user.id)
