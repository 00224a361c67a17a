"""The demo's chats: scripted EN and ZH conversations through the services, every outcome, 90 days."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from sqlalchemy import func, select

from centric.chat.models import Conversation
from centric.customers.schemas import CustomerIn
from centric.customers.service import upsert_customer
from centric.db import utcnow
from centric.demo.chats import ANSWERABLE, build_chats
from centric.jobs.models import Job
from centric.kb.models import KbArticle, KbVariant
from centric.loop.models import Case
from centric.outreach.service import SEND_TASK
from centric.surveys.models import Response
from tests.factories import make_journey, make_user


def _kb(session) -> None:  # type: ignore[no-untyped-def]
    """One published entry per question the demo's guests ask (as the hotel FAQ has them)."""
    for lang, questions in ANSWERABLE.items():
        for i, question in enumerate(questions):
            article = KbArticle(slug=f"q{i}-{lang}", group_key=f"q{i}", language=lang, title=question,
                                body=f"Answer {i}.", status="published")
            session.add(article)
            session.flush()
            session.add(KbVariant(article_id=article.id, text=question))


def test_the_demo_chats_give_every_outcome_over_ninety_days(sqlite_db):
    db = sqlite_db
    end = utcnow().replace(microsecond=0)
    with db.transaction() as s:
        make_journey(s)
        make_user(s, "agent")
        _kb(s)
        customers = [upsert_customer(s, CustomerIn(email=f"guest{i}@example.com")).id for i in range(30)]
        summary = build_chats(s, np.random.default_rng(7), customers, end=end, count=70)
    with db.reader() as s:
        conversations = s.scalars(select(Conversation)).all()
        assert len(conversations) == summary["conversations"] >= 70 and summary["recontacts"] > 0
        assert {c.resolution for c in conversations} >= {"confirmed", "assumed", "handed_off", "abandoned"}
        assert {c.handoff_reason for c in conversations} >= {"requested", "abstained", "unhelpful"}
        assert {c.closed_by for c in conversations} >= {"customer", "agent", "auto"}
        assert {c.language for c in conversations} == {"en", "zh"}
        assert all(end - timedelta(days=91) <= c.started_at <= end for c in conversations)
        assert all(c.survey_invitation_id is None for c in conversations if c.closed_by == "auto")
        assert s.scalar(select(func.count()).select_from(Response)) == summary["survey_responses"] > 0
        handed = [c for c in conversations if c.case_id]
        assert all(s.get(Case, c.case_id).created_at == c.handed_off_at for c in handed)
        assert s.scalar(select(func.count()).select_from(Job).where(Job.name == SEND_TASK)) == 0  # nothing mailed
        known = [c.customer_id for c in conversations if c.customer_id in customers]
        again = {cid for cid in known if known.count(cid) > 1}
        assert again
