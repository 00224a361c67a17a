"""HTML pages: the customer list and a customer's unified timeline."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from centric.customers import service
from centric.insights.timeline import timeline
from centric.web.deps import CanReadCustomers, DbSession
from centric.web.templating import render

router = APIRouter()
PAGE = 50
TIMELINE_ITEMS = 200


@router.get("/customers", response_class=HTMLResponse)
def customers(request: Request, session: DbSession, caller: CanReadCustomers,
              q: str | None = Query(default=None, max_length=200),
              segment: str | None = Query(default=None, max_length=80),
              page: int = Query(default=1, ge=1, le=100_000)) -> HTMLResponse:
    rows, total = service.list_customers(session, search=q, segment=segment, limit=PAGE, offset=(page - 1) * PAGE)
    segments, _ = service.list_segments(session)
    return render(request, "customers.html", caller=caller, rows=rows, total=total, q=q or "",
                  segment=segment or "", segments=segments, page=page, pages=max(1, -(-total // PAGE)))


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer(customer_id: int, request: Request, session: DbSession, caller: CanReadCustomers) -> HTMLResponse:
    profile = service.get_customer(session, customer_id)
    return render(
        request, "customer.html", caller=caller, customer=profile,
        identities=service.identities_for(session, profile.id),
        segments=service.segment_keys_for(session, profile.id),
        merges=service.merges_of(session, profile.id)[0],
        items=timeline(session, profile.id, limit=TIMELINE_ITEMS)[0],
    )
