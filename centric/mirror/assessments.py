"""CX maturity assessments: take one, list them with their stages, read one with evidence and trend.

Ratings are validated against the questionnaire's current version (every item rated once,
a whole stage 1–5); an invalid rating is refused with a message naming the item. Results
are computed when read (see :mod:`centric.mirror.maturity` for the aggregation and
:mod:`centric.mirror.evidence` for the evidence, read as of the assessment's day).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from centric.accounts.models import User
from centric.accounts.service import audit
from centric.db import utcnow
from centric.errors import Invalid, NotFound
from centric.mirror.evidence import WINDOW_DAYS, Evidence, collect
from centric.mirror.maturity import (
    AGGREGATION,
    COMPETENCIES,
    QUESTIONNAIRES,
    STAGES,
    VERSION,
    Questionnaire,
    competency_stages,
    disagrees,
    overall_stage,
    questionnaire,
)
from centric.mirror.maturity_schemas import (
    AssessmentIn,
    AssessmentOut,
    AssessmentSummary,
    CompetencyQuestions,
    CompetencyResult,
    EvidenceOut,
    ItemResult,
    QuestionnaireOut,
    QuestionOut,
)
from centric.mirror.models import MaturityAssessment, MaturityRating

EARLIEST = date(2000, 1, 1)
EVIDENCE_NOTE = (f"Evidence is read from Centric's data as of the assessment's day (cases, feedback and responses of "
                 f"the {WINDOW_DAYS} days before it; scorecard views and digests of its month; targets valid on it); "
                 "touchpoint owners and initiative statuses are as they are now. A share of 80% or more stands for "
                 "stage 5, 60–80% for 4, 40–60% for 3, 20–40% for 2, below 20% for 1. An item is flagged when its "
                 "self-rating and the evidence are 2 or more stages apart.")


def take(session: Session, data: AssessmentIn, user: User) -> MaturityAssessment:
    """Record an assessment of the current questionnaire; every item rated once with a stage 1–5."""
    q = questionnaire(VERSION)
    today = utcnow().date()
    taken_on = data.taken_on or today
    if not EARLIEST <= taken_on <= today:
        raise Invalid(f"taken_on must be a day from {EARLIEST} to today, got {taken_on}", field="taken_on")
    seen: set[str] = set()
    for r in data.ratings:
        if q.item(r.item_key) is None:
            raise Invalid(f"ratings: unknown item {r.item_key!r} in questionnaire {q.version}",
                          field=f"ratings.{r.item_key}")
        if r.item_key in seen:
            raise Invalid(f"ratings: item {r.item_key} is rated more than once", field=f"ratings.{r.item_key}")
        if not 1 <= r.rating <= 5:
            raise Invalid(f"ratings: item {r.item_key} needs a stage from 1 to 5, got {r.rating}",
                          field=f"ratings.{r.item_key}")
        seen.add(r.item_key)
    missing = [i.key for i in q.items if i.key not in seen]
    if missing:
        raise Invalid(f"ratings: every item needs a stage 1–5; not rated: {', '.join(missing)}",
                      field=f"ratings.{missing[0]}")
    assessment = MaturityAssessment(version=q.version, title=data.title.strip(), taken_on=taken_on,
                                    notes=data.notes.strip(), created_by=user.id)
    session.add(assessment)
    session.flush()
    session.add_all(MaturityRating(assessment_id=assessment.id, item_key=r.item_key, rating=r.rating,
                                   note=r.note.strip()) for r in data.ratings)
    session.flush()
    stages = competency_stages(q, {r.item_key: r.rating for r in data.ratings})
    audit(session, user.id, "maturity.take", "maturity_assessment", assessment.id,
          {"version": q.version, "overall": overall_stage(stages), "stages": stages})
    return assessment


def _ratings_of(session: Session, ids: list[int]) -> dict[int, dict[str, MaturityRating]]:
    found: dict[int, dict[str, MaturityRating]] = defaultdict(dict)
    if ids:
        for row in session.scalars(select(MaturityRating).where(MaturityRating.assessment_id.in_(ids))):
            found[row.assessment_id][row.item_key] = row
    return found


def _known(version: str) -> Questionnaire:
    """The assessment's questionnaire (a version no longer in the code reads as the current one)."""
    return QUESTIONNAIRES.get(version) or questionnaire(VERSION)


def _summary(a: MaturityAssessment, ratings: dict[str, MaturityRating]) -> AssessmentSummary:
    stages = competency_stages(_known(a.version), {k: r.rating for k, r in ratings.items()})
    return AssessmentSummary(id=a.id, version=a.version, title=a.title, taken_on=a.taken_on,
                             overall_stage=overall_stage(stages), stages=stages)


