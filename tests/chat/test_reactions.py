"""What follows a hand-off and a close: the survey (within the rules), the feedback item, the
timeline, the webhooks; and conversations following their customers through merges and erasure."""

from __future__ import annotations

from sqlalchemy import func, select

from centric.chat import service
from centric.chat.announce import CLOSED_EVENT, HANDOFF_EVENT
from centric.chat.follow import ERASED_TEXT
from centric.chat.models import ChatMessage
from centric.chat.replies import close_by_agent, reply
from centric.chat.survey import KEY as SURVEY_KEY
from centric.chat.survey import survey_link
from centric.config import Settings
from centric.customers.models import Customer, Identity
from centric.customers.schemas import CustomerIn
from centric.customers.service import merge_customers, undo_merge, upsert_customer
from centric.customers.visitors import visitor_token
from centric.feedback.models import Feedback
from centric.insights.timeline import timeline
from centric.jobs.models import Job
from centric.outreach.models import ContactRule, ContactSkip, InvitationDelivery
from centric.outreach.service import SEND_TASK
from centric.privacy.service import erase_customer
from centric.surveys.models import Invitation, Survey
from centric.themes.enrichment import ENRICH_TASK
from centric.webhooks.models import WebhookDelivery
from centric.webhooks.schemas import SubscriptionIn
from centric.webhooks.service import create_subscription
from tests.chat.helpers import KEY, start
from tests.factories import make_user

SETTINGS = Settings(public_url="https://cx.example.com", webhook_allowed_hosts="127.0.0.1")


def _known(session, email="mei@example.com"):  # type: ignore[no-untyped-def]
    customer = upsert_customer(session, CustomerIn(email=email, name="Mei"))
    conversation, token = start(session, visitor_token=visitor_token(KEY, customer.id, 3600))
    return customer, conversation


def test_a_customer_who_ends_the_chat_gets_the_survey_in_it(db, faq):
    with db.transaction() as s:
        conversation, _ = start(s, language="zh")
        service.send_message(s, conversation, "早餐几点开始？")
        ended = service.end_by_customer(s, conversation)
        assert [m.client_key for m in ended.messages] == ["system:closed"]
        survey = s.scalar(select(Survey).where(Survey.key == SURVEY_KEY))
        assert survey.status == "active" and survey.languages == ["en", "zh"] and survey.kind == "csat"
        invitation = s.get(Invitation, conversation.survey_invitation_id)
        assert invitation.channel == "chat" and invitation.sent_at is not None
        assert conversation.survey_sent_at is not None and conversation.survey_skip_reason is None
        anonymous = s.get(Customer, conversation.customer_id)  # a profile for the anonymous visitor
        assert s.scalar(select(Identity.value).where(Identity.customer_id == anonymous.id)) == \
            f"chat:{conversation.id}"
        last = s.scalars(select(ChatMessage).where(ChatMessage.conversation_id == conversation.id)
                         .order_by(ChatMessage.id.desc())).first()
        assert last.client_key == "system:survey" and last.body == "请评价本次服务：只有两个简短的问题。"
        link = survey_link(s, SETTINGS, conversation, KEY)
        assert link.startswith("https://cx.example.com/s/post-chat?t=") and link.endswith("&lang=zh")
        assert s.scalar(select(func.count()).select_from(Job).where(Job.name == SEND_TASK)) == 0  # no e-mail


def test_an_agent_closing_the_chat_of_a_known_customer_sends_the_survey_by_email(db, faq):
    with db.transaction() as s:
        agent = make_user(s, "agent")
        customer, conversation = _known(s)
        service.send_message(s, conversation, "agent")
        reply(s, conversation.id, agent, "Hello Mei, how can I help?")
        close_by_agent(s, conversation.id, agent)
        invitation = s.get(Invitation, conversation.survey_invitation_id)
        assert invitation.channel == "email" and invitation.customer_id == customer.id
        assert s.get(InvitationDelivery, invitation.id).address == "mei@example.com"
        assert s.scalar(select(func.count()).select_from(Job).where(Job.name == SEND_TASK)) == 1
        assert survey_link(s, SETTINGS, conversation, KEY) is None  # nothing to click in the chat
        assert conversation.resolution == "handed_off"


