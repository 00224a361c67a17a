"""Chat test data written straight into the tables, one conversation per call, as the chat service stores them.

A conversation is a list of turns, one minute apart:

* ``("q", text)`` — the customer asks (or says anything else);
* ``("a", slug, helpful)`` — the bot answers with the article ``slug``; ``helpful`` is the
  customer's yes (True), no (False) or nothing (None);
* ``("x",)`` — the bot abstains ("I don't know; shall I get a person?");
* ``("agent", text)`` — a person replies.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from centric.chat.models import ChatMessage, Conversation
from centric.customers.models import Customer
from centric.feedback.models import Feedback
from centric.kb.models import KbArticle
from centric.loop.models import Case
from centric.surveys.models import Answer, Invitation, Response, Survey, SurveyVersion

Turn = tuple[Any, ...]
POST_CHAT = [
    {"key": "csat", "type": "csat", "required": True, "label": {"en": "How satisfied are you?", "zh": "您满意吗？"}},
    {"key": "ces", "type": "ces", "label": {"en": "It was easy to get help.", "zh": "获得帮助很容易。"}},
    {"key": "comment", "type": "text", "label": {"en": "Anything else?", "zh": "还有什么？"}},
]


class ChatWorld:
    """Customers, articles and the post-chat survey of one test, and builders of conversations."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.customers: dict[str, int] = {}
        self.articles: dict[str, int] = {}
        survey = Survey(key="post-chat", name="Post-chat", kind="csat", languages=["en", "zh"])
        session.add(survey)
        session.flush()
        version = SurveyVersion(survey_id=survey.id, version=1, questions=POST_CHAT)
        session.add(version)
        session.flush()
        self.survey_id, self.version_id = survey.id, version.id

    def customer(self, name: str) -> int:
        if name not in self.customers:
            row = Customer(external_id=f"guest-{name}-{secrets.token_hex(3)}", name=name)
            self.session.add(row)
            self.session.flush()
            self.customers[name] = row.id
        return self.customers[name]

    def article(self, slug: str, language: str = "en") -> int:
        if slug not in self.articles:
            row = KbArticle(slug=slug, group_key=slug, language=language, title=slug.replace("-", " ").title(),
                            body="Answer.", status="published")
            self.session.add(row)
            self.session.flush()
            self.articles[slug] = row.id
        return self.articles[slug]

    def chat(self, turns: Sequence[Turn], *, started: datetime, resolution: str | None,
             customer: str | None = None, language: str = "en", channel: str = "widget",
             reason: str | None = None, closed_by: str | None = "customer",
             survey: tuple[int, int] | None = None) -> Conversation:
        """One conversation with its messages; closed one minute after its last turn unless open.

        ``survey`` (CSAT, CES) links an answered post-chat survey invitation to it.
        """
        conv = Conversation(token_hash=secrets.token_hex(32), customer_id=self.customer(customer) if customer else None,
                            channel=channel, language=language, started_at=started, last_message_at=started,
                            status="bot" if resolution is None else "closed", resolution=resolution,
                            handoff_reason=reason)
        self.session.add(conv)
        self.session.flush()
        moment = started
        for turn in turns:
            moment += timedelta(minutes=1)
            self.session.add(self._message(conv.id, turn, language, moment))
        conv.last_message_at = moment
        if resolution == "handed_off":
            conv.handed_off_at = moment
            case = Case(title="Chat hand-off", source="chat", customer_id=conv.customer_id, created_at=moment)
            self.session.add(case)
            self.session.flush()
            conv.case_id = case.id
        if resolution is not None:
            conv.closed_at, conv.closed_by = moment + timedelta(minutes=1), closed_by
        if survey is not None:
            conv.survey_invitation_id = self.answered_survey(conv, *survey)
        self.session.flush()
        return conv

    def _message(self, conversation_id: int, turn: Turn, language: str, moment: datetime) -> ChatMessage:
        kind = turn[0]
        row = ChatMessage(conversation_id=conversation_id, language=language, created_at=moment)
        if kind == "q":
            row.author, row.body = "customer", turn[1]
        elif kind == "a":
            row.author, row.article_id, row.helpful = "bot", self.article(turn[1], language), turn[2]
            row.confidence = 0.8
            row.body = f"Answer from {turn[1]}"
        elif kind == "x":
            row.author, row.abstained, row.confidence, row.body = "bot", True, 0.1, "Sorry, I don't know that one."
        else:
            row.author, row.body = "agent", turn[1]
        return row

    def answered_survey(self, conv: Conversation, csat: int, ces: int) -> int:
        customer_id = conv.customer_id or self.customer(f"anon-{conv.id}")
        invitation = Invitation(survey_id=self.survey_id, customer_id=customer_id, channel="chat",
                                token_hash=secrets.token_hex(32), sent_at=conv.closed_at)
        self.session.add(invitation)
        self.session.flush()
        response = Response(survey_id=self.survey_id, version_id=self.version_id, customer_id=customer_id,
                            invitation_id=invitation.id, channel="chat", submitted_at=conv.closed_at)
        self.session.add(response)
        self.session.flush()
        self.session.add_all([Answer(response_id=response.id, question_key="csat", metric="csat", number=csat),
                              Answer(response_id=response.id, question_key="ces", metric="ces", number=ces)])
        return invitation.id

    def feedback(self, customer: str, channel: str, when: datetime, text: str = "About my stay") -> int:
        row = Feedback(source="test", channel=channel, customer_id=self.customer(customer), text=text, occurred_at=when)
        self.session.add(row)
        self.session.flush()
        return row.id

    def case(self, customer: str, source: str, when: datetime) -> int:
        row = Case(title="A case", source=source, customer_id=self.customer(customer), created_at=when)
        self.session.add(row)
        self.session.flush()
        return row.id
