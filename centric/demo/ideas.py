"""The demo company's ideas portal: three boards, guests' ideas in every status, votes and comments.

Written after the mirror, as plain rows like the ideas services would write them:

* **Boards** "Stays", "App" and "Loyalty" (with a budget of 10 open votes per guest), named
  in English and Chinese.
* **Ideas** in English and Chinese from guests, in every status (open, under review,
  planned, in progress, done, declined, and a duplicate merged into its original), with the
  staff's status notes, a pinned official answer on the ideas staff have answered, threaded
  comments, two ideas awaiting first-post moderation, one spam post hidden and one open
  abuse report.
* **Votes from every value band**, so that raw votes and revenue at stake disagree: free
  breakfast for everyone is popular with low-value guests, the late check-out for members
  is the favourite of the high-value ones.
* **One shipped idea with a re-survey**: express check-in in the app was done 120 days ago;
  its voters were asked the relationship NPS again, and answered better than before.
* Every idea, vote and comment is on its guest's timeline (customer events of kind
  ``idea``, ``idea_vote`` and ``idea_comment``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from centric.accounts.models import User
from centric.governance.models import Initiative
from centric.ideas.models import (
    Board,
    Idea,
    IdeaComment,
    IdeaLink,
    IdeaMerge,
    IdeaNotice,
    IdeaReport,
    IdeaResurvey,
    IdeaStatusChange,
    IdeaVote,
)
from centric.insights.models import CustomerValue
from centric.journeys.models import Event
from centric.surveys.models import Answer, Invitation, Response, Survey, SurveyVersion

BOARDS = (
    ("stays", {"en": "Stays", "zh": "住宿"},
     {"en": "Rooms, check-in, breakfast and everything at the hotel.",
      "zh": "客房、入住、早餐以及酒店里的一切。"}, None),
    ("app", {"en": "App", "zh": "App"},
     {"en": "Booking, the app and the website.", "zh": "预订、App 与网站。"}, None),
    ("loyalty", {"en": "Loyalty", "zh": "会员计划"},
     {"en": "Pine Points, member benefits and offers.", "zh": "松果积分、会员礼遇与优惠。"}, 10),
)


@dataclass(frozen=True)
class Spec:
    """One demo idea: where, what, how far it got, and who likes it (``taste``: high | low | even)."""

    key: str
    board: str
    title: str
    body: str
    status: str
    votes: int
    taste: str = "even"
    language: str = "en"
    age_days: int = 200
    notes: tuple[tuple[str, int, str], ...] = ()  # (status, days ago, public note)
    answer: str = ""  # the pinned official answer
    comments: tuple[str, ...] = ()
    moderation: str = "approved"
    links: tuple[tuple[str, str], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


IDEAS: tuple[Spec, ...] = (
    Spec("express", "app", "Express check-in in the app",
         "Let me check in from the app the day before and pick up a digital key, so I can skip the front desk "
         "queue after a long flight.", "done", 164, "high", age_days=330,
         notes=(("under_review", 300, "Thanks! Our digital team is looking at this."),
                ("planned", 260, "Planned for the spring release together with the new front-desk system."),
                ("in_progress", 200, "Piloting at Harbour & Pine Shanghai and Singapore."),
                ("done", 120, "Live in every hotel: check in from the app and use your phone as your key.")),
         answer="Express check-in is live in all our hotels. Thank you to everyone who voted!",
         comments=("Yes please, the queue at 11pm was 20 minutes last week.",
                   "Would love this together with a digital key.", "Used it in Singapore — brilliant!")),
    Spec("late-checkout", "loyalty", "Guaranteed late check-out for Gold members",
         "As a Gold member I would value a guaranteed 2 pm check-out more than any points bonus.", "planned", 88,
         "high", age_days=150,
         notes=(("under_review", 120, "We are checking what this means for housekeeping schedules."),
                ("planned", 40, "Coming with next year's member benefits.")),
         answer="Gold members will get a guaranteed 2 pm check-out from January.",
         comments=("This would make me book Harbour & Pine over anyone else.", "2 pm would be perfect.")),
    Spec("free-breakfast", "stays", "Free breakfast for every guest",
         "Other hotels in the same price range include breakfast. Please include it for everyone.", "declined", 141,
         "low", age_days=260,
         notes=(("under_review", 230, "We are looking at breakfast prices across our hotels."),
                ("declined", 90, "We cannot include breakfast in every rate without raising prices, but rates "
                                 "with breakfast are now 20% cheaper than buying it at the hotel.")),
         answer="We looked into this carefully; see the note on the decision.",
         comments=("Breakfast at 28 dollars is too much.", "Agree, it is included everywhere else.",
                   "The breakfast rate is a fair compromise.")),
    Spec("quiet-rooms", "stays", "Quiet rooms away from the lifts",
         "Let guests ask for a quiet room away from lifts and ice machines when booking.", "in_progress", 57, "even",
         age_days=120, notes=(("planned", 80, "We will mark quiet rooms in the booking flow."),
                              ("in_progress", 20, "Room maps are being updated hotel by hotel.")),
         comments=("The room next to the lift in Hangzhou was very loud.",)),
    Spec("eco-towels", "stays", "Skip daily housekeeping for points",
         "Give us points when we skip daily cleaning — good for the planet and for us.", "under_review", 46, "even",
         age_days=60, notes=(("under_review", 30, "Sustainability and Loyalty are working out the details."),)),
    Spec("family-lane", "stays", "A family lane at check-in",
         "With two tired kids the wait at the desk is the worst part of arriving.", "planned", 39, "even",
         age_days=90, notes=(("planned", 45, "Part of our express check-in initiative for families."),)),
    Spec("points-transfer", "loyalty", "Transfer points to family members",
         "Let me pool Pine Points with my partner's account.", "open", 52, "high", age_days=75,
         comments=("My partner and I both collect and never have enough for a night.",)),
    Spec("airport-shuttle", "stays", "Airport shuttle every 30 minutes",
         "The hourly shuttle means waiting at the airport after a delayed flight.", "open", 33, "low",
         age_days=45),
    Spec("dark-mode", "app", "Dark mode in the app", "Please add a dark mode for night-time booking.", "open", 21,
         "low", age_days=30),
    Spec("invoice-pdf", "app", "Download invoices as PDF",
         "Business travellers need a proper invoice PDF from the app without calling the hotel.", "under_review",
         44, "high", age_days=100,
         notes=(("under_review", 50, "Finance is checking the invoice format per country."),)),
    Spec("pet-friendly", "stays", "Pet-friendly rooms", "Let us bring small dogs, in a few dedicated rooms.",
         "open", 18, "even", age_days=25),
    Spec("points-expiry", "loyalty", "Points should not expire after 12 months",
         "I travel once a year; my points expire before I can use them.", "declined", 63, "low", age_days=280,
         notes=(("declined", 150, "Points now stay valid for as long as you stay with us once in 24 months."),)),
    Spec("zh-checkin", "stays", "增加中文自助入住机",
         "在新加坡和悉尼的酒店增加支持中文的自助入住机，晚上到店时不用排队。", "open", 29, "even", language="zh",
         age_days=40, comments=("支持！晚上到达时前台只有一个人。",)),
    Spec("zh-breakfast", "stays", "早餐增加中式选择",
         "希望早餐有粥、包子和豆浆，不只是西式早餐。", "planned", 47, "even", language="zh", age_days=110,
         notes=(("planned", 35, "我们将在所有酒店的早餐中增加中式选择。"),),
         answer="感谢建议！中式早餐将于下个季度在所有酒店推出。", comments=("非常需要，尤其是粥。",)),
    Spec("zh-wechat", "app", "支持微信支付", "在 App 和前台都支持微信支付。", "in_progress", 38, "even",
         language="zh", age_days=130, notes=(("in_progress", 25, "微信支付正在新加坡和上海试点。"),)),
    Spec("zh-points", "loyalty", "积分可以兑换机场接送", "希望松果积分可以用来兑换机场接送服务。", "open", 14, "high",
         language="zh", age_days=20),
    Spec("express-dup", "app", "Check in online before arriving",
         "Online check-in the day before would save so much time.", "duplicate", 0, "high", age_days=310,
         extra={"duplicate_of": "express", "votes_before": 23}),
    Spec("charging", "stays", "More sockets and USB-C by the bed", "There is never a socket near the bed.",
         "open", 26, "even", age_days=15),
    Spec("pending-1", "stays", "Late-night room service menu", "A small menu after midnight would be great.",
         "open", 0, moderation="pending", age_days=2),
    Spec("pending-2", "app", "App 里可以选择房间楼层", "预订时可以选择高楼层或低楼层。", "open", 0, language="zh",
         moderation="pending", age_days=1),
    Spec("spam", "loyalty", "CHEAP POINTS!!! visit my site now", "Buy points cheap at my site!!! best deal!!!",
         "open", 0, moderation="hidden", age_days=5, extra={"spam_score": 0.93}),
)

SHIPPED = "express"
SHIPPED_DAYS_AGO = 120
RESURVEY_SURVEY = "relationship-nps"
CX_ITEMS = ("cx_needs", "cx_ease", "cx_enjoy")


@dataclass
class _Rows:
    votes: list[dict[str, Any]] = field(default_factory=list)
    comments: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)


def build_ideas(session: Session, end: datetime, *, seed: int = 17) -> dict[str, int]:
    """Boards, ideas, votes, comments, statuses, a merge, moderation and a re-survey; returns counts."""
    rng = np.random.default_rng(seed)
    values = [(customer, clv)
              for customer, clv in session.execute(select(CustomerValue.customer_id, CustomerValue.clv))]
    if not values:
        return {"ideas": 0, "idea_votes": 0}
    customer_ids = np.asarray([c for c, _ in values], dtype=np.int64)
    clv = np.asarray([v for _, v in values], dtype=np.float64)
    staff = session.scalar(select(User.id).where(User.role == "manager").order_by(User.id).limit(1))
    boards = _add_boards(session)
    rows, ideas = _Rows(), {}
    next_vote = (session.scalar(select(func.max(IdeaVote.id))) or 0) + 1
    for spec in IDEAS:
        idea = _add_idea(session, rng, spec, boards[spec.board], customer_ids, end, staff)
        ideas[spec.key] = idea
        voters = _voters(rng, customer_ids, clv, spec)
        closed = idea.status in ("done", "declined")  # votes came in while it was open
        window = ((idea.status_changed_at if closed else end) - idea.created_at).total_seconds() / 86_400
        for customer in voters:
            at = idea.created_at + timedelta(days=float(rng.uniform(0, max(0.5, window - 0.5))))
            rows.votes.append({"id": next_vote, "idea_id": idea.id, "origin_idea_id": idea.id,
                               "customer_id": int(customer), "superseded": False, "source": "portal",
                               "created_at": at})
            rows.events.append(_event(int(customer), "idea_vote", f"vote:{next_vote}", rows.votes[-1]["created_at"],
                                      idea))
            next_vote += 1
        _add_comments(session, rng, spec, idea, customer_ids, staff, rows)
    _write(session, rows)
    _merge_duplicate(session, ideas, staff, end)
    _recount(session)
    _add_reports(session, ideas, customer_ids, end)
    _link(session, ideas, staff)
    responses, answers = _resurvey(session, rng, ideas[SHIPPED], end, staff)
    _notices(session, ideas, end)
    return {"boards": len(boards), "ideas": len(ideas), "idea_votes": len(rows.votes),
            "idea_comments": rows.comments, "resurvey_responses": responses, "resurvey_answers": answers,
            "events": len(rows.events) + len(ideas)}


def _add_boards(session: Session) -> dict[str, Board]:
    boards = {}
    for position, (key, names, descriptions, budget) in enumerate(BOARDS):
        board = Board(key=key, names=names, descriptions=descriptions, vote_budget=budget, position=position)
        session.add(board)
        boards[key] = board
    session.flush()
    return boards


def _add_idea(session: Session, rng: np.random.Generator, spec: Spec, board: Board, customers: np.ndarray,
              end: datetime, staff: int | None) -> Idea:
    created = end - timedelta(days=spec.age_days, hours=float(rng.uniform(0, 20)))
    author = int(rng.choice(customers))
    last_change = end - timedelta(days=spec.notes[-1][1]) if spec.notes else created
    idea = Idea(board_id=board.id, customer_id=author, author_name=_display_name(rng, spec.language),
                title=spec.title, body=spec.body, language=spec.language, status=spec.status,
                moderation=spec.moderation, spam_score=float(spec.extra.get("spam_score", 0.0)),
                source="portal", created_at=created, updated_at=last_change, status_changed_at=last_change)
    session.add(idea)
    session.flush()
    previous = "open"
    for status, days_ago, note in spec.notes:
        session.add(IdeaStatusChange(idea_id=idea.id, from_status=previous, to_status=status, note=note,
                                     user_id=staff, created_at=end - timedelta(days=days_ago)))
        previous = status
    session.add(Event(customer_id=author, kind="idea", occurred_at=created, source="ideas",
                      external_id=f"idea:{idea.id}", payload={"idea_id": idea.id, "title": spec.title}))
    return idea


EN_NAMES = ("Anna M.", "Ben K.", "Chloe R.", "David L.", "Emma S.", "Farid A.", "Grace T.", "Hiro N.", "Isla P.",
            "Jonas W.", "Kate B.", "Liam O.", "Maya D.", "Noah F.", "Olivia H.")
ZH_NAMES = ("王女士", "李先生", "张同学", "陈先生", "刘女士", "杨先生", "赵女士", "黄先生")


def _display_name(rng: np.random.Generator, language: str) -> str:
    names = ZH_NAMES if language == "zh" else EN_NAMES
    return str(names[int(rng.integers(len(names)))])


def _voters(rng: np.random.Generator, customers: np.ndarray, clv: np.ndarray, spec: Spec) -> np.ndarray:
    """``spec.votes`` distinct guests, drawn by the idea's taste: high-value, low-value or anyone."""
    n = min(spec.votes, customers.shape[0])
    if n <= 0:
        return np.empty(0, dtype=np.int64)
    ranks = clv.argsort().argsort() / max(1, clv.shape[0] - 1)  # 0 = lowest value, 1 = highest
    weights = {"high": 0.05 + ranks ** 3, "low": 0.05 + (1 - ranks) ** 3}.get(spec.taste, np.ones_like(ranks))
    return rng.choice(customers, size=n, replace=False, p=weights / weights.sum())


