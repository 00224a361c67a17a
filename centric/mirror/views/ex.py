"""The page ``/ex``: employee experience by company, team and location, published groups only."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from centric.errors import Invalid
from centric.mirror import pulses, reports
from centric.web import exports
from centric.web.deps import AppSettings, CanReadMirror, DbSession, form_day
from centric.web.templating import render

router = APIRouter()
# Published and combined groups only, no comments: what the page's tables show.
EX_COLUMNS: tuple[exports.Column, ...] = (
    "dimension", "key", ("group", "label"), "status", ("score", "value"), "low", "high", "agree", ("respondents", "n"),
    "response_rate", "method")



@router.get("/ex", response_class=HTMLResponse)
def ex_page(request: Request, session: DbSession, caller: CanReadMirror, settings: AppSettings,
            kind: str | None = Query(None, max_length=20), item: str | None = Query(None, max_length=80),
            since: str | None = Query(None, max_length=40),
            until: str | None = Query(None, max_length=40)) -> Response:
    if kind and kind not in pulses.TEMPLATES and kind != "custom":
        raise Invalid(f"kind: expected one of {', '.join(pulses.TEMPLATES)}", field="kind")
    fmt = exports.requested(request)
    report = reports.ex_report(session, settings.mirror_min_group, item=item or None, kind=kind or None,
                               since=form_day(since, "since"), until=form_day(until, "until"),
                               verbatim_item=None if fmt else "comment")  # a file holds no comments
    if fmt:
        published = [g for g in report.groups if g.status != "hidden"]  # a hidden group is not even named
        return exports.respond(exports.table_of(f"ex-{report.item}", published, EX_COLUMNS), fmt)
    query = {k: v for k, v in {"kind": kind, "item": item, "since": report.since.isoformat(),
                                "until": report.until.isoformat()}.items() if v}
    items = sorted({(i["key"], i["text"]) for t in pulses.TEMPLATES.values() for i in t["items"]
                    if i["scale"] != "text"})
    return render(request, "mirror/ex.html", caller=caller, report=report, kinds=list(pulses.TEMPLATES), kind=kind,
                  item=item or "", items=items, csv_url="/api/v1/ex/report.csv?" + urlencode(query))
