"""Reading cases: the inbox list (views, filters, saved views), a case in full, the workload, webhooks.

Every list is read with a constant number of queries: the page, its count, and one
query per related table for the whole page (:func:`case_outs`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy import case as when
from sqlalchemy.orm import Session

from centric.accounts.models import Team, User
from centric.customers.models import Customer
from centric.customers.service import segment_keys_for
from centric.db import in_chunks, page_of, where_given
from centric.errors import Conflict, NotFound
from centric.events import CasesOpened, CasesUpdated
from centric.feedback.models import Feedback
from centric.insights.models import CustomerValue
from centric.loop.case_schemas import (
    ActivityOut,
    CaseDetailOut,
    CaseFilters,
    CaseOut,
    CustomerValueOut,
    SavedViewIn,
    TriggerOut,
    WorkloadOut,
    WorkloadRow,
)
from centric.loop.cases import get_case, visible_to
from centric.loop.models import OPEN_STATUSES, Case, CaseActivity, CaseWatcher, RootCause, SavedView
from centric.surveys.models import Answer, Response, Survey
from centric.webhooks.service import emit, wanted

PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2, "low": 3}
PREVIOUS_CASES = 20


def _names(session: Session, column_id: Any, column_name: Any, ids: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in in_chunks(sorted(ids)):
        found.update(session.execute(select(column_id, column_name).where(column_id.in_(chunk))).all())
    return found


def case_outs(session: Session, cases: Sequence[Case]) -> list[CaseOut]:
    """The output of many cases, with four queries whatever their number (names of related rows)."""
    customers = _names(session, Customer.id, Customer.name, {c.customer_id for c in cases if c.customer_id})
    users = _names(session, User.id, User.name, {c.owner_id for c in cases if c.owner_id})
    teams = _names(session, Team.id, Team.name, {c.team_id for c in cases if c.team_id})
    codes = _names(session, RootCause.id, RootCause.code, {c.root_cause_id for c in cases if c.root_cause_id})
    return [CaseOut.model_validate(c).model_copy(update={
        "customer_name": customers.get(c.customer_id) if c.customer_id else None,
        "owner_name": users.get(c.owner_id) if c.owner_id else None,
        "team_name": teams.get(c.team_id) if c.team_id else None,
        "root_cause": codes.get(c.root_cause_id) if c.root_cause_id else None,
    }) for c in cases]


def case_query(filters: CaseFilters, user: User | None) -> Select[Case]:
    """The cases matching an inbox filter that ``user`` may see, in the filter's order."""
    query = select(Case).where(visible_to(user))
    active = Case.status.in_(OPEN_STATUSES)
    if filters.view == "mine" and user is not None:
        query = query.where(Case.owner_id == user.id, active)
    elif filters.view == "team" and user is not None:
        query = query.where(Case.team_id == user.team_id, active) if user.team_id else query.where(false())
    elif filters.view == "unassigned":
        query = query.where(Case.owner_id.is_(None), active)
    elif filters.view in ("at_risk", "breached"):
        query = query.where(Case.sla_state == filters.view, active)
    if filters.status == "active":
        query = query.where(active)
    elif filters.status:
        query = query.where(Case.status == filters.status)
    query = where_given(query, (Case.priority, filters.priority), (Case.owner_id, filters.owner_id),
                        (Case.team_id, filters.team_id), (Case.rule_id, filters.rule_id),
                        (Case.customer_id, filters.customer_id))
    if filters.q and filters.q.strip():
        pattern = f"%{filters.q.strip().lower()}%"
        query = query.where(or_(func.lower(Case.title).like(pattern), func.lower(Case.verbatim).like(pattern)))
    order = {
        "newest": (Case.created_at.desc(), Case.id.desc()),
        "oldest": (Case.created_at, Case.id),
        "updated": (Case.updated_at.desc(), Case.id.desc()),
        "priority": (Case.priority_score.desc(), Case.created_at, Case.id),
        "due": (Case.resolution_due_at.is_(None), Case.resolution_due_at, Case.id),
    }[filters.sort]
    return query.order_by(*order)


def list_cases(session: Session, filters: CaseFilters, user: User | None = None, *, limit: int = 50,
               offset: int = 0) -> tuple[list[CaseOut], int]:
    rows, total = page_of(session, case_query(filters, user), limit, offset)
    return case_outs(session, rows), total


def case_detail(session: Session, case_id: int, user: User | None = None) -> CaseDetailOut:
    """A case in full: its trail (with that of cases merged into it), watchers, trigger, customer context."""
    case = get_case(session, case_id, user)
    merged = list(session.scalars(select(Case.id).where(Case.merged_into_id == case.id).order_by(Case.id)))
    activity = list(session.scalars(select(CaseActivity).where(CaseActivity.case_id.in_([case.id, *merged]))
                                    .order_by(CaseActivity.at, CaseActivity.id)))
    names = _names(session, User.id, User.name, {a.user_id for a in activity if a.user_id})
    watchers = list(session.scalars(select(CaseWatcher.user_id).where(CaseWatcher.case_id == case.id)
                                    .order_by(CaseWatcher.user_id)))
    value = segments = None
    previous: list[Case] = []
    if case.customer_id is not None:
        value = session.get(CustomerValue, case.customer_id)
        segments = segment_keys_for(session, case.customer_id)
        previous = list(session.scalars(select(Case).where(Case.customer_id == case.customer_id, Case.id != case.id,
                                                           visible_to(user))
                                        .order_by(Case.created_at.desc()).limit(PREVIOUS_CASES)))
    base = case_outs(session, [case])[0]
    return CaseDetailOut(
        **base.model_dump(), priority_reason=case.priority_reason or {},
        activity=[ActivityOut.model_validate(a).model_copy(update={"user_name": names.get(a.user_id or 0)})
                  for a in activity],
        watchers=watchers, merged_cases=merged, trigger=_trigger(session, case),
        customer_value=CustomerValueOut(clv=value.clv, clv_band=value.clv_band, churn_risk=value.churn_risk,
                                        risk_band=value.risk_band) if value else None,
        segments=segments or [], previous_cases=case_outs(session, previous),
    )