def _add_comments(session: Session, rng: np.random.Generator, spec: Spec, idea: Idea, customers: np.ndarray,
                  staff: int | None, rows: _Rows) -> None:
    parent: int | None = None
    language_names = ZH_NAMES if spec.language == "zh" else EN_NAMES
    for number, body in enumerate(spec.comments):
        customer = int(rng.choice(customers))
        at = idea.created_at + timedelta(days=float(rng.uniform(1, max(2, spec.age_days * 0.6))))
        comment = IdeaComment(idea_id=idea.id, origin_idea_id=idea.id, parent_id=parent if number == 2 else None,
                              customer_id=customer, author_name=str(language_names[number % len(language_names)]),
                              body=body, created_at=at)
        session.add(comment)
        session.flush()
        parent = parent or comment.id
        rows.events.append(_event(customer, "idea_comment", f"comment:{comment.id}", at, idea))
    if spec.answer:
        answered = idea.status_changed_at
        session.add(IdeaComment(idea_id=idea.id, origin_idea_id=idea.id, user_id=staff, official=True,
                                author_name="Harbour & Pine" if spec.language == "en" else "港松酒店",
                                body=spec.answer, created_at=answered))
    rows.comments += len(spec.comments) + bool(spec.answer)


def _event(customer_id: int, kind: str, external_id: str, at: datetime, idea: Idea) -> dict[str, Any]:
    return {"customer_id": customer_id, "touchpoint_id": None, "kind": kind, "occurred_at": at, "value": None,
            "source": "ideas", "external_id": external_id, "payload": {"idea_id": idea.id, "title": idea.title},
            "created_at": at}


