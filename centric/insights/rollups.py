"""Incremental daily rollups of rated answers (DESIGN §5).

Every stored rated answer adds its counts and sums to one rollup row with an additive
upsert, so dashboards aggregate a few thousand rows instead of millions of answers, and
nothing ever needs "reindexing". ``rebuild`` recomputes them from the answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Date as SqlDate
from sqlalchemy import case, cast, delete, func, insert, literal_column, select, text, update
from sqlalchemy.orm import Session

from centric.events import AnswersRetracted, AnswersStored, RatedAnswer
from centric.insights.models import AnswerRollup
from centric.surveys.models import Answer, Response

RATED = ("nps", "csat", "ces")
SUMS = ("n", "promoters", "detractors", "satisfied", "agree", "total", "total_sq")


RollupKey = tuple[date, int, int, str, str]


def grouped(answers: Iterable[RatedAnswer]) -> dict[RollupKey, dict[str, float]]:
    """Summed increments per rollup row (day × survey × touchpoint × channel × metric).

    An nps answer counts as promoter at 9–10 and detractor at 0–6; csat is satisfied at 4–5,
    ces agrees at 5 or more (the sums the metrics in :mod:`centric.stats` are computed from).
    """
    sums: dict[RollupKey, list[float]] = {}
    for a in answers:
        metric, number = a.metric, a.number
        if number is None or metric not in RATED:
            continue
        key = (a.submitted_at.date(), a.survey_id, a.touchpoint_id or 0, a.channel, metric)
        row = sums.get(key)
        if row is None:
            row = sums[key] = [0, 0, 0, 0, 0, 0.0, 0.0]
        row[0] += 1
        if metric == "nps":
            row[1] += number >= 9
            row[2] += number <= 6
        elif metric == "csat":
            row[3] += number >= 4
        else:
            row[4] += number >= 5
        row[5] += number
        row[6] += number * number
    return {key: dict(zip(SUMS, row, strict=True)) for key, row in sums.items()}


def add(session: Session, answers: Iterable[RatedAnswer]) -> None:
    """Add rated answers to the rollups inside the caller's transaction.

    An additive upsert per rollup row. PostgreSQL gets every row in one statement (``unnest`` of
    one array per column): an ``executemany`` costs a round trip and a plan execution per row.
    """
    groups = grouped(answers)
    if not groups:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        keys = list(zip(*groups, strict=True))
        sums = [[value[name] for value in groups.values()] for name in SUMS]
        session.execute(_UNNEST_UPSERT, {
            "day": list(keys[0]), "survey_id": list(keys[1]), "touchpoint_id": list(keys[2]),
            "channel": list(keys[3]), "metric": list(keys[4]),
            **{name: [int(v) for v in values] for name, values in zip(SUMS[:5], sums[:5], strict=True)},
            **{name: [float(v) for v in values] for name, values in zip(SUMS[5:], sums[5:], strict=True)},
        })
        return
    # SQLite: the driver's executemany of one prepared statement (days as SQLAlchemy stores them there).
    session.connection().exec_driver_sql(_SQLITE_UPSERT, [
        (k[0].isoformat(), *k[1:], *(v[name] for name in SUMS)) for k, v in groups.items()])


_CONFLICT = " ON CONFLICT (day, survey_id, touchpoint_id, channel, metric) DO UPDATE SET " + ", ".join(
    f"{name} = answer_rollup.{name} + excluded.{name}" for name in SUMS)
_SQLITE_UPSERT = ("INSERT INTO answer_rollup (day, survey_id, touchpoint_id, channel, metric, " + ", ".join(SUMS)
                  + ") VALUES (" + ", ".join("?" * (5 + len(SUMS))) + ")" + _CONFLICT)
_UNNEST_UPSERT = text(
    "INSERT INTO answer_rollup (day, survey_id, touchpoint_id, channel, metric, " + ", ".join(SUMS) + ") "
    "SELECT * FROM unnest(CAST(:day AS date[]), CAST(:survey_id AS integer[]), CAST(:touchpoint_id AS integer[]), "
    "CAST(:channel AS varchar[]), CAST(:metric AS varchar[]), "
    + ", ".join(f"CAST(:{name} AS integer[])" for name in SUMS[:5]) + ", "
    + ", ".join(f"CAST(:{name} AS double precision[])" for name in SUMS[5:]) + ") "
    + _CONFLICT
)


def subtract(session: Session, answers: Iterable[RatedAnswer]) -> None:
    """Take rated answers (replaced by the respondent) out of the rollups they were added to."""
    table = AnswerRollup
    for (day, survey_id, touchpoint_id, channel, metric), sums in grouped(answers).items():
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
            *sum_columns(),
        )
        .join(Response, Answer.response_id == Response.id)
        .where(Answer.metric.in_(RATED), number.is_not(None))
        .group_by(day, Response.survey_id, touchpoint, Response.channel, Answer.metric)
    )
    session.execute(insert(AnswerRollup).from_select(
        ["day", "survey_id", "touchpoint_id", "channel", "metric", *SUMS], select_sums))
    return session.scalar(select(func.count()).select_from(AnswerRollup)) or 0


def sum_columns() -> list[Any]:
    """The :data:`SUMS` of rated answers as SQL aggregates over ``answer``, in that order."""
    number = Answer.number
    return [
        func.count(number),
        func.sum(case((Answer.metric == "nps", case((number >= 9, 1), else_=0)), else_=0)),
        func.sum(case((Answer.metric == "nps", case((number <= 6, 1), else_=0)), else_=0)),
        func.sum(case((Answer.metric == "csat", case((number >= 4, 1), else_=0)), else_=0)),
        func.sum(case((Answer.metric == "ces", case((number >= 5, 1), else_=0)), else_=0)),
        func.sum(number), func.sum(number * number),
    ]
