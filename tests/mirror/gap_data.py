"""Synthetic staff answers (rows inserted directly, as the answer page would store them) and customers."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.accounts.models import Team
from centric.db import utcnow
from centric.journeys.models import Touchpoint
from centric.mirror.models import Pulse, PulseAnswer, PulseResponse, PulseWave
from tests.factories import respond


def today() -> date:
    return utcnow().date()


def wave(session: Session, key: str, kind: str = "mirror", opens: int = 20, closes: int = 6) -> PulseWave:
    """A wave of a new pulse, open from ``opens`` to ``closes`` days ago."""
    pulse = Pulse(key=key, name=key, kind=kind, items=[])
    session.add(pulse)
    session.flush()
    row = PulseWave(pulse_id=pulse.id, period_key=f"{key}-1", opens_on=today() - timedelta(days=opens),
                    closes_on=today() - timedelta(days=closes))
    session.add(row)
    session.flush()
    return row


def team_id(session: Session, name: str) -> int:
    return int(session.scalars(select(Team.id).where(Team.name == name)).one())


def touchpoint_id(session: Session, key: str) -> int:
    return int(session.scalars(select(Touchpoint.id).where(Touchpoint.key == key)).one())


def staff(session: Session, of: PulseWave, team: int | None, answers: list[tuple[str, Any, float]],
          times: int = 1) -> None:
    """``times`` anonymous responses of a team, each with these (scale, touchpoint id or None, number) answers."""
    for _ in range(times):
        response = PulseResponse(wave_id=of.id, team_id=team, location="")
        session.add(response)
        session.flush()
        session.add_all([PulseAnswer(response_id=response.id, item_key=f"{scale}-{i}", scale=scale,
                                     touchpoint_id=point, number=number)
                         for i, (scale, point, number) in enumerate(answers)])
    session.flush()


def customers(session: Session, survey: str, touchpoint: str, scores: list[int], when: datetime,
              tag: str = "") -> None:
    for i, score in enumerate(scores):
        respond(session, survey, score, email=f"c{tag}{touchpoint}{i}@example.com", touchpoint=touchpoint, when=when)