def _write(session: Session, rows: _Rows) -> None:
    for table, written in ((IdeaVote.__table__, rows.votes), (Event.__table__, rows.events)):
        for offset in range(0, len(written), 5_000):
            session.execute(table.insert(), written[offset:offset + 5_000])


def _merge_duplicate(session: Session, ideas: dict[str, Idea], staff: int | None, end: datetime) -> None:
    """The duplicate's early votes, merged into the original: moved, or kept superseded where both were voted."""
    spec = next(s for s in IDEAS if s.status == "duplicate")
    duplicate, original = ideas[spec.key], ideas[spec.extra["duplicate_of"]]
    on_original = set(session.scalars(select(IdeaVote.customer_id).where(IdeaVote.idea_id == original.id)))
    others = list(session.scalars(select(IdeaVote.customer_id).where(IdeaVote.idea_id != original.id).limit(400)))
    voters = [c for c in others if c is not None][:spec.extra["votes_before"] - 6] + sorted(
        c for c in on_original if c is not None)[:6]
    merged_at = duplicate.created_at + timedelta(days=12)
    moved: list[int] = []
    superseded: list[int] = []
    for customer in dict.fromkeys(voters):
        both = customer in on_original
        vote = IdeaVote(idea_id=duplicate.id if both else original.id, origin_idea_id=duplicate.id,
                        customer_id=customer, superseded=both, created_at=duplicate.created_at + timedelta(days=3))
        session.add(vote)
        session.flush()
        (superseded if both else moved).append(vote.id)
    session.add(IdeaStatusChange(idea_id=duplicate.id, from_status="open", to_status="duplicate", user_id=staff,
                                 note=f"Merged into “{original.title}”.", created_at=merged_at))
    session.add(IdeaMerge(duplicate_id=duplicate.id, original_id=original.id, previous_status="open",
                          moved_vote_ids=moved, superseded_vote_ids=superseded, moved_comment_ids=[],
                          merged_by=staff, merged_at=merged_at))
    duplicate.duplicate_of_id = original.id
    duplicate.status_changed_at = merged_at


