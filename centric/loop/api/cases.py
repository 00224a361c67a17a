"""JSON routes of the closed loop: cases, bulk actions, root-cause codes, saved inbox views, workload."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from centric.loop import cases, inbox, rootcauses
from centric.loop.case_schemas import (
    ActivityOut,
    AssignIn,
    BulkIn,
    BulkOut,
    CaseDetailOut,
    CaseIn,
    CaseOut,
    CasePatch,
    CloseIn,
    ContactIn,
    MergeIn,
    NoteIn,
    Priority,
    ReopenIn,
    RootCauseIn,
    RootCauseOut,
    RootCausePatch,
    SavedViewIn,
    SavedViewOut,
    Sort,
    Status,
    View,
    WatcherIn,
    WorkloadOut,
)
from centric.loop.models import RootCause, SavedView
from centric.web import exports
from centric.web.deps import MAX_ID, CanConfigure, CanReadCases, CanWorkCases, DbSession, ObjectId, Page, Paging

router = APIRouter(tags=["closed loop"])
OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


@router.get("/cases", response_model=Page[CaseOut], responses=exports.FILE_RESPONSES)
def list_cases(request: Request, session: DbSession, caller: CanReadCases, paging: Paging, view: View | None = None,
               status: Status | None = None, priority: Priority | None = None, owner_id: OptionalId = None,
               team_id: OptionalId = None, rule_id: OptionalId = None,
               customer_id: OptionalId = None, q: str | None = Query(default=None, max_length=200),
               sort: Sort | None = None, saved_view: OptionalId = None) -> Page[CaseOut] | Response:
    """The inbox: a view (mine, team, unassigned, at_risk, breached, all), filters, or a saved view."""
    given = {"view": view, "status": status, "priority": priority, "owner_id": owner_id, "team_id": team_id,
             "rule_id": rule_id, "customer_id": customer_id, "q": q, "sort": sort}
    saved = inbox.get_view(session, saved_view, caller.user) if saved_view is not None else None
    filters = inbox.filters_of(saved, given)
    if file := exports.listing(request, session, "cases", exports.columns_of(CaseOut), lambda s, limit, offset:
                               inbox.list_cases(s, filters, caller.user, limit=limit, offset=offset)):
        return file
    rows, total = inbox.list_cases(session, filters, caller.user, limit=paging.limit, offset=paging.offset)
    return paging.of(rows, total)


@router.post("/cases", response_model=CaseDetailOut, status_code=201)
def create_case(data: CaseIn, session: DbSession, caller: CanWorkCases) -> CaseDetailOut:
    case = cases.open_case(session, data, caller.user)
    return inbox.case_detail(session, case.id)


@router.get("/cases/workload", response_model=WorkloadOut)
def case_workload(session: DbSession, _: CanConfigure) -> WorkloadOut:
    """Managers: open, at-risk and breached cases by owner and by team."""
    return inbox.workload(session)


@router.post("/cases/bulk", response_model=BulkOut)
def bulk_cases(data: BulkIn, session: DbSession, caller: CanWorkCases) -> BulkOut:
    """One action over many cases, all or nothing (409 lists every case that failed)."""
    return BulkOut(action=data.action, ids=cases.bulk(session, data, caller.user))


@router.get("/cases/{case_id}", response_model=CaseDetailOut)
def get_case(case_id: ObjectId, session: DbSession, caller: CanReadCases) -> CaseDetailOut:
    return inbox.case_detail(session, case_id, caller.user)


@router.patch("/cases/{case_id}", response_model=CaseDetailOut)
def patch_case(case_id: ObjectId, data: CasePatch, session: DbSession, caller: CanWorkCases) -> CaseDetailOut:
    cases.update_case(session, case_id, data, caller.user)
    return inbox.case_detail(session, case_id, caller.user)


@router.post("/cases/{case_id}/notes", response_model=ActivityOut, status_code=201)
def add_note(case_id: ObjectId, data: NoteIn, session: DbSession, caller: CanWorkCases) -> ActivityOut:
    return ActivityOut.model_validate(cases.add_note(session, case_id, data.body, caller.user))


@router.post("/cases/{case_id}/contacts", response_model=ActivityOut, status_code=201)
def log_contact(case_id: ObjectId, data: ContactIn, session: DbSession, caller: CanWorkCases) -> ActivityOut:
    return ActivityOut.model_validate(cases.contact(session, case_id, data, caller.user))


@router.post("/cases/{case_id}/watchers", response_model=list[int])
def watch_case(case_id: ObjectId, data: WatcherIn, session: DbSession, caller: CanWorkCases) -> list[int]:
    return cases.watch(session, case_id, data.user_id, remove=data.remove, user=caller.user)


@router.post("/cases/{case_id}/assign", response_model=CaseDetailOut)
def assign_case(case_id: ObjectId, data: AssignIn, session: DbSession, caller: CanWorkCases) -> CaseDetailOut:
    cases.assign_case(session, case_id, data, caller.user)
    return inbox.case_detail(session, case_id)  # the new owner may be outside the caller's team


@router.post("/cases/{case_id}/close", response_model=CaseDetailOut)
def close_case(case_id: ObjectId, data: CloseIn, session: DbSession, caller: CanWorkCases) -> CaseDetailOut:
    """Close the case; ``root_cause`` (a code) is required unless the case has one already."""
    cases.close_case(session, case_id, data, caller.user)
    return inbox.case_detail(session, case_id, caller.user)


@router.post("/cases/{case_id}/reopen", response_model=CaseDetailOut)
def reopen_case(case_id: ObjectId, data: ReopenIn, session: DbSession, caller: CanWorkCases) -> CaseDetailOut:
    cases.reopen_case(session, case_id, data.reason, caller.user)
    return inbox.case_detail(session, case_id, caller.user)


@router.post("/cases/{case_id}/merge", response_model=CaseDetailOut)
def merge_case(case_id: ObjectId, data: MergeIn, session: DbSession, caller: CanWorkCases) -> CaseDetailOut:
    """Merge this duplicate into case ``into``; answers the surviving case."""
    survivor = cases.merge_case(session, case_id, data.into, caller.user)
    return inbox.case_detail(session, survivor.id, caller.user)


@router.post("/cases/{case_id}/unmerge", response_model=CaseDetailOut)
def unmerge_case(case_id: ObjectId, session: DbSession, caller: CanWorkCases) -> CaseDetailOut:
    cases.unmerge_case(session, case_id, caller.user)
    return inbox.case_detail(session, case_id, caller.user)


# --- root-cause codes ----------------------------------------------------------------------


@router.get("/root-causes", response_model=Page[RootCauseOut])
def list_root_causes(session: DbSession, _: CanReadCases, paging: Paging,
                     include_inactive: bool = False) -> Page[RootCauseOut]:
    every = [RootCauseOut.model_validate(r) for r in
             rootcauses.list_root_causes(session, include_inactive=include_inactive)]
    return paging.cut(every)


@router.post("/root-causes", response_model=RootCauseOut, status_code=201)
def create_root_cause(data: RootCauseIn, session: DbSession, _: CanConfigure) -> RootCause:
    return rootcauses.create_root_cause(session, data)


@router.patch("/root-causes/{root_cause_id}", response_model=RootCauseOut)
def update_root_cause(root_cause_id: ObjectId, data: RootCausePatch, session: DbSession,
                      _: CanConfigure) -> RootCause:
    return rootcauses.update_root_cause(session, root_cause_id, data)


@router.delete("/root-causes/{root_cause_id}", status_code=204)
def delete_root_cause(root_cause_id: ObjectId, session: DbSession, _: CanConfigure) -> None:
    """Delete an unused code; a code in use (or with children) is deactivated instead."""
    rootcauses.delete_root_cause(session, root_cause_id)


# --- saved inbox views ---------------------------------------------------------------------


@router.get("/case-views", response_model=Page[SavedViewOut])
def list_case_views(session: DbSession, caller: CanReadCases, paging: Paging) -> Page[SavedViewOut]:
    return paging.cut([SavedViewOut.model_validate(v) for v in inbox.list_views(session, caller.user)])


@router.post("/case-views", response_model=SavedViewOut, status_code=201)
def save_case_view(data: SavedViewIn, session: DbSession, caller: CanReadCases) -> SavedView:
    return inbox.save_view(session, data, caller.user)


@router.delete("/case-views/{view_id}", status_code=204)
def delete_case_view(view_id: ObjectId, session: DbSession, caller: CanReadCases) -> None:
    inbox.delete_view(session, view_id, caller.user)
