"""Factories for test data, built through the real services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from centric.accounts import service as accounts
from centric.accounts.schemas import UserCreate
from centric.journeys.schemas import JourneyIn, StageIn, TouchpointIn
from centric.journeys.service import create_journey, create_touchpoint
from centric.surveys.schemas import ResponseIn, SurveyIn
from centric.surveys.service import create_survey, submit_response

PASSWORD = "correct horse battery"


def make_user(session: Session, role: str = "admin", email: str | None = None):  # type: ignore[no-untyped-def]
    return accounts.create_user(session, UserCreate(email=email or f"{role}@example.com", password=PASSWORD,
                                                    name=role.title(), role=role))  # type: ignore[arg-type]


def make_journey(session: Session) -> None:
    """A small hotel journey: two stages, three touchpoints, and NPS/CSAT/CES surveys."""
    create_journey(session, JourneyIn(key="stay", name="Hotel stay", stages=[
        StageIn(key="arrive", name="Arrive"), StageIn(key="depart", name="Depart")]))
    create_touchpoint(session, TouchpointIn(key="check-in", name="Check-in", journey="stay", stage="arrive",
                                            channel="front desk", owner_team="Front Office"))
    create_touchpoint(session, TouchpointIn(key="room", name="Room", journey="stay", stage="arrive",
                                            channel="in person", owner_team="Housekeeping"))
    create_touchpoint(session, TouchpointIn(key="check-out", name="Check-out", journey="stay", stage="depart",
                                            channel="front desk", owner_team="Front Office"))
    create_survey(session, SurveyIn(key="rnps", name="Relationship NPS", kind="nps"))
    create_survey(session, SurveyIn(key="stay-csat", name="Stay CSAT", kind="csat", touchpoint="room"))
    create_survey(session, SurveyIn(key="support-ces", name="Support CES", kind="ces", touchpoint="check-out"))


def respond(session: Session, survey: str, score: int, *, email: str = "ann@example.com",
            touchpoint: str | None = None, when: datetime | None = None, comment: str | None = None,
            external_id: str | None = None, **extra: Any):  # type: ignore[no-untyped-def]
    kind = {"rnps": "nps", "stay-csat": "csat", "support-ces": "ces"}[survey]
    answers: dict[str, Any] = {kind: score}
    if comment:
        answers["comment"] = comment
    return submit_response(session, ResponseIn(
        survey=survey, answers=answers, customer={"email": email, **extra}, touchpoint=touchpoint,
        submitted_at=when, external_id=external_id,
    ))