def _recount(session: Session) -> None:
    votes = (select(func.count(IdeaVote.id)).where(IdeaVote.idea_id == Idea.id, IdeaVote.superseded.is_(False))
             .scalar_subquery())
    comments = (select(func.count(IdeaComment.id)).where(IdeaComment.idea_id == Idea.id,
                                                         IdeaComment.moderation == "approved").scalar_subquery())
    session.execute(update(Idea).values(vote_count=votes, comment_count=comments))


def _add_reports(session: Session, ideas: dict[str, Idea], customers: np.ndarray, end: datetime) -> None:
    session.add(IdeaReport(idea_id=ideas["spam"].id, customer_id=int(customers[0]), reason="spam",
                           text="Advertising", created_at=end - timedelta(days=4), resolved_at=end - timedelta(days=3),
                           resolution="hidden"))
    session.add(IdeaReport(idea_id=ideas["free-breakfast"].id, customer_id=int(customers[1]), reason="off_topic",
                           text="Not an idea, a complaint.", created_at=end - timedelta(days=1)))


def _link(session: Session, ideas: dict[str, Idea], staff: int | None) -> None:
    """The family-lane idea feeds the express check-in initiative; breakfast ideas sit on the breakfast theme."""
    initiative = session.scalar(select(Initiative).where(Initiative.origin == "idea").order_by(Initiative.id).limit(1))
    express = session.scalar(select(Initiative.id).where(Initiative.title.ilike("%express%")).limit(1))
    for key, kind, ref in (("family-lane", "initiative", express), ("express", "initiative", express),
                           ("zh-breakfast", "initiative", initiative.id if initiative else None),
                           ("free-breakfast", "theme", "breakfast"), ("zh-breakfast", "theme", "breakfast")):
        if ref is not None:
            session.add(IdeaLink(idea_id=ideas[key].id, kind=kind, ref=str(ref), created_by=staff))
    if initiative is not None:
        initiative.origin_ref = f"idea:{ideas['zh-breakfast'].id}"