def test_a_frequency_rule_blocks_the_survey_and_the_reason_is_kept(db, faq):
    with db.transaction() as s:
        s.add(ContactRule(name="One survey a month", conditions=[], max_contacts=1, window_days=30))
        customer, first = _known(s)
        service.send_message(s, first, "wifi password")
        service.end_by_customer(s, first)
        assert first.survey_invitation_id is not None
        second, _ = start(s, visitor_token=visitor_token(KEY, customer.id, 3600))
        service.send_message(s, second, "What time is check-out?")
        service.end_by_customer(s, second)
        assert second.survey_invitation_id is None and second.survey_skip_reason.startswith("contact rule #")
        skip = s.scalar(select(ContactSkip).where(ContactSkip.customer_id == customer.id))
        assert skip.source == "chat" and "One survey a month" in skip.reason
        silent, _ = start(s)
        service.end_by_customer(s, silent)
        assert silent.survey_skip_reason == "nothing was asked" and silent.customer_id is None


def test_closing_makes_a_feedback_item_and_a_timeline_entry(db, faq):
    with db.transaction() as s:
        customer, conversation = _known(s)
        answered = service.send_message(s, conversation, "What time is check-out?")
        service.mark_helpful(s, conversation, answered.messages[1].id, False)
        service.send_message(s, conversation, "The room was too noisy to stay longer")
        service.end_by_customer(s, conversation)
        item = s.get(Feedback, conversation.feedback_id)
        assert (item.channel, item.source, item.customer_id) == ("chat", "chat", customer.id)
        assert item.text == "What time is check-out?\nThe room was too noisy to stay longer"  # no clicks
        enrich = s.scalars(select(Job).where(Job.name == ENRICH_TASK)).all()
        assert any(item.id in job.payload["ids"] for job in enrich)
        items, _ = timeline(s, customer.id, channel="chat")
        chat_items = [i for i in items if i.kind == "chat"]
        assert len(chat_items) == 1 and chat_items[0].title == "Chat"
        assert chat_items[0].text == "What time is check-out?"
        assert any(i.ref == f"feedback:{item.id}" for i in items)
        assert conversation.resolution == "abandoned"  # the only answer did not help and the customer left


def test_handoffs_and_closes_are_announced_to_webhooks(db, faq):
    with db.transaction() as s:
        create_subscription(s, SubscriptionIn(url="http://127.0.0.1:9/hooks", events=["chat.*"]), SETTINGS)
        conversation, _ = start(s)
        service.send_message(s, conversation, "Do you rent bicycles for the mountains?")
        service.send_message(s, conversation, "yes")
        service.end_by_customer(s, conversation)
        deliveries = s.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
        assert [d.event for d in deliveries] == [HANDOFF_EVENT, CLOSED_EVENT]
        handoff, closed = (d.payload for d in deliveries)
        assert handoff["id"] == conversation.id and handoff["case_id"] == conversation.case_id
        assert handoff["handoff_reason"] == "abstained"
        assert handoff["transcript"][0]["body"] == "Do you rent bicycles for the mountains?"
        assert handoff["transcript"][1]["abstained"] is True
        assert closed["resolution"] == "handed_off" and closed["closed_by"] == "customer"
        assert "transcript" not in closed


def test_conversations_follow_merges_and_are_blanked_by_erasure(db, faq):
    with db.transaction() as s:
        survivor = upsert_customer(s, CustomerIn(email="a@example.com"))
        merged, conversation = _known(s, "b@example.com")
        service.send_message(s, conversation, "My card number is 4111 1111 1111 1111")
        merge = merge_customers(s, survivor, merged, reason="same person")
        s.refresh(conversation)
        assert conversation.customer_id == survivor.id
        undo_merge(s, merge.id)
        s.refresh(conversation)
        assert conversation.customer_id == merged.id
        service.leave_email(s, conversation, "b@example.com")
    with db.transaction() as s:
        erase_customer(s, merged.id, merged.id)
        bodies = set(s.scalars(select(ChatMessage.body).where(ChatMessage.conversation_id == conversation.id)))
        assert bodies == {ERASED_TEXT}
