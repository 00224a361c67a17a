"""JSON routes of personas and the segment editor: list, report, comparison, preview, save."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, Query

from centric.accounts.roles import Permission
from centric.maps import personas
from centric.web.deps import CanConfigure, CanReadMetrics, DbSession, Page, Paging, ReadSession

router = APIRouter(tags=["personas"])


@router.get("/personas", response_model=Page[personas.PersonaSummary])
def list_personas(session: ReadSession, _: CanReadMetrics, paging: Paging,
                  kind: Literal["persona", "segment", "all"] = "persona") -> Page[personas.PersonaSummary]:
    """Personas (or segments) with their size, NPS, CLV and churn risk."""
    rows, total = personas.list_personas(session, kind, paging.limit, paging.offset)
    return paging.of(rows, total)


@router.get("/personas/compare", response_model=personas.Comparison)
def compare(session: ReadSession, caller: CanReadMetrics, keys: str = Query(max_length=400, description="a,b[,c,d]"),
            start: date | None = None, end: date | None = None) -> personas.Comparison:
    return personas.compare_personas(session, keys.split(","), start=start, end=end,
                                     customers=caller.can(Permission.READ_CUSTOMERS))


@router.get("/personas/{key}", response_model=personas.PersonaReport)
def report(key: str, session: ReadSession, caller: CanReadMetrics, start: date | None = None,
           end: date | None = None) -> personas.PersonaReport:
    """The persona's figures; verbatims and cases only for ``customers:read``."""
    return personas.persona_report(session, key, start=start, end=end,
                                   customers=caller.can(Permission.READ_CUSTOMERS))


@router.post("/segments/preview", response_model=personas.PreviewOut)
def preview(data: personas.RuleIn, session: DbSession, caller: CanReadMetrics) -> personas.PreviewOut:
    """How many customers a rule selects now (an aggregate); the sample of members needs ``customers:read``."""
    return personas.preview(session, data.rule, with_sample=caller.can(Permission.READ_CUSTOMERS))


@router.put("/segments/{key}", response_model=personas.SegmentSaved)
def save(key: str, data: personas.SegmentSave, session: DbSession, caller: CanConfigure) -> personas.SegmentSaved:
    """Create or replace a persona/segment; audited; members refreshed from the rule."""
    return personas.save_segment(session, key, data, caller.user.id)