def _resurvey(session: Session, rng: np.random.Generator, idea: Idea, end: datetime,
              staff: int | None) -> tuple[int, int]:
    """The shipped idea's voters asked the relationship NPS again after it was done; most now score higher."""
    found = session.execute(
        select(Survey.id, SurveyVersion.id).join(SurveyVersion, SurveyVersion.survey_id == Survey.id)
        .where(Survey.key == RESURVEY_SURVEY).order_by(SurveyVersion.version.desc()).limit(1)).first()
    if found is None:
        return 0, 0
    survey_id, version_id = found
    done = end - timedelta(days=SHIPPED_DAYS_AGO)
    voters = [c for c in session.scalars(select(IdeaVote.customer_id).where(
        IdeaVote.idea_id == idea.id, IdeaVote.superseded.is_(False)).order_by(IdeaVote.id)) if c is not None]
    before = _latest_nps(session, voters, done)
    first_response = (session.scalar(select(func.max(Response.id))) or 0) + 1
    first_invitation = (session.scalar(select(func.max(Invitation.id))) or 0) + 1
    invitations: list[dict[str, Any]] = []
    responses: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    for number, customer in enumerate(voters):
        sent = done + timedelta(days=14, hours=number % 24)
        invitation_id = first_invitation + number
        invitations.append({"id": invitation_id, "survey_id": survey_id, "customer_id": customer, "channel": "email",
                            "token_hash": hashlib.sha256(f"idea-resurvey:{idea.id}:{customer}".encode()).hexdigest(),
                            "created_at": sent, "sent_at": sent, "opened_at": None, "answered_at": None})
        if rng.random() > 0.62:
            continue
        answered = sent + timedelta(hours=float(rng.uniform(1, 96)))
        invitations[-1].update(opened_at=answered, answered_at=answered)
        prior = before.get(customer, float(rng.integers(5, 9)))
        score = float(np.clip(round(prior + rng.normal(1.6, 1.4)), 0, 10))
        response_id = first_response + len(responses)
        responses.append({"id": response_id, "survey_id": survey_id, "version_id": version_id,
                          "customer_id": customer, "invitation_id": invitation_id, "touchpoint_id": None,
                          "channel": "email", "locale": "en", "submitted_at": answered, "completed": True,
                          "created_at": answered})
        answers.append({"response_id": response_id, "question_key": "nps", "metric": "nps", "number": score,
                        "text": None})
        for item in CX_ITEMS:  # the relationship survey's CX items follow the score, as in the rest of the demo
            rating = float(np.clip(round(1.2 + 0.38 * score + rng.normal(0, 0.6)), 1, 5))
            answers.append({"response_id": response_id, "question_key": item, "metric": "rating", "number": rating,
                            "text": None})
    for table, written in ((Invitation.__table__, invitations), (Response.__table__, responses),
                           (Answer.__table__, answers)):
        if written:
            session.execute(table.insert(), written)
    session.add(IdeaResurvey(idea_id=idea.id, survey_id=survey_id, invited=len(invitations), skipped=0,
                             created_by=staff, created_at=done + timedelta(days=14)))
    return len(responses), len(answers)


