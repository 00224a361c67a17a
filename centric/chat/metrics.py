"""Honest chat resolution for a date range: :func:`resolution_metrics` and :func:`article_helpfulness`.

Conversations *started* in the range are counted; each figure is explained in
:mod:`centric.stats.resolution` and docs/kb-and-chat.md. In short: "assumed" resolution
(the bot answered and the customer went quiet) is never reported as resolution on its
own; a confirmed or assumed conversation whose customer came back within 7 days, on any
channel, is reported as re-contacted, and deflection counts only confirmed or assumed
conversations without re-contact.

Re-contact after a conversation closed at ``t`` is any of, for the same customer, in
``(t, t + 7 days]``: another chat started; a feedback item of channel ticket, e-mail,
call, chat or social (the conversation's own transcript item excluded); a case opened
from feedback, by hand or by a chat hand-off (cases an alert rule raised on a survey
answer are left out: there the survey asked, the customer did not come back).

A constant number of SQL aggregates (four for :func:`resolution_metrics`, one for
:func:`article_helpfulness`), whatever the number of conversations; no customer's words
or ids leave this module, so viewers may read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from centric import i18n
from centric.chat.metric_schemas import (
    ArticleHelpfulness,
    Difference,
    Handoffs,
    Mean,
    Rate,
    ResolutionMetrics,
    ResolutionSlice,
    Satisfaction,
)
from centric.chat.models import CHANNELS, Conversation
from centric.chat.models import ChatMessage as Message
from centric.db import as_utc, utcnow
from centric.errors import Invalid
from centric.feedback.models import Feedback
from centric.kb.models import KbArticle
from centric.loop.kpis import minutes_between
from centric.loop.models import Case
from centric.stats.estimate import Comparison, Estimate
from centric.stats.resolution import (
    RECONTACT_DAYS,
    OutcomeCounts,
    RatingSums,
    compare_handling,
    helpfulness,
    resolution_rates,
)
from centric.surveys.models import Answer, Response

DEFAULT_DAYS = 30
#: Feedback channels through which a customer comes back (survey answers and reviews are not a contact).
RECONTACT_CHANNELS = ("ticket", "email", "call", "chat", "social")
#: Case sources that mean the customer came back (not ``response``: an alert rule on a survey answer).
RECONTACT_CASE_SOURCES = ("feedback", "manual", "chat")
LANGUAGE_MAX = 8
SATISFACTION_CAVEAT = i18n.N_(
    "Observational: customers are handed to a person because the bot did not help them, so the two groups "
    "differ in their problems as well as in who answered. Auto-closed conversations are never surveyed and "
    "never counted here.")


@dataclass(frozen=True)
class _Scope:
    start: datetime
    end: datetime
    language: str | None
    channel: str | None

    def where(self) -> list[ColumnElement[bool]]:
        conditions = [Conversation.started_at >= self.start, Conversation.started_at < self.end]
        if self.language is not None:
            conditions.append(Conversation.language == self.language)
        if self.channel is not None:
            conditions.append(Conversation.channel == self.channel)
        return conditions


def scope_of(since: datetime | None, until: datetime | None, language: str | None = None,
             channel: str | None = None) -> _Scope:
    """The checked range (UTC, by default the last :data:`DEFAULT_DAYS` days) and filters."""
    end = as_utc(until) if until else utcnow()
    start = as_utc(since) if since else end - timedelta(days=DEFAULT_DAYS)
    if start >= end:
        raise Invalid("since must be before until", field="since")
    if language is not None and (not language or len(language) > LANGUAGE_MAX or not language.isascii()
                                 or not language.replace("-", "").isalpha()):
        raise Invalid(f"language: expected a language code such as en or zh, got {language[:20]!r}", field="language")
    if channel is not None and channel not in CHANNELS:
        raise Invalid(f"channel: expected one of {', '.join(CHANNELS)}, got {channel[:20]!r}", field="channel")
    return _Scope(start, end, language.lower() if language else None, channel)


def resolution_metrics(session: Session, *, since: datetime | None = None, until: datetime | None = None,
                       language: str | None = None, channel: str | None = None,
                       now: datetime | None = None) -> ResolutionMetrics:
    """Every resolution figure of the conversations started in the range, overall and by language and channel.

    ``now`` (default: the current time) decides whose 7-day re-contact window is over.
    """
    scope = scope_of(since, until, language, channel)
    as_of = as_utc(now) if now else utcnow()
    counts = _outcome_counts(session, scope, as_of)
    for pair, replies in _bot_replies(session, scope).items():
        counts[pair] = counts.get(pair, OutcomeCounts()) + replies
    surveyed = _surveyed(session, scope)
    overall = _slice("all", _total(counts.values()), sum(surveyed.values()))
    by_language: dict[str, tuple[OutcomeCounts, int]] = {}
    by_channel: dict[str, tuple[OutcomeCounts, int]] = {}
    for (lang, chan), outcomes in counts.items():
        for name, into in ((lang, by_language), (chan, by_channel)):
            before, n = into.get(name, (OutcomeCounts(), 0))
            into[name] = (before + outcomes, n + surveyed.get((lang, chan), 0))
    return ResolutionMetrics(
        since=scope.start, until=scope.end, as_of=as_of, language=scope.language, channel=scope.channel,
        recontact_days=RECONTACT_DAYS, recontact_channels=["chat conversation", *RECONTACT_CHANNELS, "case"],
        overall=overall,
        by_language=[_slice(key, *value) for key, value in sorted(by_language.items())],
        by_channel=[_slice(key, *value) for key, value in sorted(by_channel.items())],
        satisfaction=_satisfaction(session, scope),
    )


_Counts = dict[tuple[str, str], OutcomeCounts]  # per (language, channel)


def _outcome_counts(session: Session, scope: _Scope, now: datetime) -> _Counts:
    """Conversations by language, channel, outcome, hand-off reason and re-contact: one aggregate."""
    conv = Conversation
    ended = func.coalesce(conv.closed_at, conv.handed_off_at, conv.last_message_at)
    window = RECONTACT_DAYS * 24 * 60

    def soon_after(moment: Any) -> ColumnElement[bool]:
        return and_(moment > ended, minutes_between(session, moment, ended) <= window)

    later = aliased(Conversation)
    came_back = or_(
        exists().where(later.customer_id == conv.customer_id, later.id != conv.id, soon_after(later.started_at)),
        exists().where(Feedback.customer_id == conv.customer_id, Feedback.channel.in_(RECONTACT_CHANNELS),
                       or_(conv.feedback_id.is_(None), Feedback.id != conv.feedback_id),
                       soon_after(Feedback.occurred_at)),
        exists().where(Case.customer_id == conv.customer_id, Case.source.in_(RECONTACT_CASE_SOURCES),
                       or_(conv.case_id.is_(None), Case.id != conv.case_id), soon_after(Case.created_at)),
    )
    known = conv.customer_id.is_not(None)
    window_over = ended <= now - timedelta(days=RECONTACT_DAYS)
    resolved = conv.resolution.in_(("confirmed", "assumed"))
    flags = select(
        conv.language.label("language"), conv.channel.label("channel"), conv.resolution.label("resolution"),
        conv.handoff_reason.label("reason"),
        case((known, 1), else_=0).label("known"),
        case((and_(known, window_over), 1), else_=0).label("window_over"),
        case((and_(known, window_over, resolved, came_back), 1), else_=0).label("came_back"),
    ).where(*scope.where()).subquery()
    grouped = select(flags.c.language, flags.c.channel, flags.c.resolution, flags.c.reason, flags.c.known,
                     flags.c.window_over, flags.c.came_back, func.count().label("n")).group_by(
        flags.c.language, flags.c.channel, flags.c.resolution, flags.c.reason, flags.c.known, flags.c.window_over,
        flags.c.came_back)
    tallies: dict[tuple[str, str], dict[str, int]] = {}
    for row in session.execute(grouped):
        tally = tallies.setdefault((row.language, row.channel), {})
        _tally(tally, row.resolution, row.reason, bool(row.known), bool(row.window_over), bool(row.came_back), row.n)
    return {key: OutcomeCounts(**tally) for key, tally in tallies.items()}


def _tally(into: dict[str, int], resolution: str | None, reason: str | None, known: bool, window_over: bool,
           came_back: bool, n: int) -> None:
    def add(name: str) -> None:
        into[name] = into.get(name, 0) + n

    add("conversations")
    if resolution not in ("confirmed", "assumed", "handed_off", "abandoned"):
        add("open")
        return
    add(resolution)
    if resolution == "handed_off" and reason in ("requested", "abstained", "unhelpful"):
        add(f"handoff_{reason}")
    if not known:
        add("unknown_customer")
    elif not window_over:
        add("window_open")
    else:
        add("checkable")
        if resolution in ("confirmed", "assumed"):
            add(f"checkable_{resolution}")
            if came_back:
                add(f"recontacted_{resolution}")


def _bot_replies(session: Session, scope: _Scope) -> _Counts:
    """The bot's answers and abstentions by language and channel: one aggregate."""
    answered = and_(Message.abstained.is_(False), Message.article_id.is_not(None))
    query = select(
        Conversation.language, Conversation.channel,
        func.sum(case((answered, 1), else_=0)).label("answered"),
        func.sum(case((Message.abstained.is_(True), 1), else_=0)).label("abstained"),
    ).join(Conversation, Message.conversation_id == Conversation.id).where(
        Message.author == "bot", *scope.where()).group_by(Conversation.language, Conversation.channel)
    return {(row.language, row.channel): OutcomeCounts(answered=int(row.answered or 0),
                                                       abstained=int(row.abstained or 0))
            for row in session.execute(query)}


