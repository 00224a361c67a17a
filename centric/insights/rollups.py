"""Incremental daily rollups of rated answers (DESIGN §5).

Every stored rated answer adds its counts and sums to one rollup row with an additive
upsert, so dashboards aggregate a few thousand rows instead of millions of answers, and
nothing ever needs "reindexing". ``rebuild`` recomputes them from the answers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from functools import cache

from sqlalchemy import Date as SqlDate
from sqlalchemy import case, cast, delete, func, insert, literal_column, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from centric.events import AnswersRetracted, AnswersStored, RatedAnswer
from centric.insights.models import AnswerRollup
from centric.surveys.models import Answer, Response

RATED = ("nps", "csat", "ces")
SUMS = ("n", "promoters", "detractors", "satisfied", "agree", "total", "total_sq")


def increments(number: float, metric: str) -> dict[str, float]:
    return {
        "n": 1,
        "promoters": int(metric == "nps" and number >= 9),
        "detractors": int(metric == "nps" and number <= 6),
        "satisfied": int(metric == "csat" and number >= 4),
        "agree": int(metric == "ces" and number >= 5),
        "total": number,
        "total_sq": number * number,
    }


RollupKey = tuple[date, int, int, str, str]


def _grouped(answers: Iterable[RatedAnswer]) -> dict[RollupKey, dict[str, float]]:
    """Summed increments per rollup row (day × survey × touchpoint × channel × metric)."""
    groups: dict[RollupKey, dict[str, float]] = defaultdict(lambda: dict.fromkeys(SUMS, 0))
    for a in answers:
        if a.metric not in RATED or a.number is None:
            continue
        key = (a.submitted_at.date(), a.survey_id, a.touchpoint_id or 0, a.channel, a.metric)
        sums = groups[key]
        for name, value in increments(a.number, a.metric).items():
            sums[name] += value
    return groups


def add(session: Session, answers: Iterable[RatedAnswer]) -> None:
    """Add rated answers to the rollups inside the caller's transaction."""
    groups = _grouped(answers)
    if not groups:
        return
    rows = [
        {"day": k[0], "survey_id": k[1], "touchpoint_id": k[2], "channel": k[3], "metric": k[4], **v}
        for k, v in groups.items()
    ]
    statement = _upsert(session.get_bind().dialect.name)
    for start in range(0, len(rows), 500):
        session.execute(statement, rows[start:start + 500])


def subtract(session: Session, answers: Iterable[RatedAnswer]) -> None:
    """Take rated answers (replaced by the respondent) out of the rollups they were added to."""
    table = AnswerRollup
    for (day, survey_id, touchpoint_id, channel, metric), sums in _grouped(answers).items():
        session.execute(update(table).where(
            table.day == day, table.survey_id == survey_id, table.touchpoint_id == touchpoint_id,
            table.channel == channel, table.metric == metric,
        ).values({name: getattr(table, name) - value for name, value in sums.items()}))


def on_answers_stored(session: Session, event: AnswersStored) -> None:
    """Reaction: count newly stored rated answers."""
    add(session, event.rated)


def on_answers_retracted(session: Session, event: AnswersRetracted) -> None:
    """Reaction: uncount rated answers a respondent replaced."""
    subtract(session, event.rated)


@cache
def _upsert(dialect: str) -> postgresql.Insert | sqlite.Insert:
    """The additive upsert, built once per dialect: building ``excluded`` costs ~1 ms a call."""
    table = AnswerRollup.__table__  # Core, not the ORM bulk path: one cached statement
    statement = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    return statement.on_conflict_do_update(
        index_elements=["day", "survey_id", "touchpoint_id", "channel", "metric"],
        set_={name: table.c[name] + statement.excluded[name] for name in SUMS},
    )


def rebuild(session: Session) -> int:
    """Recompute every rollup from the stored answers; returns the number of rollup rows."""
    session.execute(delete(AnswerRollup))
    number = Answer.number
    day = func.date(Response.submitted_at) if session.get_bind().dialect.name == "sqlite" else cast(
        Response.submitted_at, SqlDate)
    touchpoint = func.coalesce(Response.touchpoint_id, literal_column("0"))
    select_sums = (
        select(
            day, Response.survey_id, touchpoint, Response.channel, Answer.metric,
            func.count(number),
            func.sum(case((Answer.metric == "nps", case((number >= 9, 1), else_=0)), else_=0)),
            func.sum(case((Answer.metric == "nps", case((number <= 6, 1), else_=0)), else_=0)),
            func.sum(case((Answer.metric == "csat", case((number >= 4, 1), else_=0)), else_=0)),
            func.sum(case((Answer.metric == "ces", case((number >= 5, 1), else_=0)), else_=0)),
            func.sum(number), func.sum(number * number),
        )
        .join(Response, Answer.response_id == Response.id)
        .where(Answer.metric.in_(RATED), number.is_not(None))
        .group_by(day, Response.survey_id, touchpoint, Response.channel, Answer.metric)
    )
    session.execute(insert(AnswerRollup).from_select(
        ["day", "survey_id", "touchpoint_id", "channel", "metric", *SUMS], select_sums))
    return session.scalar(select(func.count()).select_from(AnswerRollup)) or 0
