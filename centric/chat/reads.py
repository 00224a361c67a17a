"""What staff read: the list of conversations, one transcript with what the bot weighed, the survey.

Agents see the conversations whose case they may see (their own, their team's, unassigned
ones) and every conversation that was not handed off; managers see all — the closed loop's
rule for cases. A list runs a fixed number of queries whatever its length.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from centric.accounts.models import User
from centric.chat.models import ChatMessage, Conversation
from centric.chat.schemas import (
    Author,
    CandidateOut,
    ChatDetailOut,
    ChatOut,
    Resolution,
    StaffMessageOut,
    Status,
    SurveyAnswersOut,
)
from centric.chat.transcript import agent_names
from centric.customers.models import Customer
from centric.db import in_chunks, page_of, where_given
from centric.errors import NotFound
from centric.loop.cases import visible_to
from centric.loop.models import Case
from centric.surveys.models import Answer, Response

QUESTION_CHARS = 200


def _visible(query: Select, user: User | None) -> Select:
    """Only conversations without a case, or whose case ``user`` may see."""
    return query.outerjoin(Case, Case.id == Conversation.case_id).where(
        Conversation.case_id.is_(None) | visible_to(user))


def list_chats(session: Session, user: User | None, *, status: str | None = None, resolution: str | None = None,
               language: str | None = None, channel: str | None = None, customer_id: int | None = None,
               limit: int | None = 50, offset: int = 0) -> tuple[list[ChatOut], int]:
    """Conversations, newest first (a slice of them), and how many match."""
    query = where_given(_visible(select(Conversation), user), (Conversation.status, status),
                        (Conversation.resolution, resolution), (Conversation.language, language),
                        (Conversation.channel, channel), (Conversation.customer_id, customer_id))
    found, total = page_of(session, query.order_by(Conversation.started_at.desc(), Conversation.id.desc()),
                           limit, offset)
    return chat_outs(session, found), total


def get_chat(session: Session, conversation_id: int, user: User | None) -> Conversation:
    """The conversation if ``user`` may see it (see the module's notes); otherwise NotFound."""
    found = session.scalar(_visible(select(Conversation), user).where(Conversation.id == conversation_id))
    if found is None:
        raise NotFound(f"no conversation {conversation_id}")
    return found


def conversation_of_case(session: Session, case_id: int) -> Conversation | None:
    """The conversation a case was opened from (a chat hand-off), if any."""
    return session.scalar(select(Conversation).where(Conversation.case_id == case_id)
                          .order_by(Conversation.id.desc()).limit(1))


def chat_outs(session: Session, conversations: Sequence[Conversation]) -> list[ChatOut]:
    """List rows: with the customer's name, the message count and the first question (three queries)."""
    ids = [c.id for c in conversations]
    counts: dict[int, int] = {}
    questions: dict[int, str] = {}
    names: dict[int, str] = {}
    for chunk in in_chunks(ids):
        counts.update({cid: n for cid, n in session.execute(
            select(ChatMessage.conversation_id, func.count()).where(ChatMessage.conversation_id.in_(chunk))
            .group_by(ChatMessage.conversation_id))})
        first = (select(func.min(ChatMessage.id)).where(ChatMessage.conversation_id.in_(chunk),
                                                         ChatMessage.author == "customer")
                 .group_by(ChatMessage.conversation_id))
        questions.update({cid: body for cid, body in session.execute(
            select(ChatMessage.conversation_id, ChatMessage.body).where(ChatMessage.id.in_(first)))})
    customer_ids = sorted({c.customer_id for c in conversations if c.customer_id is not None})
    for chunk in in_chunks(customer_ids):
        names.update({cid: name for cid, name in session.execute(
            select(Customer.id, Customer.name).where(Customer.id.in_(chunk)))})
    return [_out(c, counts.get(c.id, 0), questions.get(c.id, ""), names.get(c.customer_id or 0))
            for c in conversations]


def _out(c: Conversation, messages: int, question: str, customer_name: str | None) -> ChatOut:
    return ChatOut(
        id=c.id, channel=c.channel, language=c.language, status=cast(Status, c.status),
        resolution=cast(Resolution | None, c.resolution), handoff_reason=c.handoff_reason, closed_by=c.closed_by,
        customer_id=c.customer_id, customer_name=customer_name or None, contact_email=c.contact_email,
        case_id=c.case_id, page_url=c.page_url, question=question[:QUESTION_CHARS], messages=messages,
        started_at=c.started_at, last_message_at=c.last_message_at, handed_off_at=c.handed_off_at,
        closed_at=c.closed_at, survey_invitation_id=c.survey_invitation_id, survey_sent_at=c.survey_sent_at,
        survey_skip_reason=c.survey_skip_reason, feedback_id=c.feedback_id)


def staff_message_outs(session: Session, messages: Sequence[ChatMessage]) -> list[StaffMessageOut]:
    names = agent_names(session, messages)
    return [StaffMessageOut(
        id=m.id, author=cast(Author, m.author), author_name=names.get(m.user_id or 0, ""), user_id=m.user_id,
        body=m.body, language=m.language, created_at=m.created_at, article_id=m.article_id,
        confidence=m.confidence, abstained=m.abstained, helpful=m.helpful,
        candidates=[CandidateOut(article_id=int(c.get("article_id", 0)), slug=str(c.get("slug", "")),
                                 title=str(c.get("title", "")), score=float(c.get("score", 0.0)))
                    for c in m.candidates or []]) for m in messages]


def chat_detail(session: Session, conversation: Conversation) -> ChatDetailOut:
    """The conversation, its whole transcript with candidates and confidences, and its survey's answers."""
    messages = list(session.scalars(select(ChatMessage).where(ChatMessage.conversation_id == conversation.id)
                                    .order_by(ChatMessage.id)))
    summary = chat_outs(session, [conversation])[0]
    return ChatDetailOut(**summary.model_dump(), transcript=staff_message_outs(session, messages),
                         survey=survey_answers(session, conversation.survey_invitation_id))


def survey_answers(session: Session, invitation_id: int | None) -> SurveyAnswersOut | None:
    """CSAT, CES and comment of the post-chat survey's response, when there is one."""
    if invitation_id is None:
        return None
    response = session.scalar(select(Response).where(Response.invitation_id == invitation_id)
                              .order_by(Response.id.desc()).limit(1))
    if response is None:
        return None
    out = SurveyAnswersOut(answered_at=response.submitted_at)
    for answer in session.scalars(select(Answer).where(Answer.response_id == response.id)):
        if answer.metric == "csat":
            out.csat = answer.number
        elif answer.metric == "ces":
            out.ces = answer.number
        elif answer.metric == "text" and answer.text:
            out.comment = answer.text
    return out