def _surveyed(session: Session, scope: _Scope) -> dict[tuple[str, str], int]:
    """Conversations sent a post-chat survey, by language and channel (auto-closed ones never count)."""
    query = select(Conversation.language, Conversation.channel, func.count()).where(
        *scope.where(), Conversation.survey_invitation_id.is_not(None), _not_auto_closed(),
    ).group_by(Conversation.language, Conversation.channel)
    return {(lang, chan): int(n) for lang, chan, n in session.execute(query)}


def _not_auto_closed() -> ColumnElement[bool]:
    return func.coalesce(Conversation.closed_by, "") != "auto"


def _satisfaction(session: Session, scope: _Scope) -> Satisfaction:
    """CSAT and CES of the post-chat survey answers, bot-only against human-handled: one aggregate.

    A chat's answers are those of the response to its survey invitation; auto-closed
    conversations are left out even if an invitation were linked to them.
    """
    surveyed = [*scope.where(), _not_auto_closed()]
    invited = select(Conversation.survey_invitation_id).where(*surveyed, Conversation.survey_invitation_id.is_not(None))
    handed_off = invited.where(Conversation.resolution == "handed_off")
    # Driven from the responses submitted since the period began (their time index), each matched to the
    # scoped conversations' invitations as a set: no index leads from an invitation to its response.
    answers = select(
        case((Response.invitation_id.in_(handed_off), "handed_off"), else_="bot").label("resolution"),
        Answer.metric.label("metric"), Answer.number.label("number"),
    ).select_from(Response).join(Answer, Answer.response_id == Response.id).where(
        Response.submitted_at >= scope.start, Response.invitation_id.in_(invited),
        Answer.metric.in_(("csat", "ces")), Answer.number.is_not(None)).subquery()
    number = answers.c.number
    query = select(
        answers.c.resolution, answers.c.metric, func.count(number).label("n"),
        func.sum(case((number >= 4, 1), else_=0)).label("top2"),
        func.sum(number).label("total"), func.sum(number * number).label("total_sq"),
    ).group_by(answers.c.resolution, answers.c.metric)
    bot, human = RatingSums(), RatingSums()
    for row in session.execute(query):
        n = int(row.n or 0)
        sums = (RatingSums(csat_n=n, csat_satisfied=int(row.top2 or 0)) if row.metric == "csat" else
                RatingSums(ces_n=n, ces_total=float(row.total or 0.0), ces_total_sq=float(row.total_sq or 0.0)))
        if row.resolution == "handed_off":
            human += sums
        else:
            bot += sums
    compared = compare_handling(bot, human)
    return Satisfaction(
        csat_bot=_rate(compared.csat_bot, bot.csat_satisfied),
        csat_human=_rate(compared.csat_human, human.csat_satisfied),
        csat_difference=_difference(compared.csat_difference),
        ces_bot=_mean(compared.ces_bot), ces_human=_mean(compared.ces_human),
        ces_difference=_difference(compared.ces_difference),
        caveat=SATISFACTION_CAVEAT,
    )


