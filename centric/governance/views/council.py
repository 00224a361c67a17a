"""The CX council's printable one-page overview (no customer PII)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from centric.governance.council import DEFAULT_DAYS, MAX_DAYS, council_overview
from centric.web.deps import CanReadMetrics, DbSession
from centric.web.templating import render

router = APIRouter()


@router.get("/council", response_class=HTMLResponse)
def council_page(request: Request, session: DbSession, caller: CanReadMetrics,
                 days: int = Query(DEFAULT_DAYS, ge=1, le=MAX_DAYS)) -> HTMLResponse:
    return render(request, "governance/council.html", caller=caller, c=council_overview(session, days=days),
                  days=days)
