"""JSON routes of the CX maturity assessment and the CX index.

Reading assessments needs ``mirror:read`` (hr, managers, admins); taking one needs
``initiatives:approve`` (managers, admins): it is a leadership judgement of the same
people who decide on the council's initiatives, not a system setting (``config:write``).
The CX index is an aggregate of customer answers: anyone who reads metrics may see it.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query

from centric.mirror import assessments
from centric.mirror.cx_index import cx_index_report
from centric.mirror.maturity_schemas import AssessmentIn, AssessmentOut, AssessmentSummary, CxIndexOut, QuestionnaireOut
from centric.web.deps import CanApproveInitiatives, CanReadMetrics, CanReadMirror, DbSession, ObjectId, Page, Paging

router = APIRouter(tags=["mirror"])


@router.get("/mirror/maturity", response_model=Page[AssessmentSummary])
def list_assessments(session: DbSession, _: CanReadMirror, paging: Paging) -> Page[AssessmentSummary]:
    """Assessments, newest first, with the stage of each competency and overall."""
    items, total = assessments.list_assessments(session, limit=paging.limit, offset=paging.offset)
    return paging.of(items, total)


@router.get("/mirror/maturity/questionnaire", response_model=QuestionnaireOut)
def get_questionnaire(session: DbSession, _: CanReadMirror) -> QuestionnaireOut:
    """The current questionnaire by competency, each item with today's evidence where Centric has data."""
    return assessments.questionnaire_out(session)


@router.post("/mirror/maturity", response_model=AssessmentOut, status_code=201)
def take_assessment(data: AssessmentIn, session: DbSession, caller: CanApproveInitiatives) -> AssessmentOut:
    """Record an assessment: every item of the current questionnaire rated with a stage 1–5."""
    created = assessments.take(session, data, caller.user)
    return assessments.detail(session, created.id)


@router.get("/mirror/maturity/{assessment_id}", response_model=AssessmentOut)
def get_assessment(assessment_id: ObjectId, session: DbSession, _: CanReadMirror) -> AssessmentOut:
    """Stages, evidence, disagreement flags, next steps and the change since the previous assessment."""
    return assessments.detail(session, assessment_id)


@router.get("/mirror/cx-index", response_model=CxIndexOut)
def get_cx_index(session: DbSession, _: CanReadMetrics, since: date | None = Query(None),
                 until: date | None = Query(None)) -> CxIndexOut:
    """The three-item CX index with weights estimated from this company's responses, and its method."""
    return cx_index_report(session, since=since, until=until)