def article_helpfulness(session: Session, *, since: datetime | None = None, until: datetime | None = None,
                        language: str | None = None, channel: str | None = None,
                        article_ids: Iterable[int] | None = None) -> list[ArticleHelpfulness]:
    """Per article the bot answered with: how often, and the customers' "yes, it helped" / "no" counts.

    Least helpful first (by the Wilson interval's upper bound), articles without any rating
    last. One aggregate; ``article_ids`` narrows it to those articles (the KB editor's page).
    """
    scope = scope_of(since, until, language, channel)
    query = select(
        Message.article_id, KbArticle.slug, KbArticle.title, KbArticle.language,
        func.count(Message.id).label("answers"),
        func.sum(case((Message.helpful.is_(True), 1), else_=0)).label("helpful"),
        func.sum(case((Message.helpful.is_(False), 1), else_=0)).label("unhelpful"),
    ).join(Conversation, Message.conversation_id == Conversation.id).join(
        KbArticle, KbArticle.id == Message.article_id
    ).where(Message.author == "bot", Message.abstained.is_(False), *scope.where()).group_by(
        Message.article_id, KbArticle.slug, KbArticle.title, KbArticle.language)
    if article_ids is not None:
        query = query.where(Message.article_id.in_(sorted(set(article_ids))))
    out = []
    for row in session.execute(query):
        yes, no = int(row.helpful or 0), int(row.unhelpful or 0)
        out.append(ArticleHelpfulness(article_id=row.article_id, slug=row.slug, title=row.title, language=row.language,
                                      answers=int(row.answers), helpful=yes, unhelpful=no,
                                      helpful_share=_rate(helpfulness(yes, no), yes)))
    return sorted(out, key=lambda a: (a.helpful_share.high is None, a.helpful_share.high or 0.0, -a.answers,
                                      a.article_id))