def _latest_nps(session: Session, customers: list[int], before: datetime) -> dict[int, float]:
    latest: dict[int, float] = {}
    for offset in range(0, len(customers), 500):
        chunk = customers[offset:offset + 500]
        rows = session.execute(
            select(Response.customer_id, Answer.number).join(Answer, Answer.response_id == Response.id)
            .where(Response.customer_id.in_(chunk), Answer.metric == "nps", Answer.number.is_not(None),
                   Response.submitted_at < before).order_by(Response.submitted_at)).all()
        for customer, number in rows:
            if customer is not None and number is not None:
                latest[customer] = float(number)
    return latest


def _notices(session: Session, ideas: dict[str, Idea], end: datetime) -> None:
    """Voters were told about each status change of the shipped idea (one e-mail each)."""
    idea = ideas[SHIPPED]
    changes = list(session.scalars(select(IdeaStatusChange).where(IdeaStatusChange.idea_id == idea.id)))
    voters = [c for c in session.scalars(select(IdeaVote.customer_id).where(IdeaVote.idea_id == idea.id))
              if c is not None]
    rows = [{"change_id": change.id, "customer_id": customer, "state": "sent", "reason": "",
             "created_at": change.created_at + timedelta(minutes=5)}
            for change in changes for customer in voters]
    if rows:
        session.execute(IdeaNotice.__table__.insert(), rows)
