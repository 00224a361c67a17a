"""JSON routes of the employee-experience reports (``mirror:read``): published group aggregates only."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from centric.mirror import reports
from centric.mirror.schemas import ExReport
from centric.web.deps import AppSettings, CanReadMirror, DbSession

router = APIRouter(tags=["mirror: employee experience"])
Kind = Literal["enps", "engagement", "enablement", "mirror", "custom"]
ITEM = Query(None, max_length=80, description="item key (default: the eNPS question)")


@router.get("/ex/report", response_model=ExReport)
def ex_report(session: DbSession, _: CanReadMirror, settings: AppSettings, kind: Kind | None = Query(None),
              item: str | None = ITEM, pulse_id: int | None = Query(None, ge=1),
              since: date | None = Query(None), until: date | None = Query(None)) -> ExReport:
    """eNPS or an item by company, team and location; groups under k (or that would expose one) are hidden."""
    return reports.ex_report(session, settings.mirror_min_group, item=item, kind=kind, pulse_id=pulse_id,
                             since=since, until=until)


@router.get("/ex/report.csv", responses={200: {"content": {"text/csv": {}}}})
def ex_report_csv(session: DbSession, _: CanReadMirror, settings: AppSettings, kind: Kind | None = Query(None),
                  item: str | None = ITEM, pulse_id: int | None = Query(None, ge=1),
                  since: date | None = Query(None), until: date | None = Query(None)) -> Response:
    """The same report as CSV under the same rules (hidden groups have no figures; no verbatims)."""
    report = reports.ex_report(session, settings.mirror_min_group, item=item, kind=kind, pulse_id=pulse_id,
                               since=since, until=until, verbatim_item=None)
    name = re.sub(r"[^a-z0-9_-]", "_", report.item)
    return Response(reports.export_csv(report), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="ex-{name}.csv"'})
