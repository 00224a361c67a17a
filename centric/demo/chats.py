"""The demo company's chats: guests asking the FAQ bot in English and Chinese, with every outcome.

Written after the knowledge base (``centric.demo.kb``) and the closed loop (staff), through
the chat services themselves, so every conversation has what a real one has: the bot's
candidates and confidences, the hand-off's case, the agent's replies as the case's
contacts, the closing reactions (feedback item, timeline event, post-chat survey within
the contact rules). Spread over the last ``days`` days, they give:

* **confirmed** — the bot answered and the guest said yes;
* **assumed** — the bot answered, the guest went quiet (auto-closed) or ended the chat;
* **handed off** — on request ("人工", "agent"), on an abstention the guest accepted, or
  after two "no"s; most are then answered by an agent and closed (by the agent or the
  guest), some of the last two days still wait for a person;
* **abandoned** — the bot did not know and the guest left;
* **surveyed** — part of the post-chat surveys are answered (CSAT, CES, a comment),
  better after confirmed answers and helpful agents than after abandoned chats;
* **re-contact** — some guests come back within a week (a second chat on another question).

The bot answers from whatever the knowledge base holds: a script meant to be answered may
meet an abstention and then follows the abstention's path. The summary counts what did
happen. History needs fixing after the services ran "now": the cases' and invitations'
times are moved to the conversation's, older hand-offs' cases are resolved, e-mailed
surveys are marked sent (nothing is mailed from a demo).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from centric.accounts.models import User
from centric.chat import closing, replies, service
from centric.chat.models import Conversation
from centric.chat.schemas import Channel, Language, StartIn
from centric.jobs.models import Job
from centric.loop.models import Case, CaseActivity, RootCause
from centric.outreach.models import InvitationDelivery
from centric.outreach.service import SEND_TASK
from centric.surveys.models import Answer, Invitation, Response, Survey, SurveyVersion

DEMO_KEY = b"centric-demo-chats-start-keys-00"

#: Questions the hotel's FAQ answers, as guests type them.
ANSWERABLE = {
    "en": ("What time is breakfast?", "when is check out", "Is there parking at the hotel?", "wifi password?",
           "Can I bring my dog?", "How do I cancel my booking?", "can i get a late check-out",
           "Do you have an airport shuttle?", "What time does the pool open?", "how do I use my loyalty points",
           "What time can I check in?", "Is the gym open 24 hours?"),
    "zh": ("早餐几点开始？", "几点退房", "酒店有停车场吗？", "无线网络密码是多少", "可以带宠物吗？",
           "怎么取消预订", "可以延迟退房吗", "有机场接送吗？", "游泳池几点开门？", "积分怎么用", "几点可以入住？",
           "健身房24小时开放吗"),
}
#: Questions it cannot answer.
UNANSWERABLE = {
    "en": ("Can you recommend a dentist nearby?", "My invoice from March shows a strange charge",
           "Is the museum next door open on Mondays?", "I lost my sunglasses in room 412"),
    "zh": ("附近有好的牙医吗？", "我三月份的账单有一笔奇怪的费用", "隔壁的博物馆周一开门吗？",
           "我把太阳镜落在412房间了"),
}
AGENT_REPLIES = {
    "en": ("Hello, this is {name} from guest support. Let me check that for you.",
           "Thanks for waiting: I have sorted it out and noted it on your booking.",
           "You're welcome! Have a lovely stay."),
    "zh": ("您好，我是客服{name}，我来帮您查一下。", "让您久等了，已经为您处理好并备注在预订中。",
           "不客气，祝您入住愉快！"),
}
CUSTOMER_THANKS = {"en": "Great, thank you!", "zh": "好的，谢谢！"}
#: (script, weight): what the guest does.
SCRIPTS = (("confirm", 0.24), ("quiet", 0.14), ("end_unrated", 0.08), ("two_nos", 0.12), ("request", 0.12),
           ("abstain_accept", 0.1), ("abstain_leave", 0.1), ("abstain_decline_then_answer", 0.05),
           ("ask_only", 0.05))
RECENT_DAYS = 2  # hand-offs younger than this may still wait for a person


@dataclass
class _Clock:
    at: datetime
    rng: np.random.Generator

    def tick(self, low: float = 15, high: float = 90) -> datetime:
        self.at += timedelta(seconds=float(self.rng.uniform(low, high)))
        return self.at


def build_chats(session: Session, rng: np.random.Generator, customer_ids: Sequence[int], *, end: datetime,
                days: int = 90, count: int = 160, known_share: float = 0.6) -> dict[str, int]:
    """Run ``count`` scripted conversations over the ``days`` before ``end``; what happened, counted."""
    agents = list(session.scalars(select(User.id).where(User.role.in_(("agent", "manager"))).order_by(User.id)))
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(agents))).all()) if agents else {}
    starts = sorted(end - timedelta(days=float(rng.uniform(0.05, days))) for _ in range(count))
    kinds, weights = zip(*SCRIPTS, strict=True)
    outcomes: Counter[str] = Counter()
    recontacts = 0
    for at in starts:
        lang = "zh" if rng.random() < 0.45 else "en"
        customer_id = int(rng.choice(customer_ids)) if customer_ids and rng.random() < known_share else None
        script = str(rng.choice(kinds, p=np.array(weights) / sum(weights)))
        conversation = _converse(session, rng, script, lang, customer_id, at, end, agents, names)
        outcomes[conversation.resolution or conversation.status] += 1
        if customer_id is not None and rng.random() < 0.12:  # the guest comes back within a week
            again = at + timedelta(days=float(rng.uniform(0.5, 6.5)))
            if again < end - timedelta(hours=1):
                _converse(session, rng, "confirm" if rng.random() < 0.5 else "request", lang, customer_id, again, end,
                          agents, names)
                recontacts += 1
    answered = _survey_answers(session, rng, end)
    _settle(session, end)
    return {"conversations": count + recontacts, "recontacts": recontacts, "survey_responses": answered,
            **{f"resolution_{k}": v for k, v in outcomes.items()}}


def _converse(session: Session, rng: np.random.Generator, script: str, lang: str, customer_id: int | None,
              at: datetime, end: datetime, agents: list[int], names: dict[int, str]) -> Conversation:
    clock = _Clock(at, rng)
    key = f"demo-chat-{at.isoformat()}-{int(rng.integers(1 << 30))}"
    channel: Channel = "widget" if rng.random() < 0.85 else "web"
    language: Language = "zh" if lang == "zh" else "en"
    conversation, _ = service.start_conversation(
        session, DEMO_KEY, StartIn(channel=channel, language=language, start_key=key,
                                   page_url="https://www.harbourpine.example/help"),
        customer_id=customer_id, now=clock.at)
    answerable = str(rng.choice(ANSWERABLE[lang]))
    unanswerable = str(rng.choice(UNANSWERABLE[lang]))

    def say(text: str) -> service.Turn:
        return service.send_message(session, conversation, text, now=clock.tick())

    first = say(unanswerable if script.startswith("abstain") else answerable)
    answered = first.messages[-1].article_id is not None
    if script == "confirm" and answered:
        say("谢谢，有用" if lang == "zh" else "yes, thanks")
        service.end_by_customer(session, conversation, now=clock.tick(20, 200))
    elif script in ("quiet", "ask_only") or (script == "confirm" and not answered):
        closing.close(session, conversation, "auto", now=conversation.last_message_at + timedelta(minutes=31))
    elif script == "end_unrated":
        service.end_by_customer(session, conversation, now=clock.tick(30, 300))
    elif script == "two_nos":
        say("不" if lang == "zh" else "no")
        say("没用" if lang == "zh" else "no, not really")
    elif script == "request":
        say("转人工" if lang == "zh" else "I want to talk to a person")
    elif script == "abstain_accept" or (script.startswith("abstain") and answered):
        say("好的" if lang == "zh" else "yes please")
    elif script == "abstain_leave":
        closing.close(session, conversation, "auto", now=conversation.last_message_at + timedelta(minutes=31))
    elif script == "abstain_decline_then_answer":
        say("不用了" if lang == "zh" else "no thanks")
        say(answerable)
        say("是的" if lang == "zh" else "yes")
        service.end_by_customer(session, conversation, now=clock.tick(20, 200))
    if conversation.status == "bot":  # a script cut short by the bot's answer: the guest drifts away
        closing.close(session, conversation, "auto", now=conversation.last_message_at + timedelta(minutes=31))
    if conversation.status == "waiting":
        _person(session, rng, conversation, lang, clock, end, agents, names)
    return conversation


def _person(session: Session, rng: np.random.Generator, conversation: Conversation, lang: str, clock: _Clock,
            end: datetime, agents: list[int], names: dict[int, str]) -> None:
    """An agent takes the hand-off: replies, hears back, and one of them closes the chat."""
    if conversation.handed_off_at and conversation.handed_off_at > end - timedelta(days=RECENT_DAYS) \
            and rng.random() < 0.5:
        return  # still waiting: the inbox has live chats
    case = session.get(Case, conversation.case_id) if conversation.case_id else None
    agent_id = case.owner_id if case and case.owner_id else (int(rng.choice(agents)) if agents else None)
    agent = session.get(User, agent_id) if agent_id else None
    name = (names.get(agent_id or 0) or "Sam").split(" ")[0]
    texts = AGENT_REPLIES[lang]
    replies.reply(session, conversation.id, agent, texts[0].format(name=name), now=clock.tick(120, 1800))
    replies.reply(session, conversation.id, agent, texts[1], now=clock.tick(120, 900))
    if rng.random() < 0.15:  # the guest never came back
        closing.close(session, conversation, "auto", now=conversation.last_message_at + timedelta(hours=49))
        return
    service.send_message(session, conversation, CUSTOMER_THANKS[lang], now=clock.tick(30, 600))
    if rng.random() < 0.5:
        replies.reply(session, conversation.id, agent, texts[2], now=clock.tick(30, 300))
        replies.close_by_agent(session, conversation.id, agent, now=clock.tick(10, 60))
    else:
        service.end_by_customer(session, conversation, now=clock.tick(10, 120))


def _survey_answers(session: Session, rng: np.random.Generator, end: datetime) -> int:
    """Part of the surveyed guests answer: CSAT and CES as their chat went (the chats' own words are their feedback)."""
    survey = session.scalar(select(Survey).where(Survey.key == "post-chat"))
    if survey is None:
        return 0
    version_id = session.scalar(select(SurveyVersion.id).where(SurveyVersion.survey_id == survey.id)
                                .order_by(SurveyVersion.version.desc()).limit(1))
    made = 0
    for conversation in session.scalars(select(Conversation).where(Conversation.survey_invitation_id.is_not(None))
                                        .order_by(Conversation.id)):
        if rng.random() > 0.45 or conversation.closed_at is None:
            continue
        invitation = session.get(Invitation, conversation.survey_invitation_id)
        if invitation is None or invitation.answered_at is not None:
            continue
        good = conversation.resolution == "confirmed" or (conversation.resolution == "handed_off"
                                                          and conversation.handoff_reason == "requested")
        csat = int(np.clip(rng.normal(4.4 if good else 3.1, 0.8), 1, 5).round())
        ces = int(np.clip(rng.normal(6.0 if good else 4.2, 1.0), 1, 7).round())
        at = min(conversation.closed_at + timedelta(minutes=float(rng.uniform(1, 240))), end)
        response = Response(survey_id=survey.id, version_id=version_id, customer_id=invitation.customer_id,
                            invitation_id=invitation.id, channel=invitation.channel, locale=conversation.language,
                            submitted_at=at, completed=True)
        session.add(response)
        session.flush()
        session.add_all([Answer(response_id=response.id, question_key="csat", metric="csat", number=csat),
                         Answer(response_id=response.id, question_key="ces", metric="ces", number=ces)])
        invitation.answered_at = at
        made += 1
    session.flush()
    return made


def _settle(session: Session, end: datetime) -> None:
    """Move what the services stamped "now" to the conversation's own time; resolve older hand-offs' cases."""
    root_cause = session.scalar(select(RootCause.id).where(RootCause.code.like("%/%")).order_by(RootCause.id))
    invitation_ids: list[int] = []
    for conversation in session.scalars(select(Conversation).order_by(Conversation.id)):
        if conversation.case_id is not None and conversation.handed_off_at is not None:
            case = session.get(Case, conversation.case_id)
            assert case is not None
            case.created_at = case.updated_at = conversation.handed_off_at
            for activity in session.scalars(select(CaseActivity).where(CaseActivity.case_id == case.id,
                                                                       CaseActivity.kind.in_(("created", "status")))):
                activity.at = conversation.handed_off_at if activity.kind == "created" else (
                    case.first_contact_at or conversation.handed_off_at)
            if conversation.closed_at is not None and conversation.closed_at < end - timedelta(days=RECENT_DAYS):
                case.status, case.root_cause_id = "closed", root_cause
                case.resolved_at = case.closed_at = conversation.closed_at
                case.sla_state = "ok"
        if conversation.survey_invitation_id is not None:
            invitation = session.get(Invitation, conversation.survey_invitation_id)
            assert invitation is not None and conversation.survey_sent_at is not None
            invitation.created_at = invitation.sent_at = conversation.survey_sent_at
            delivery = session.get(InvitationDelivery, invitation.id)
            if delivery is not None:
                delivery.send_at, delivery.status = conversation.survey_sent_at, "sent"
            invitation_ids.append(invitation.id)
    mailed = set(invitation_ids)
    queued = [job.id for job in session.scalars(select(Job).where(Job.name == SEND_TASK))
              if int((job.payload or {}).get("invitation_id", 0)) in mailed]
    if queued:
        session.execute(delete(Job).where(Job.id.in_(queued)))
    session.flush()