def list_assessments(session: Session, *, limit: int = 50, offset: int = 0,
                     oldest_first: bool = False) -> tuple[list[AssessmentSummary], int]:
    """Assessments (newest first, or oldest first for a trend) with their stages: three queries."""
    total = session.scalar(select(func.count()).select_from(MaturityAssessment)) or 0
    order = (MaturityAssessment.taken_on, MaturityAssessment.id)
    rows = list(session.scalars(select(MaturityAssessment)
                                .order_by(*(order if oldest_first else (o.desc() for o in order)))
                                .limit(limit).offset(offset)))
    ratings = _ratings_of(session, [a.id for a in rows])
    return [_summary(a, ratings[a.id]) for a in rows], int(total)


def _get(session: Session, assessment_id: int) -> MaturityAssessment:
    found = session.get(MaturityAssessment, assessment_id)
    if found is None:
        raise NotFound(f"no maturity assessment {assessment_id}", field="id")
    return found


def _previous(session: Session, a: MaturityAssessment) -> MaturityAssessment | None:
    return session.scalars(select(MaturityAssessment).where(or_(
        MaturityAssessment.taken_on < a.taken_on,
        (MaturityAssessment.taken_on == a.taken_on) & (MaturityAssessment.id < a.id)))
        .order_by(MaturityAssessment.taken_on.desc(), MaturityAssessment.id.desc()).limit(1)).first()


def evidence_out(found: Evidence | None) -> EvidenceOut | None:
    if found is None:
        return None
    return EvidenceOut(key=found.key, label=found.label, value=found.value, stage=found.stage, n=found.n,
                       sentence=found.sentence)


def detail(session: Session, assessment_id: int) -> AssessmentOut:
    """One assessment: stages, each item with its evidence and disagreement flag, change since the previous one."""
    a = _get(session, assessment_id)
    q = _known(a.version)
    before = _previous(session, a)
    ratings = _ratings_of(session, [a.id] + ([before.id] if before else []))
    own = {k: r.rating for k, r in ratings[a.id].items()}
    stages = competency_stages(q, own)
    previous = competency_stages(q, {k: r.rating for k, r in ratings[before.id].items()}) if before else None
    evidence = collect(session, a.taken_on, {i.evidence for i in q.items if i.evidence})
    items: list[ItemResult] = []
    for item in q.items:
        rating = ratings[a.id].get(item.key)
        if rating is None:
            continue
        found = evidence.get(item.evidence) if item.evidence else None
        items.append(ItemResult(key=item.key, competency=item.competency, statement=item.statement,
                                rating=rating.rating, stage_name=STAGES.get(rating.rating, ""), note=rating.note,
                                evidence=evidence_out(found),
                                disagrees=disagrees(rating.rating, found.stage if found else None)))
    competencies = []
    for key, title in COMPETENCIES.items():
        stage = stages[key]
        was = previous[key] if previous else None
        competencies.append(CompetencyResult(
            key=key, title=title, stage=stage, stage_name=STAGES.get(stage or 0, "not rated"), previous_stage=was,
            change=None if stage is None or was is None else stage - was,
            next_steps=list(q.next_steps.get(key, {}).get(stage or 0, ()))))
    overall = overall_stage(stages)
    return AssessmentOut(
        id=a.id, version=a.version, title=a.title, taken_on=a.taken_on, notes=a.notes, created_by=a.created_by,
        created_at=a.created_at, overall_stage=overall, overall_stage_name=STAGES.get(overall or 0, "not rated"),
        previous_id=before.id if before else None,
        previous_overall_stage=overall_stage(previous) if previous else None,
        competencies=competencies, ratings=items, disagreements=sum(i.disagrees for i in items),
        aggregation=AGGREGATION, evidence_note=EVIDENCE_NOTE)


def questionnaire_out(session: Session | None = None, as_of: date | None = None) -> QuestionnaireOut:
    """The current questionnaire grouped by competency; with a session, each item's evidence as of ``as_of``."""
    q = questionnaire(VERSION)
    evidence = collect(session, as_of or utcnow().date()) if session is not None else {}
    return QuestionnaireOut(
        version=q.version, stages=STAGES, aggregation=AGGREGATION,
        competencies=[CompetencyQuestions(key=c, title=title, items=[
            QuestionOut(key=i.key, competency=c, statement=i.statement, stages=list(i.stages),
                        evidence=evidence_out(evidence.get(i.evidence)) if i.evidence else None)
            for i in q.of(c)]) for c, title in COMPETENCIES.items()])
