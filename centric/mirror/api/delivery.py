"""JSON routes of the delivery gap and the EX ↔ CX linkage (``mirror:read``: hr, manager, admin)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query

from centric.mirror import gap, linkage
from centric.mirror.report_schemas import DeliveryGap, Linkage
from centric.web.deps import AppSettings, CanReadMirror, DbSession

router = APIRouter(tags=["mirror"])


@router.get("/mirror/gap", response_model=DeliveryGap)
def delivery_gap(session: DbSession, settings: AppSettings, _: CanReadMirror, since: date | None = Query(None),
                 until: date | None = Query(None)) -> DeliveryGap:
    """Staff's predictions of the customers' scores against the customers' scores, per team and touchpoint."""
    return gap.delivery_gap(session, since=since, until=until, k=settings.mirror_min_group)


@router.get("/mirror/linkage", response_model=Linkage)
def ex_cx_linkage(session: DbSession, settings: AppSettings, _: CanReadMirror, since: date | None = Query(None),
                  until: date | None = Query(None)) -> Linkage:
    """Per team eNPS and engagement beside customer NPS/CSAT and case outcomes, correlations and quadrants."""
    return linkage.linkage(session, since=since, until=until, k=settings.mirror_min_group)
