"""JSON routes for invitations, reminders, unsubscribes, trigger rules and contact rules."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from centric.accounts.roles import Permission
from centric.outreach import rules, service, triggers
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
from centric.web.deps import MAX_ID, Caller, ObjectId, get_session, require

router = APIRouter(prefix="/outreach", tags=["outreach"])
Limit = Query(default=100, ge=1, le=1000)
Offset = Query(default=0, ge=0, le=10**9)


@router.post("/invitations", response_model=InviteResult)
def invite(data: InvitationIn, session: Session = Depends(get_session),
           caller: Caller = Depends(require(Permission.INGEST))) -> InviteResult:
    """Invite a customer; ``invited: false`` carries the skip record (rule or unsubscribe)."""
    return service.invite(session, data, caller.user.id)


@router.get("/invitations", response_model=list[InvitationOut])
def list_invitations(
    survey: str | None = Query(default=None, max_length=80),
    status: str | None = Query(default=None, max_length=12),
    customer_id: int | None = Query(default=None, ge=1, le=MAX_ID),
    limit: int = Limit, offset: int = Offset,
    session: Session = Depends(get_session), _: Caller = Depends(require(Permission.READ_CUSTOMERS)),
) -> list[InvitationOut]:
    return service.list_invitations(session, survey=survey, status=status, customer_id=customer_id,
                                    limit=limit, offset=offset)


@router.post("/reminders", response_model=ReminderResult)
def remind(data: ReminderIn, session: Session = Depends(get_session),
           caller: Caller = Depends(require(Permission.INGEST))) -> ReminderResult:
    return service.schedule_reminders(session, data, caller.user.id)


@router.get("/skips", response_model=list[SkipOut])
def list_skips(
    survey: str | None = Query(default=None, max_length=80),
    rule_id: int | None = Query(default=None, ge=1, le=MAX_ID),
    customer_id: int | None = Query(default=None, ge=1, le=MAX_ID),
    limit: int = Limit, offset: int = Offset,
    session: Session = Depends(get_session), _: Caller = Depends(require(Permission.READ_CUSTOMERS)),
) -> list[SkipOut]:
    """Every invitation that was not made, with the rule or reason that stopped it."""
    return service.list_skips(session, survey=survey, rule_id=rule_id, customer_id=customer_id,
                              limit=limit, offset=offset)


@router.post("/unsubscribes", response_model=SuppressionOut)
def unsubscribe(data: UnsubscribeIn, session: Session = Depends(get_session),
                caller: Caller = Depends(require(Permission.INGEST))):  # type: ignore[no-untyped-def]
    return service.unsubscribe(session, data.customer_id, data.channel, data.reason, caller.user.id)


@router.get("/unsubscribes", response_model=list[SuppressionOut])
def list_unsubscribes(limit: int = Limit, offset: int = Offset, session: Session = Depends(get_session),
                      _: Caller = Depends(require(Permission.READ_CUSTOMERS))) -> list:
    return service.list_suppressions(session, limit, offset)


@router.get("/contact-rules", response_model=list[ContactRuleOut])
def list_contact_rules(include_inactive: bool = False, session: Session = Depends(get_session),
                       _: Caller = Depends(require(Permission.READ_CUSTOMERS))) -> list[ContactRuleOut]:
    return rules.list_rules(session, include_inactive=include_inactive)


@router.post("/contact-rules", response_model=ContactRuleOut, status_code=201)
def create_contact_rule(data: ContactRuleIn, session: Session = Depends(get_session),
                        caller: Caller = Depends(require(Permission.CONFIGURE))) -> ContactRuleOut:
    rule = rules.create_rule(session, data, caller.user.id)
    return rules.rule_out(rule, data.survey)


@router.delete("/contact-rules/{rule_id}", status_code=204)
def deactivate_contact_rule(rule_id: ObjectId, session: Session = Depends(get_session),
                            caller: Caller = Depends(require(Permission.CONFIGURE))) -> None:
    rules.deactivate_rule(session, rule_id, caller.user.id)


@router.get("/triggers", response_model=list[TriggerOut])
def list_triggers(include_inactive: bool = False, session: Session = Depends(get_session),
                  _: Caller = Depends(require(Permission.READ_CUSTOMERS))) -> list[TriggerOut]:
    return triggers.list_triggers(session, include_inactive=include_inactive)


@router.post("/triggers", response_model=TriggerOut, status_code=201)
def create_trigger(data: TriggerIn, session: Session = Depends(get_session),
                   caller: Caller = Depends(require(Permission.CONFIGURE))) -> TriggerOut:
    rule = triggers.create_trigger(session, data, caller.user.id)
    return next(t for t in triggers.list_triggers(session) if t.id == rule.id)


@router.delete("/triggers/{trigger_id}", status_code=204)
def deactivate_trigger(trigger_id: ObjectId, session: Session = Depends(get_session),
                       caller: Caller = Depends(require(Permission.CONFIGURE))) -> None:
    triggers.deactivate_trigger(session, trigger_id, caller.user.id)
