"""HTML pages: the customer list, a customer's unified timeline, and merge suggestions to decide."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from centric.accounts.roles import Permission
from centric.customers import service
from centric.customers.suggestions import list_suggestions
from centric.insights.timeline import timeline, timeline_channels
from centric.journeys.models import Touchpoint
from centric.maps.customer360 import customer_360
from centric.search import COUNT_CAP
from centric.web import exports
from centric.web.deps import CanReadCustomers, CanWriteCustomers, CheckedForm, DbSession, ObjectId, PageRequest
from centric.web.templating import render

router = APIRouter()
PAGE = 50
TIMELINE_ITEMS = 200


@router.get("/customers", response_class=HTMLResponse)
def customers(request: Request, session: DbSession, caller: CanReadCustomers,
              q: str | None = Query(default=None, max_length=200),
              segment: str | None = Query(default=None, max_length=80),
              page: int = Query(default=1, ge=1, le=100_000)) -> Response:
    if fmt := exports.requested(request):
        everyone, total = exports.every(request, session, lambda s, limit, offset: service.list_customers(
            s, search=q, segment=segment, limit=limit, offset=offset))
        return exports.respond(exports.table_of("customers", everyone, CUSTOMER_COLUMNS, total), fmt)
    slice_ = PageRequest(limit=PAGE, offset=(page - 1) * PAGE)
    rows, count = service.list_customers(session, search=q, segment=segment, limit=slice_.limit,
                                         offset=slice_.offset, count_cap=COUNT_CAP)
    result = slice_.of(rows, count, COUNT_CAP)
    segments, _ = service.list_segments(session)
    pages = max(1, -(-result.total // PAGE))
    more = page < pages or (not result.total_exact and len(rows) == PAGE)
    return render(request, "customers.html", caller=caller, rows=rows, total=result.total, exact=result.total_exact,
                  q=q or "", segment=segment or "", segments=segments, page=page, pages=pages, more=more)


CUSTOMER_COLUMNS: tuple[exports.Column, ...] = (
    "id", "name", "external_id", "created_at",
    ("attributes", lambda c: {k: v for k, v in (c.attributes or {}).items() if not k.startswith("_")}),
)
"""What the customer list shows (its readers hold ``customers:read``; viewers never reach it)."""


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer(customer_id: int, request: Request, session: DbSession, caller: CanReadCustomers,
             channel: str | None = Query(default=None, max_length=60),
             touchpoint: str | None = Query(default=None, max_length=80)) -> HTMLResponse:
    """The profile, its 360 figures (value, personas, open cases, ideas) and the timeline, filterable."""
    profile = service.get_customer(session, customer_id)
    items, total = timeline(session, profile.id, limit=TIMELINE_ITEMS, channel=channel, touchpoint=touchpoint)
    return render(
        request, "customer.html", caller=caller, customer=profile,
        identities=service.identities_for(session, profile.id),
        segments=service.segment_keys_for(session, profile.id),
        merges=service.merges_of(session, profile.id)[0],
        items=items, items_total=total, channel=channel or "", touchpoint=touchpoint or "",
        channels=timeline_channels(session, profile.id),
        touchpoints=list(session.execute(select(Touchpoint.key, Touchpoint.name).order_by(Touchpoint.name))),
        more=customer_360(session, profile.id), can_read_cases=caller.can(Permission.READ_CASES),
    )


@router.get("/merge-suggestions", response_class=HTMLResponse)
def merge_suggestions(request: Request, session: DbSession, caller: CanWriteCustomers,
                      page: int = Query(default=1, ge=1, le=100_000)) -> HTMLResponse:
    rows, total = list_suggestions(session, limit=PAGE, offset=(page - 1) * PAGE)
    return render(request, "merge_suggestions.html", caller=caller, rows=rows, total=total, page=page,
                  pages=max(1, -(-total // PAGE)))


@router.post("/merge-suggestions/{suggestion_id}/accept")
def accept_merge_suggestion(suggestion_id: ObjectId, session: DbSession, caller: CanWriteCustomers,
                            _: CheckedForm) -> Response:
    service.accept_suggestion(session, suggestion_id, caller.user.id)
    return RedirectResponse("/merge-suggestions", status_code=303)


@router.post("/merge-suggestions/{suggestion_id}/reject")
def reject_merge_suggestion(suggestion_id: ObjectId, session: DbSession, caller: CanWriteCustomers,
                            _: CheckedForm) -> Response:
    service.reject_suggestion(session, suggestion_id, caller.user.id)
    return RedirectResponse("/merge-suggestions", status_code=303)
