"""A conversation from start to end through the services: answers, yes and no, hand-offs, closing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from centric import events
from centric.chat import bot, service
from centric.chat.closing import SWEEP_TASK, close_idle
from centric.chat.models import ChatMessage, Conversation
from centric.chat.replies import close_by_agent, reply
from centric.chat.schemas import StartIn
from centric.chat.transcript import messages_after
from centric.config import Settings
from centric.customers.schemas import CustomerIn
from centric.customers.service import upsert_customer
from centric.db import utcnow
from centric.errors import Conflict, Forbidden
from centric.jobs.models import Job
from centric.loop.models import Case, CaseActivity
from tests.chat.helpers import KEY, start
from tests.factories import make_user


def _bodies(turn: service.Turn) -> list[tuple[str, str]]:
    return [(m.author, m.body) for m in turn.messages]


def test_an_answer_the_customer_confirms_is_a_confirmed_resolution(db, faq):
    with db.transaction() as s:
        conversation, _ = start(s)
        asked = service.send_message(s, conversation, "What time is check-out?", "k1")
        customer_message, answer = asked.messages
        assert customer_message.author == "customer" and answer.author == "bot"
        assert answer.article_id == faq["check-out-en"] and not answer.abstained and answer.confidence > 0
        assert answer.body.startswith("Check-out is at 12:00 noon.") and "](" not in answer.body  # Markdown stripped
        assert answer.candidates[0]["slug"] == "check-out-en"
        assert bot.pending(s, conversation).id == answer.id
        said = service.send_message(s, conversation, "yes, thanks!")
        assert _bodies(said)[1] == ("bot", "Glad I could help! Is there anything else?")
        assert answer.helpful is True and bot.pending(s, conversation) is None
        with events.recorded() as seen:
            service.end_by_customer(s, conversation)
        assert conversation.status == "closed" and conversation.closed_by == "customer"
        assert conversation.resolution == "confirmed"
        assert [type(e).__name__ for e in seen if type(e).__name__ == "ConversationsClosed"] == ["ConversationsClosed"]


def test_two_nos_hand_the_chat_to_a_person_with_transcript_candidates_and_language(db, faq):
    with db.transaction() as s:
        conversation, _ = start(s, language="en")
        first = service.send_message(s, conversation, "早餐几点开始？")
        answer = first.messages[1]
        assert answer.article_id == faq["breakfast-hours-zh"] and conversation.language == "zh"
        assert answer.body == "早餐每天 6:30 至 10:30 在海港餐厅供应。"
        sorry = service.send_message(s, conversation, "不")
        assert answer.helpful is False and sorry.messages[1].body.startswith("抱歉")
        assert conversation.status == "bot"
        with events.recorded() as seen:
            handed = service.send_message(s, conversation, "没用")
        assert [m.author for m in handed.messages] == ["customer", "system"]
        assert "工作人员会在这里回复您" in handed.messages[1].body
        assert conversation.status == "waiting" and conversation.handoff_reason == "unhelpful"
        case = s.get(Case, conversation.case_id)
        assert case.source == "chat" and case.status == "new" and case.title == "Chat: 早餐几点开始？"
        assert "Language: zh" in case.verbatim and "早餐几点开始？" in case.verbatim
        assert f"candidate #{faq['breakfast-hours-zh']} 早餐几点供应？" in case.verbatim
        created = s.scalar(select(CaseActivity).where(CaseActivity.case_id == case.id, CaseActivity.kind == "created"))
        assert created.detail["conversation_id"] == conversation.id and created.detail["language"] == "zh"
        assert created.detail["candidates"][0]["candidates"][0]["article_id"] == faq["breakfast-hours-zh"]
        assert [type(e).__name__ for e in seen].count("ConversationsHandedOff") == 1
        assert [type(e).__name__ for e in seen].count("CasesOpened") == 1
        # the bot is out of it now: a further message just waits for the person
        later = service.send_message(s, conversation, "还在吗？")
        assert [m.author for m in later.messages] == ["customer"]


def test_asking_for_a_person_hands_off_at_once_in_either_language(db, faq):
    with db.transaction() as s:
        for text in ("转人工", "I want to talk to a human", "agent"):
            conversation, _ = start(s)
            turn = service.send_message(s, conversation, text)
            assert conversation.status == "waiting" and conversation.handoff_reason == "requested", text
            assert turn.messages[-1].client_key == "system:handoff"
        conversation, _ = start(s)
        service.send_message(s, conversation, "Is there parking at the hotel?")
        turn = service.request_handoff(s, conversation)
        again = service.request_handoff(s, conversation)  # a retried click: the same messages, no second case
        assert [m.id for m in again.messages] == [m.id for m in turn.messages]
        assert conversation.handoff_reason == "requested"
        assert s.scalar(select(func.count()).select_from(Case)) == 4
    # a question that merely mentions a word is still a question
    assert bot.intent("Does the agent at the front desk speak Chinese?") is None
    assert bot.intent("人工湖在哪里") is None


def test_an_abstention_offers_a_person_and_hands_off_only_when_accepted(db, faq):
    with db.transaction() as s:
        conversation, _ = start(s)
        turn = service.send_message(s, conversation, "Do you rent bicycles for the mountains?")
        abstained = turn.messages[1]
        assert abstained.abstained and abstained.article_id is None and abstained.confidence is not None
        assert "I don't know" in abstained.body and conversation.status == "bot"
        declined = service.send_message(s, conversation, "no")
        assert declined.messages[1].body == "All right. You can ask me something else."
        assert conversation.status == "bot"
        service.send_message(s, conversation, "Do you rent bicycles for the mountains?")
        service.send_message(s, conversation, "yes please")
        assert conversation.status == "waiting" and conversation.handoff_reason == "abstained"


def test_starting_and_sending_again_with_the_same_keys_changes_nothing(db, faq):
    with db.transaction() as s:
        first, token = start(s, start_key="retry-me-0123456789")
        again, same_token = start(s, start_key="retry-me-0123456789")
        assert again.id == first.id and same_token == token
        assert service.authorise(s, first.id, token) is first
        sent = service.send_message(s, first, "wifi password", "msg-1")
        resent = service.send_message(s, first, "wifi password", "msg-1")
        assert [m.id for m in resent.messages] == [m.id for m in sent.messages]
        assert s.scalar(select(func.count()).select_from(ChatMessage)) == 2
        with pytest.raises(Conflict):
            service.mark_helpful(s, first, sent.messages[0].id, True)  # not an answer
        assert len(service.mark_helpful(s, first, sent.messages[1].id, True).messages) == 2
        assert len(service.mark_helpful(s, first, sent.messages[1].id, True).messages) == 2  # a retried click
        assert s.scalar(select(func.count()).select_from(ChatMessage)) == 4
        other, _ = start(s)
        assert other.token_hash != first.token_hash
        with pytest.raises(Forbidden):
            start(s, visitor_token="not-a-token")


def test_an_agent_reply_is_the_cases_first_contact_and_reaches_the_customer(db, faq):
    with db.transaction() as s:
        agent = make_user(s, "agent")
        ended, _ = start(s)
        service.send_message(s, ended, "human")
        service.end_by_customer(s, ended)
        with pytest.raises(Conflict):
            reply(s, ended.id, agent, "too late")
        conversation, _ = start(s)
        service.send_message(s, conversation, "human")
        seen_before = max(m.id for m in messages_after(s, conversation.id))
        with events.recorded() as seen:
            message = reply(s, conversation.id, agent, "Hello, this is Ana. How can I help?", "r1")
        assert reply(s, conversation.id, agent, "Hello, this is Ana. How can I help?", "r1").id == message.id
        case = s.get(Case, conversation.case_id)
        assert case.first_contact_at is not None and case.status == "open"
        assert [type(e).__name__ for e in seen].count("CaseContacted") == 1
        assert conversation.status == "agent"
        new = messages_after(s, conversation.id, seen_before)
        assert [(m.author, m.body) for m in new] == [("agent", "Hello, this is Ana. How can I help?")]
        bot_only, _ = start(s)
        with pytest.raises(Conflict):
            reply(s, bot_only.id, agent, "the bot is still on it")


def test_silent_chats_close_themselves_and_are_never_surveyed(db, faq):
    settings = Settings(chat_idle_bot_minutes=30, chat_idle_customer_minutes=60)
    long_ago = utcnow() - timedelta(hours=2)
    with db.transaction() as s:
        answered, _ = start(s, now=long_ago)
        service.send_message(s, answered, "What time is check-out?", now=long_ago)
        unanswered, _ = start(s, now=long_ago)
        service.send_message(s, unanswered, "Do you rent bicycles for the mountains?", now=long_ago)
        waiting, _ = start(s, now=long_ago)
        service.send_message(s, waiting, "agent", now=long_ago)
        fresh, _ = start(s)
        service.send_message(s, fresh, "wifi password")
        assert s.scalar(select(func.count()).select_from(Job).where(Job.name == SWEEP_TASK)) == 1
        closed = close_idle(s, settings)
        assert sorted(closed) == sorted([answered.id, unanswered.id])
        for conversation, resolution in ((answered, "assumed"), (unanswered, "abandoned")):
            assert conversation.status == "closed" and conversation.closed_by == "auto"
            assert conversation.resolution == resolution
            assert conversation.survey_skip_reason == "auto-closed" and conversation.survey_invitation_id is None
        assert waiting.status == "waiting" and fresh.status == "bot"  # a hand-off waits for its person


def test_a_chat_an_agent_answered_closes_when_the_customer_stays_away(db, faq):
    settings = Settings(chat_idle_customer_minutes=60)
    with db.transaction() as s:
        agent = make_user(s, "agent")
        conversation, _ = start(s, now=utcnow() - timedelta(hours=3))
        service.send_message(s, conversation, "agent", now=utcnow() - timedelta(hours=3))
        reply(s, conversation.id, agent, "We can offer a late check-out at 14:00.", now=utcnow() - timedelta(hours=2))
        service.send_message(s, conversation, "Thanks, and the price?", now=utcnow() - timedelta(hours=2))
        assert close_idle(s, settings) == []  # the customer wrote last: the agent owes the reply
        reply(s, conversation.id, agent, "It is free for members.", now=utcnow() - timedelta(minutes=90))
        assert close_idle(s, settings) == [conversation.id]
        assert conversation.resolution == "handed_off" and conversation.closed_by == "auto"


def test_a_staff_caller_starts_for_a_known_customer(db, faq):
    from centric.chat.schemas import StaffStartIn

    with db.transaction() as s:
        conversation, token = service.start_for_customer(
            s, KEY, StaffStartIn(channel="messenger", customer=CustomerIn(email="mei@example.com", name="Mei")))
        assert conversation.customer_id == upsert_customer(s, CustomerIn(email="mei@example.com")).id
        assert conversation.channel == "messenger" and service.authorise(s, conversation.id, token) is conversation


def test_a_visitor_token_names_the_customer(db, faq):
    from centric.customers.visitors import visitor_token

    with db.transaction() as s:
        customer = upsert_customer(s, CustomerIn(email="ana@example.com"))
        conversation, _ = service.start_conversation(
            s, KEY, StartIn(visitor_token=visitor_token(KEY, customer.id, 3600)))
        assert conversation.customer_id == customer.id
        service.leave_email(s, conversation, "someone.else@example.com")
        assert conversation.contact_email == "someone.else@example.com"
        assert conversation.customer_id == customer.id  # an address typed in the chat names nobody
        anonymous, _ = start(s)
        service.leave_email(s, anonymous, "guest@example.com")
        assert anonymous.customer_id is None and s.scalar(select(func.count()).select_from(Conversation)) == 2


def test_closing_twice_is_harmless(db, faq):
    with db.transaction() as s:
        agent = make_user(s, "agent")
        conversation, _ = start(s)
        service.send_message(s, conversation, "wifi password")
        close_by_agent(s, conversation.id, agent)
        close_by_agent(s, conversation.id, agent)
        assert service.end_by_customer(s, conversation).messages == []
        assert conversation.closed_by == "agent"
        with pytest.raises(Conflict):
            service.send_message(s, conversation, "hello again?")
