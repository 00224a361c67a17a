"""The facts alert rules test: one flat dict per response or feedback item, read for a whole batch.

Each group of facts (a response's answers, an item's themes, the customers' segments,
values and attributes, the touchpoints) is one query per batch (per 1,000 ids), and only
the groups some rule reads are loaded: with no rule on customers, no customer is read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from centric.customers.models import Customer, CustomerSegment, Segment
from centric.db import in_chunks
from centric.feedback.models import Feedback, FeedbackTheme, Theme
from centric.insights.models import CustomerValue
from centric.journeys.models import Journey, Stage, Touchpoint
from centric.surveys.models import Answer, Response, Survey
from centric.surveys.service import just_stored_answers

RATED = ("nps", "csat", "ces", "rating")
CASE_GROUPS = {"response": {"answers", "touchpoint"}, "feedback": {"touchpoint"}}  # what a case's title shows


@dataclass
class SourceFacts:
    """One response or feedback item: its facts for the rules, and what a case opened from it shows."""

    source: str  # response | feedback
    id: int
    customer_id: int | None
    touchpoint_id: int | None
    values: dict[str, Any] = field(default_factory=dict)
    place: str = ""  # the touchpoint's or survey's name, for the case title
    headline: str | None = None  # the survey's own metric (nps, csat…)
    loaded: set[str] = field(default_factory=set)

    @property
    def metric(self) -> str | None:
        if self.source == "feedback":
            return "sentiment" if self.values.get("sentiment") is not None else None
        if self.headline in RATED and self.values.get(self.headline) is not None:
            return self.headline
        return next((m for m in RATED if self.values.get(m) is not None), None)

    @property
    def score(self) -> float | None:
        metric = self.metric
        return None if metric is None else float(self.values[metric])

    @property
    def verbatim(self) -> str:
        return str(self.values.get("comment") or self.values.get("text") or "")

    @property
    def title(self) -> str:
        """E.g. "NPS 3 (detractor) · Check-in" or "Negative feedback (-0.72) · zendesk"."""
        metric, score = self.metric, self.score
        where = self.place or str(self.values.get("source") or self.values.get("survey") or "")
        if self.source == "feedback":
            label = str(self.values.get("sentiment_label") or "new").capitalize()
            head = f"{label} feedback" + (f" ({score:+.2f})" if score is not None else "")
        elif metric is None:
            head = "Response"
        else:
            head = f"{metric.upper()} {score:g}"
            if metric == "nps":
                head += f" ({self.values.get('nps_category')})"
        return f"{head} · {where}" if where else head


def nps_category(score: float) -> str:
    return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"


def load(session: Session, source: str, ids: Sequence[int], groups: set[str]) -> list[SourceFacts]:
    """The facts of the sources ``ids`` (completed responses, or feedback items), with ``groups`` loaded."""
    items = _responses(session, ids) if source == "response" else _feedback(session, ids)
    complete(session, source, items, groups)
    return items


def complete(session: Session, source: str, items: Sequence[SourceFacts], groups: set[str]) -> None:
    """Load the ``groups`` of facts that ``items`` lack yet (each item once, however often listed)."""
    unique = list({id(item): item for item in items}.values())
    for group in sorted(groups & _LOADERS.keys()):
        todo = [item for item in unique if group not in item.loaded]
        if todo:
            _LOADERS[group](session, todo)
        for item in todo:
            item.loaded.add(group)


def _by_id(items: Sequence[SourceFacts]) -> dict[int, SourceFacts]:
    return {item.id: item for item in items}


def _responses(session: Session, ids: Sequence[int]) -> list[SourceFacts]:
    known = _in_session(session, ids)
    if known is not None:  # a live submission: the response and its survey are in the session already
        return [SourceFacts("response", r.id, r.customer_id, r.touchpoint_id, {"survey": s.key, "channel": r.channel},
                            place=s.name, headline=s.kind, loaded={"source"}) for r, s in known if r.completed]
    out = []
    for chunk in in_chunks(ids):
        for rid, customer_id, touchpoint_id, channel, key, kind, name in session.execute(
                select(Response.id, Response.customer_id, Response.touchpoint_id, Response.channel, Survey.key,
                       Survey.kind, Survey.name)
                .join(Survey, Survey.id == Response.survey_id)
                .where(Response.id.in_(chunk), Response.completed.is_(True))):
            out.append(SourceFacts("response", rid, customer_id, touchpoint_id, {"survey": key, "channel": channel},
                                   place=name, headline=kind, loaded={"source"}))
    return sorted(out, key=lambda item: item.id)


def _in_session(session: Session, ids: Sequence[int]) -> list[tuple[Response, Survey]] | None:
    """The responses and their surveys when the session holds them all (no query), else None."""
    if len(ids) > 20:
        return None
    found = []
    for rid in sorted(ids):
        response = session.identity_map.get(identity_key(Response, rid))
        survey = session.identity_map.get(identity_key(Survey, response.survey_id)) if response is not None else None
        if not isinstance(response, Response) or not isinstance(survey, Survey):
            return None
        found.append((response, survey))
    return found


def _feedback(session: Session, ids: Sequence[int]) -> list[SourceFacts]:
    out = []
    for chunk in in_chunks(ids):
        for row in session.execute(
                select(Feedback.id, Feedback.customer_id, Feedback.touchpoint_id, Feedback.text, Feedback.rating,
                       Feedback.language, Feedback.sentiment, Feedback.sentiment_label, Feedback.effort,
                       Feedback.actionable, Feedback.channel, Feedback.source, Feedback.enrichment)
                .where(Feedback.id.in_(chunk), Feedback.enriched_at.is_not(None))):
            emotions = [e.get("name") for e in (row.enrichment or {}).get("emotions") or () if isinstance(e, dict)]
            values = {"text": row.text, "rating": row.rating, "language": row.language, "sentiment": row.sentiment,
                      "sentiment_label": row.sentiment_label, "effort": row.effort, "actionable": row.actionable,
                      "channel": row.channel, "source": row.source, "emotion": [e for e in emotions if e] or None}
            out.append(SourceFacts("feedback", row.id, row.customer_id, row.touchpoint_id,
                                   {k: v for k, v in values.items() if v is not None}, loaded={"source"}))
    return sorted(out, key=lambda item: item.id)


def _answers(session: Session, items: Sequence[SourceFacts]) -> None:
    """Each response's answers: a live submission's from the session, the others in one query per chunk."""
    by_id = _by_id(items)
    live = just_stored_answers(session, by_id)
    for response_id, typed in live.items():
        for answer in typed:
            _add_answer(by_id[response_id].values, answer.question_key, answer.metric, answer.number, answer.text)
    for chunk in in_chunks(sorted(set(by_id) - set(live))):
        for response_id, key, metric, number, text in session.execute(
                select(Answer.response_id, Answer.question_key, Answer.metric, Answer.number, Answer.text)
                .where(Answer.response_id.in_(chunk)).order_by(Answer.id)):
            _add_answer(by_id[response_id].values, key, metric, number, text)


def _add_answer(values: dict[str, Any], key: str, metric: str, number: float | None, text: str | None) -> None:
    if number is not None:
        values[f"answer.{key}"] = number
        if metric in RATED and metric not in values:
            values[metric] = number
            if metric == "nps":
                values["nps_category"] = nps_category(number)
    elif text:
        values[f"answer.{key}"] = text
        if metric == "text":
            values["comment"] = f"{values['comment']}\n{text}" if "comment" in values else text


def _themes(session: Session, items: Sequence[SourceFacts]) -> None:
    by_id = _by_id(items)
    for chunk in in_chunks(sorted(by_id)):
        for feedback_id, name in session.execute(
                select(FeedbackTheme.feedback_id, Theme.name).join(Theme, Theme.id == FeedbackTheme.theme_id)
                .where(FeedbackTheme.feedback_id.in_(chunk))):
            names = by_id[feedback_id].values.setdefault("theme", [])
            names.append(name)  # the path, e.g. "delivery/late"
            if "/" in name:
                names.append(name.rsplit("/", 1)[1])


def _customers(items: Sequence[SourceFacts]) -> dict[int, list[SourceFacts]]:
    out: dict[int, list[SourceFacts]] = {}
    for item in items:
        if item.customer_id is not None:
            out.setdefault(item.customer_id, []).append(item)
    return out


def _segments(session: Session, items: Sequence[SourceFacts]) -> None:
    by_customer = _customers(items)
    for chunk in in_chunks(sorted(by_customer)):
        for customer_id, key in session.execute(
                select(CustomerSegment.customer_id, Segment.key).join(Segment, Segment.id == CustomerSegment.segment_id)
                .where(CustomerSegment.customer_id.in_(chunk))):
            for item in by_customer[customer_id]:
                item.values.setdefault("segment", []).append(key)


def _values(session: Session, items: Sequence[SourceFacts]) -> None:
    by_customer = _customers(items)
    for chunk in in_chunks(sorted(by_customer)):
        for value in session.scalars(select(CustomerValue).where(CustomerValue.customer_id.in_(chunk))):
            for item in by_customer[value.customer_id]:
                item.values.update(clv=value.clv, clv_band=value.clv_band, churn_risk=value.churn_risk,
                                   risk_band=value.risk_band)


def _attributes(session: Session, items: Sequence[SourceFacts]) -> None:
    by_customer = _customers(items)
    for chunk in in_chunks(sorted(by_customer)):
        for customer_id, attributes in session.execute(
                select(Customer.id, Customer.attributes).where(Customer.id.in_(chunk))):
            for name, value in (attributes or {}).items():
                if isinstance(value, str | int | float | bool):
                    for item in by_customer[customer_id]:
                        item.values[f"attributes.{name}"] = value


def _touchpoints(session: Session, items: Sequence[SourceFacts]) -> None:
    wanted = sorted({item.touchpoint_id for item in items if item.touchpoint_id is not None})
    found: dict[int, tuple[str, str, str, str]] = {}
    for chunk in in_chunks(wanted):
        for tid, key, name, stage, journey in session.execute(
                select(Touchpoint.id, Touchpoint.key, Touchpoint.name, Stage.key, Journey.key)
                .join(Stage, Stage.id == Touchpoint.stage_id).join(Journey, Journey.id == Stage.journey_id)
                .where(Touchpoint.id.in_(chunk))):
            found[tid] = (key, name, stage, journey)
    for item in items:
        if item.touchpoint_id in found:
            key, name, stage, journey = found[item.touchpoint_id]
            item.values.update(touchpoint=key, stage=stage, journey=journey)
            item.place = name


_LOADERS: dict[str, Callable[[Session, Sequence[SourceFacts]], None]] = {
    "answers": _answers, "themes": _themes, "segments": _segments, "value": _values, "attributes": _attributes,
    "touchpoint": _touchpoints,
}
