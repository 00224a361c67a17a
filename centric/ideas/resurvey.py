"""After an idea is done: ask its voters again, and see whether their scores moved.

Re-survey: each voter of a done idea is invited to a survey through the outreach rules
(unsubscribes, contact-frequency rules, no address: recorded as skips, as for any
invitation). Invitations carry the source ``idea:<id>``, which is how a second re-survey
of the same idea and survey knows whom it invited already and leaves them alone.

Effect ("did shipping it help?"): for each voter, their last NPS/CSAT answer in the
``WINDOW_DAYS`` before the done day and their first one in the ``WINDOW_DAYS`` after it,
paired; the mean change with a 95% interval, NPS before/after among those voters, and
the same for customers who did not vote, over the same windows, as the comparison
(difference in differences). See :mod:`centric.stats.shipped` for the methods. It is
observational and labelled so.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.accounts.service import audit
from centric.customers.models import Customer
from centric.db import in_chunks, page_of, utcnow
from centric.errors import Conflict
from centric.ideas.loop_schemas import EffectOut, MetricEffect, PairedOut, ResurveyOut
from centric.ideas.models import IdeaResurvey, IdeaStatusChange, IdeaVote
from centric.ideas.service import get_idea
from centric.outreach.models import InvitationDelivery
from centric.outreach.service import schedule
from centric.stats import shipped
from centric.surveys.models import Answer, Invitation, Response, Survey
from centric.surveys.service import get_survey

WINDOW_DAYS = 365
CONFIDENCE = 0.95
METRICS = ("nps", "csat")


def source_of(idea_id: int) -> str:
    return f"idea:{idea_id}"


def voters_of(session: Session, idea_id: int) -> list[int]:
    """Customers whose vote counts on the idea (merged-away profiles are represented by their survivor)."""
    return list(session.scalars(
        select(IdeaVote.customer_id).join(Customer, Customer.id == IdeaVote.customer_id)
        .where(IdeaVote.idea_id == idea_id, IdeaVote.superseded.is_(False), Customer.merged_into_id.is_(None))
        .order_by(IdeaVote.customer_id)))


def resurvey_voters(session: Session, idea_id: int, survey_key: str, user_id: int | None = None) -> ResurveyOut:
    """Invite the done idea's voters to ``survey_key``, each once per (idea, survey); record the counts."""
    idea = get_idea(session, idea_id)
    if idea.status != "done":
        raise Conflict(f"idea {idea_id} is {idea.status}; only a done idea's voters are re-surveyed", field="idea")
    survey = get_survey(session, survey_key)
    source = source_of(idea.id)
    already = set(session.scalars(
        select(Invitation.customer_id).join(InvitationDelivery, InvitationDelivery.invitation_id == Invitation.id)
        .where(Invitation.survey_id == survey.id, InvitationDelivery.source == source)))
    invited = skipped = 0
    for chunk in in_chunks([c for c in voters_of(session, idea.id) if c not in already]):
        for customer in session.scalars(select(Customer).where(Customer.id.in_(chunk)).order_by(Customer.id)):
            result = schedule(session, survey, customer, channel="email", send_at=utcnow(), source=source)
            invited, skipped = invited + result.invited, skipped + (not result.invited)
    record = IdeaResurvey(idea_id=idea.id, survey_id=survey.id, invited=invited, skipped=skipped, created_by=user_id)
    session.add(record)
    session.flush()
    audit(session, user_id, "idea.resurvey", "idea", idea.id,
          {"survey": survey.key, "invited": invited, "skipped": skipped})
    return ResurveyOut.model_validate(record).model_copy(update={"survey": survey.key})


def list_resurveys(session: Session, idea_id: int, *, limit: int | None = 50,
                   offset: int = 0) -> tuple[list[ResurveyOut], int]:
    get_idea(session, idea_id)
    rows, total = page_of(session, select(IdeaResurvey).where(IdeaResurvey.idea_id == idea_id)
                          .order_by(IdeaResurvey.id.desc()), limit, offset)
    survey_ids = {r.survey_id for r in rows}
    keys = dict(session.execute(select(Survey.id, Survey.key).where(Survey.id.in_(survey_ids))).all()) if rows else {}
    return [ResurveyOut.model_validate(r).model_copy(update={"survey": keys.get(r.survey_id, "")}) for r in rows], total


# --- did shipping it help? ----------------------------------------------------------------


def done_at(session: Session, idea_id: int) -> datetime | None:
    """When the idea last became done (its latest status change to done)."""
    return session.scalar(select(IdeaStatusChange.created_at).where(
        IdeaStatusChange.idea_id == idea_id, IdeaStatusChange.to_status == "done")
        .order_by(IdeaStatusChange.created_at.desc(), IdeaStatusChange.id.desc()).limit(1))