def _trigger(session: Session, case: Case) -> TriggerOut | None:
    if case.response_id is not None:
        response = session.get(Response, case.response_id)
        if response is not None:
            survey = session.get(Survey, response.survey_id)
            answers = {a.question_key: a.number if a.number is not None else a.text for a in session.scalars(
                select(Answer).where(Answer.response_id == response.id, Answer.metric != "hidden"))}
            return TriggerOut(kind="response", id=response.id, at=response.submitted_at, channel=response.channel,
                              survey=survey.name if survey else None, answers=answers)
    if case.feedback_id is not None:
        item = session.get(Feedback, case.feedback_id)
        if item is not None:
            return TriggerOut(kind="feedback", id=item.id, at=item.occurred_at, channel=item.channel, text=item.text)
    return None


def workload(session: Session) -> WorkloadOut:
    """Open, at-risk and breached cases by owner and by team (two grouped queries)."""
    def counts(column: Any) -> list[tuple[Any, int, int, int]]:
        query = select(column, func.count(), func.sum(when((Case.sla_state == "at_risk", 1), else_=0)),
                       func.sum(when((Case.sla_state == "breached", 1), else_=0))).where(
            Case.status.in_(OPEN_STATUSES)).group_by(column)
        return [(row[0], row[1], int(row[2] or 0), int(row[3] or 0)) for row in session.execute(query)]

    owners, teams = counts(Case.owner_id), counts(Case.team_id)
    users = _names(session, User.id, User.name, {row[0] for row in owners if row[0]})
    team_names = _names(session, Team.id, Team.name, {row[0] for row in teams if row[0]})

    def rows(found: list[tuple[Any, int, int, int]], names: dict[int, str], nobody: str) -> list[WorkloadRow]:
        out = [WorkloadRow(id=key, name=names.get(key, f"#{key}") if key else nobody, open=n, at_risk=risk,
                           breached=breached) for key, n, risk, breached in found]
        return sorted(out, key=lambda row: (-row.breached, -row.open, row.name))

    return WorkloadOut(by_owner=rows(owners, users, "unassigned"), by_team=rows(teams, team_names, "no team"))


# --- saved views ---------------------------------------------------------------------------


def list_views(session: Session, user: User) -> list[SavedView]:
    return list(session.scalars(select(SavedView).where(SavedView.user_id == user.id).order_by(SavedView.name)))


def get_view(session: Session, view_id: int, user: User) -> SavedView:
    view = session.get(SavedView, view_id)
    if view is None or view.user_id != user.id:
        raise NotFound(f"no saved view {view_id}")
    return view


def save_view(session: Session, data: SavedViewIn, user: User) -> SavedView:
    if session.scalar(select(SavedView.id).where(SavedView.user_id == user.id, SavedView.name == data.name)):
        raise Conflict(f"you have a view named '{data.name}' already", field="name")
    view = SavedView(user_id=user.id, name=data.name, filters=data.filters.model_dump(exclude_defaults=True))
    session.add(view)
    session.flush()
    return view


def delete_view(session: Session, view_id: int, user: User) -> None:
    session.delete(get_view(session, view_id, user))
    session.flush()


def filters_of(saved: SavedView | None, given: dict[str, Any]) -> CaseFilters:
    """The filters given now, over those of a saved view (if any)."""
    base = saved.filters if saved is not None else {}
    return CaseFilters.model_validate({**base, **{k: v for k, v in given.items() if v is not None}})


# --- webhooks ------------------------------------------------------------------------------


def _cases(session: Session, ids: Sequence[int]) -> list[Case]:
    found: list[Case] = []
    for chunk in in_chunks(sorted(set(ids))):
        found += session.scalars(select(Case).where(Case.id.in_(chunk)).order_by(Case.id))
    return found


def announce_opened(session: Session, event: CasesOpened) -> None:
    """Reaction: ``case.created`` for each new case."""
    if not wanted(session, "case.created"):
        return
    for out in case_outs(session, _cases(session, event.ids)):
        emit(session, "case.created", out)


def announce_updated(session: Session, event: CasesUpdated) -> None:
    """Reaction: ``case.updated`` for each changed case (with the changes), ``case.closed`` when it closed."""
    updated, closed = wanted(session, "case.updated"), wanted(session, "case.closed")
    if not (updated or closed):
        return
    changes = {change.case_id: change.fields for change in event.changes}
    for out in case_outs(session, _cases(session, list(changes))):
        fields = {name: {"before": pair[0], "after": pair[1]} for name, pair in changes[out.id].items()}
        body = {**out.model_dump(mode="json"), "changes": fields}
        if updated:
            emit(session, "case.updated", body)
        if closed and "status" in fields and fields["status"]["after"] == "closed":
            emit(session, "case.closed", body)
