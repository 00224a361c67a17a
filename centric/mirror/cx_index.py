"""The CX index of the company's own customers: three agreement items weighted by what drives recommendation.

Reads every response of the period that answered the three items (``cx_needs``,
``cx_ease``, ``cx_enjoy`` on 1–5, e.g. from the ``cx-index`` survey template) and, where
the same response also has a 0–10 recommendation answer (metric ``nps``), uses it to
estimate the weights (:mod:`centric.stats.cx_index`). The index is then reported for the
whole period, per month and per touchpoint with the same weights. One query; aggregates
only (no customer is named).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from centric import i18n
from centric.db import utcnow
from centric.errors import Invalid
from centric.journeys.models import Touchpoint
from centric.mirror.maturity_schemas import CxIndexOut, IndexGroupOut, IndexWeightOut
from centric.stats.cx_index import MIN_N, cx_index, index_weights
from centric.surveys.models import Answer, Response

ITEMS: dict[str, str] = {"cx_needs": i18n.N_("My needs were met"), "cx_ease": i18n.N_("It was easy"),
                         "cx_enjoy": i18n.N_("It was enjoyable")}
DEFAULT_DAYS = 365
METHOD = ("Index = Σ weight × % of top-2-box answers (4 or 5 on 1–5) of the three items, 0–100. Weights: relative "
          "weights (Johnson 2000) of the same respondents' 0–10 recommendation answer on the three items, normalised "
          f"to sum to 1 (estimated on this company's responses, not an industry weighting); with fewer than {MIN_N} "
          "complete responses the three items weigh a third each. Only responses with all three items count.")


def _window(since: date | None, until: date | None) -> tuple[date, date]:
    last = until or utcnow().date()
    first = since or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise Invalid("since must not be after until", field="since")
    return first, last


def cx_index_report(session: Session, *, since: date | None = None, until: date | None = None) -> CxIndexOut:
    first, last = _window(since, until)
    start = datetime(first.year, first.month, first.day)
    end = datetime(last.year, last.month, last.day) + timedelta(days=1)
    keys = list(ITEMS)
    with_items = select(Answer.response_id).where(Answer.question_key == keys[0], Answer.number.is_not(None))
    rows = session.execute(
        select(Answer.response_id, Answer.question_key, Answer.metric, Answer.number, Response.submitted_at,
               Response.touchpoint_id)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.submitted_at >= start, Response.submitted_at < end, Answer.number.is_not(None),
               Answer.response_id.in_(with_items),
               or_(and_(Answer.question_key.in_(keys), Answer.metric == "rating"), Answer.metric == "nps"))).all()
    answers: dict[int, dict[str, float]] = defaultdict(dict)
    where: dict[int, tuple[str, int | None]] = {}
    for response_id, key, metric, number, submitted_at, touchpoint_id in rows:
        if number is None:
            continue
        answers[response_id]["nps" if metric == "nps" else key] = float(number)
        where[response_id] = (submitted_at.strftime("%Y-%m"), touchpoint_id)
    complete = sorted(r for r, a in answers.items() if all(k in a for k in keys))
    scored = [r for r in complete if "nps" in answers[r]]
    fitted = index_weights([[answers[r][k] for k in keys] for r in scored], [answers[r]["nps"] for r in scored], keys)

    def group(key: str, label: str, members: list[int]) -> IndexGroupOut:
        value = cx_index([[answers[r][k] for k in keys] for r in members], fitted.weights)
        return IndexGroupOut(key=key, label=label, index=value, n=len(members))

    months: dict[str, list[int]] = defaultdict(list)
    places: dict[int | None, list[int]] = defaultdict(list)
    for r in complete:
        month, touchpoint_id = where[r]
        months[month].append(r)
        places[touchpoint_id].append(r)
    names = _names(session, [t for t in places if t is not None])
    by_touchpoint = sorted((group(str(t) if t else "none", names.get(t, "no touchpoint") if t else "no touchpoint", m)
                            for t, m in places.items()), key=lambda g: (-g.n, g.label))
    return CxIndexOut(
        since=first, until=last,
        weights=[IndexWeightOut(item=k, label=ITEMS[k], weight=w, low=lo, high=hi)
                 for k, w, lo, hi in zip(keys, fitted.weights, fitted.low, fitted.high, strict=True)],
        estimated=fitted.estimated, n_weights=fitted.n, r_squared=fitted.r_squared,
        overall=group("all", "all responses", complete),
        by_month=[group(m, m, months[m]) for m in sorted(months)], by_touchpoint=by_touchpoint,
        method=f"{METHOD} Weights here: {fitted.method}.")


def _names(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {int(i): str(n) for i, n in session.execute(select(Touchpoint.id, Touchpoint.name)
                                                       .where(Touchpoint.id.in_(ids)))}