def _total(parts: Iterable[OutcomeCounts]) -> OutcomeCounts:
    total = OutcomeCounts()
    for part in parts:
        total += part
    return total


def _slice(key: str, counts: OutcomeCounts, surveyed: int) -> ResolutionSlice:
    r = resolution_rates(counts)
    c = counts
    confirmed_kept = c.checkable_confirmed - c.recontacted_confirmed
    assumed_kept = c.checkable_assumed - c.recontacted_assumed
    return ResolutionSlice(
        key=key, conversations=c.conversations, open=c.open, with_outcome=c.with_outcome,
        confirmed=_rate(r.confirmed, c.confirmed), assumed=_rate(r.assumed, c.assumed),
        handed_off=_rate(r.handed_off, c.handed_off), abandoned=_rate(r.abandoned, c.abandoned),
        handoffs=Handoffs(requested=_rate(r.handoff_requested, c.handoff_requested),
                          abstained=_rate(r.handoff_abstained, c.handoff_abstained),
                          unhelpful=_rate(r.handoff_unhelpful, c.handoff_unhelpful)),
        answer_rate=_rate(r.answer_rate, c.answered), abstention_rate=_rate(r.abstention_rate, c.abstained),
        unknown_customer=_rate(r.unknown_customer, c.unknown_customer),
        window_open=c.window_open, checkable=c.checkable,
        recontact_after_confirmed=_rate(r.recontact_after_confirmed, c.recontacted_confirmed),
        recontact_after_assumed=_rate(r.recontact_after_assumed, c.recontacted_assumed),
        confirmed_without_recontact=_rate(r.confirmed_without_recontact, confirmed_kept),
        assumed_without_recontact=_rate(r.assumed_without_recontact, assumed_kept),
        deflection=_rate(r.deflection, confirmed_kept + assumed_kept),
        surveyed=surveyed,
    )


def _rate(estimate: Estimate, count: int) -> Rate:
    return Rate(count=count, n=estimate.n, value=estimate.value, low=estimate.low, high=estimate.high)


def _mean(estimate: Estimate) -> Mean:
    return Mean(n=estimate.n, value=estimate.value, low=estimate.low, high=estimate.high)


def _difference(comparison: Comparison) -> Difference:
    return Difference(difference=comparison.difference, low=comparison.low, high=comparison.high,
                      p_value=comparison.p_value, n_bot=comparison.n_a, n_human=comparison.n_b,
                      method=comparison.method)
