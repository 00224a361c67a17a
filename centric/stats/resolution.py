"""Honest resolution figures of a FAQ bot: what it answered, what was confirmed, what came back.

Commercial chat bots commonly report every conversation that ended without a hand-off as
"resolved": silence is counted as success. Silence is ambiguous: the customer may have got
the answer, or given up and phoned, e-mailed or written again the next day. The figures
here keep those cases apart instead of adding them up:

* **confirmed** — the customer said an answer helped;
* **assumed** — the bot answered, the customer never said "no", asked for no person, and
  the conversation closed (silence);
* **re-contact within 7 days** — after a confirmed or assumed conversation the same
  customer came back on any channel (another chat, a ticket, an e-mail, a call, a social
  message, a case). A re-contacted "resolution" was not one;
* **deflection** — conversations that ended without a person *and* without re-contact:
  confirmed or assumed, then quiet for 7 days. Only conversations whose re-contact can be
  checked count in its denominator: the customer is known and the 7 days are over. The
  share of conversations with an unknown customer is reported beside it, because for
  them "no re-contact" cannot be told from "re-contacted under another name".

Every share is a proportion with a Wilson score interval (Wilson 1927, "Probable
inference, the law of succession, and statistical inference", JASA 22:209–212), which
Brown, Cai & DasGupta (2001, "Interval estimation for a binomial proportion", Statistical
Science 16:101–133) recommend over the Wald interval for small n and for shares near 0 or
100%. Bot-only against human-handled CSAT is a difference of two proportions with
Newcombe's hybrid score interval and the pooled z-test (Newcombe 1998); the CES means are
compared with Welch's t-test (Welch 1947). See :mod:`centric.stats.proportions` and
:mod:`centric.stats.means` for those.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from centric.stats.estimate import Comparison, Estimate, check_count
from centric.stats.means import ces_estimate, compare_means
from centric.stats.proportions import compare_proportions, csat_estimate, proportion_estimate

#: Days after a conversation ends in which any contact of the same customer counts as a re-contact.
RECONTACT_DAYS = 7


@dataclass(frozen=True)
class OutcomeCounts:
    """Counts of one slice of conversations (all of them, one language, one channel).

    ``conversations`` started in the period; ``open`` of them have no outcome yet. The four
    outcomes partition the rest. ``handoff_*`` split ``handed_off`` by reason (a hand-off
    without a recorded reason is in none). ``answered`` and ``abstained`` count the bot's
    replies to questions (an answer with an article, or "I don't know").

    Re-contact: ``unknown_customer`` conversations with an outcome have no known customer;
    ``window_open`` ones have a known customer but ended less than :data:`RECONTACT_DAYS`
    ago; the remaining ``checkable`` ones can be checked. ``checkable_confirmed`` and
    ``checkable_assumed`` are the checkable confirmed and assumed conversations, and
    ``recontacted_*`` those of them whose customer came back within the window.
    """

    conversations: int = 0
    open: int = 0
    confirmed: int = 0
    assumed: int = 0
    handed_off: int = 0
    abandoned: int = 0
    handoff_requested: int = 0
    handoff_abstained: int = 0
    handoff_unhelpful: int = 0
    answered: int = 0
    abstained: int = 0
    unknown_customer: int = 0
    window_open: int = 0
    checkable: int = 0
    checkable_confirmed: int = 0
    checkable_assumed: int = 0
    recontacted_confirmed: int = 0
    recontacted_assumed: int = 0

    def __post_init__(self) -> None:
        for field in fields(self):
            check_count(field.name, getattr(self, field.name))
        if self.open + self.with_outcome != self.conversations:
            raise ValueError("open + confirmed + assumed + handed_off + abandoned must equal conversations")
        if self.handoff_requested + self.handoff_abstained + self.handoff_unhelpful > self.handed_off:
            raise ValueError("hand-offs by reason cannot exceed hand-offs")
        if self.unknown_customer + self.window_open + self.checkable != self.with_outcome:
            raise ValueError("unknown_customer + window_open + checkable must equal the conversations with an outcome")
        if (self.checkable_confirmed > self.confirmed or self.checkable_assumed > self.assumed
                or self.checkable_confirmed + self.checkable_assumed > self.checkable):
            raise ValueError("checkable confirmed/assumed conversations exceed their totals")
        if self.recontacted_confirmed > self.checkable_confirmed or self.recontacted_assumed > self.checkable_assumed:
            raise ValueError("re-contacted conversations exceed the checkable ones")

    @property
    def with_outcome(self) -> int:
        """Conversations that ended or were handed to a person."""
        return self.confirmed + self.assumed + self.handed_off + self.abandoned

    @property
    def bot_replies(self) -> int:
        return self.answered + self.abstained

    def __add__(self, other: OutcomeCounts) -> OutcomeCounts:
        return OutcomeCounts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


@dataclass(frozen=True)
class ResolutionRates:
    """The shares of :func:`resolution_rates`, in percent, each with its Wilson interval.

    Denominators: ``confirmed``/``assumed``/``handed_off``/``abandoned``, the hand-off
    reasons and ``unknown_customer`` — conversations with an outcome; ``answer_rate`` and
    ``abstention_rate`` — the bot's replies to questions; ``recontact_after_*`` — the
    checkable confirmed (assumed) conversations; ``confirmed_without_recontact``,
    ``assumed_without_recontact`` and ``deflection`` — the checkable conversations of every
    outcome (known customer, window over), so that a hand-off or an abandonment counts
    against deflection exactly as often as a resolution can count for it.
    """

    confirmed: Estimate
    assumed: Estimate
    handed_off: Estimate
    abandoned: Estimate
    handoff_requested: Estimate
    handoff_abstained: Estimate
    handoff_unhelpful: Estimate
    answer_rate: Estimate
    abstention_rate: Estimate
    unknown_customer: Estimate
    recontact_after_confirmed: Estimate
    recontact_after_assumed: Estimate
    confirmed_without_recontact: Estimate
    assumed_without_recontact: Estimate
    deflection: Estimate


def resolution_rates(counts: OutcomeCounts, *, confidence: float = 0.95) -> ResolutionRates:
    """Every share of ``counts`` with a Wilson (1927) score interval at ``confidence``.

    Deflection = (confirmed + assumed, neither followed by a re-contact within
    :data:`RECONTACT_DAYS` days) / checkable conversations. It never counts a conversation
    as deflected on silence alone, and it leaves out conversations it cannot check rather
    than counting them either way.
    """
    c = counts

    def share(part: int, whole: int) -> Estimate:
        return proportion_estimate(whole, part, confidence=confidence)

    confirmed_kept = c.checkable_confirmed - c.recontacted_confirmed
    assumed_kept = c.checkable_assumed - c.recontacted_assumed
    return ResolutionRates(
        confirmed=share(c.confirmed, c.with_outcome),
        assumed=share(c.assumed, c.with_outcome),
        handed_off=share(c.handed_off, c.with_outcome),
        abandoned=share(c.abandoned, c.with_outcome),
        handoff_requested=share(c.handoff_requested, c.with_outcome),
        handoff_abstained=share(c.handoff_abstained, c.with_outcome),
        handoff_unhelpful=share(c.handoff_unhelpful, c.with_outcome),
        answer_rate=share(c.answered, c.bot_replies),
        abstention_rate=share(c.abstained, c.bot_replies),
        unknown_customer=share(c.unknown_customer, c.with_outcome),
        recontact_after_confirmed=share(c.recontacted_confirmed, c.checkable_confirmed),
        recontact_after_assumed=share(c.recontacted_assumed, c.checkable_assumed),
        confirmed_without_recontact=share(confirmed_kept, c.checkable),
        assumed_without_recontact=share(assumed_kept, c.checkable),
        deflection=share(confirmed_kept + assumed_kept, c.checkable),
    )


@dataclass(frozen=True)
class RatingSums:
    """Sufficient statistics of post-chat survey answers of one group (bot-only or human).

    CSAT: ``csat_n`` answers on 1–5, ``csat_satisfied`` of them 4 or 5. CES: ``ces_n``
    answers on 1–7 with their sum and sum of squares.
    """

    csat_n: int = 0
    csat_satisfied: int = 0
    ces_n: int = 0
    ces_total: float = 0.0
    ces_total_sq: float = 0.0

    def __add__(self, other: RatingSums) -> RatingSums:
        return RatingSums(self.csat_n + other.csat_n, self.csat_satisfied + other.csat_satisfied,
                          self.ces_n + other.ces_n, self.ces_total + other.ces_total,
                          self.ces_total_sq + other.ces_total_sq)


@dataclass(frozen=True)
class HandlingComparison:
    """Post-chat CSAT (top-2-box %) and CES (mean) of bot-only against human-handled chats.

    ``csat_difference`` and ``ces_difference`` are bot − human: a negative CSAT difference
    means the bot-only chats satisfied fewer customers.
    """

    csat_bot: Estimate
    csat_human: Estimate
    csat_difference: Comparison
    ces_bot: Estimate
    ces_human: Estimate
    ces_difference: Comparison


def compare_handling(bot: RatingSums, human: RatingSums, *, confidence: float = 0.95) -> HandlingComparison:
    """CSAT with Wilson intervals and their difference (Newcombe 1998 hybrid score interval,
    pooled two-proportion z-test); CES means with Student t intervals and Welch's t-test.

    Observational: people get handed off because the bot failed them, so the groups differ
    in their problems as well as in who answered. The difference describes, it does not
    say what a person would have achieved for the bot-only customers.
    """
    return HandlingComparison(
        csat_bot=csat_estimate(bot.csat_n, bot.csat_satisfied, confidence=confidence),
        csat_human=csat_estimate(human.csat_n, human.csat_satisfied, confidence=confidence),
        csat_difference=compare_proportions((bot.csat_n, bot.csat_satisfied), (human.csat_n, human.csat_satisfied),
                                            confidence=confidence),
        ces_bot=ces_estimate(bot.ces_n, bot.ces_total, bot.ces_total_sq, confidence=confidence),
        ces_human=ces_estimate(human.ces_n, human.ces_total, human.ces_total_sq, confidence=confidence),
        ces_difference=compare_means((bot.ces_n, bot.ces_total, bot.ces_total_sq),
                                     (human.ces_n, human.ces_total, human.ces_total_sq), confidence=confidence),
    )


def helpfulness(helpful: int, unhelpful: int, *, confidence: float = 0.95) -> Estimate:
    """Share of "yes, this helped" among the yes/no ratings of one article's answers (Wilson).

    Ranking articles by the interval's upper bound, lowest first, puts first those that are
    surely unhelpful, not those with one unlucky "no" (the Wilson bound as a ranking score,
    as proposed for ratings by Miller 2009, "How not to sort by average rating").
    """
    helpful = check_count("helpful", helpful)
    unhelpful = check_count("unhelpful", unhelpful)
    return proportion_estimate(helpful + unhelpful, helpful, confidence=confidence)