Pairs = dict[str, dict[int, tuple[float, float]]]  # metric → customer → (before, after)


def _pairs(session: Session, moment: datetime, window_days: int) -> Pairs:
    """Each customer's last answer before ``moment`` and first after it, per metric, within the window."""
    start, end = moment - timedelta(days=window_days), moment + timedelta(days=window_days)
    rows = session.execute(
        select(Response.customer_id, Response.submitted_at, Answer.metric, Answer.number)
        .join(Answer, Answer.response_id == Response.id)
        .where(Answer.metric.in_(METRICS), Answer.number.is_not(None), Response.customer_id.is_not(None),
               Response.submitted_at >= start, Response.submitted_at <= end)
        .order_by(Response.submitted_at, Response.id))
    before: dict[str, dict[int, float]] = defaultdict(dict)
    after: dict[str, dict[int, float]] = defaultdict(dict)
    for customer_id, submitted_at, metric, number in rows:
        if customer_id is None or number is None:
            continue  # excluded by the query; narrows the types
        if submitted_at < moment:
            before[metric][customer_id] = float(number)  # ordered by time: the last one stays
        elif submitted_at > moment:
            after[metric].setdefault(customer_id, float(number))  # the first one stays
    return {metric: {c: (before[metric][c], after[metric][c]) for c in before[metric] if c in after[metric]}
            for metric in METRICS}


def _paired(metric: str, pairs: list[tuple[float, float]]) -> tuple[PairedOut, list[float]]:
    before, after = [p[0] for p in pairs], [p[1] for p in pairs]
    change = shipped.paired_change(before, after, confidence=CONFIDENCE)
    out = PairedOut(n=change.n, mean_before=change.mean_before, mean_after=change.mean_after, change=change.change,
                    low=change.low, high=change.high)
    if metric == "nps" and pairs:
        nps = shipped.paired_nps_change(before, after, confidence=CONFIDENCE)
        out = out.model_copy(update={"nps_before": nps.nps_before, "nps_after": nps.nps_after,
                                     "nps_change": nps.change, "nps_low": nps.low, "nps_high": nps.high})
    return out, [a - b for b, a in pairs]


def shipped_effect(session: Session, idea_id: int, *, window_days: int = WINDOW_DAYS) -> EffectOut:
    """Voters' paired NPS/CSAT change around the done day, beside non-voters' (observational)."""
    idea = get_idea(session, idea_id)
    moment = done_at(session, idea.id)
    if idea.status != "done" or moment is None:
        raise Conflict(f"idea {idea_id} is {idea.status}; the effect is measured once it is done", field="idea")
    voters = set(voters_of(session, idea.id))
    pairs = _pairs(session, moment, window_days)
    metrics = []
    notes = [f"Pairs: each customer's last answer in the {window_days} days before the done day and their first "
             f"answer in the {window_days} days after it.",
             "Observational: voters chose to vote, and whatever else changed around the done day may touch voters "
             "and non-voters unequally. This describes a change; it does not prove the idea caused it."]
    for metric in METRICS:
        mine = [pair for customer, pair in sorted(pairs[metric].items()) if customer in voters]
        theirs = [pair for customer, pair in sorted(pairs[metric].items()) if customer not in voters]
        voter_out, voter_changes = _paired(metric, mine)
        other_out, other_changes = _paired(metric, theirs)
        difference = shipped.difference_of_changes(voter_changes, other_changes, confidence=CONFIDENCE)
        small = voter_out.n < shipped.SMALL_N
        metrics.append(MetricEffect(metric=metric, voters=voter_out, others=other_out, difference=difference.effect,
                                    difference_low=difference.low, difference_high=difference.high, small_n=small))
        if small:
            notes.append(f"{metric.upper()}: only {voter_out.n} voters answered both before and after "
                         f"(fewer than {shipped.SMALL_N}); the interval is wide and the estimate fragile.")
    return EffectOut(idea_id=idea.id, done_at=moment, window_days=window_days, confidence=CONFIDENCE,
                     voters=len(voters), metrics=metrics, notes=notes)


def survey_choices(session: Session) -> list[tuple[str, str]]:
    """(key, name) of the active surveys a re-survey may use."""
    return [(key, name) for key, name in session.execute(
        select(Survey.key, Survey.name).where(Survey.status == "active").order_by(Survey.name, Survey.key))]


def resurveys_pending(session: Session, idea_id: int) -> int:
    """Voters not yet invited by any re-survey of this idea (whatever the survey)."""
    invited = set(session.scalars(
        select(Invitation.customer_id).join(InvitationDelivery, InvitationDelivery.invitation_id == Invitation.id)
        .where(InvitationDelivery.source == source_of(idea_id))))
    return len([c for c in voters_of(session, idea_id) if c not in invited])
