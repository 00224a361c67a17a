"""``centric.kb.answering.ask``: answers from the published entries, abstentions, languages, the cache."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, update

from centric.db import Database, utcnow
from centric.kb import answering
from centric.kb.models import KbArticle, KbVariant
from centric.text.answers import Entry
from tests.kb.answering_helpers import publish
from tests.text.answers_data import HOTEL_EN, HOTEL_ZH


def test_answers_paraphrases_in_both_languages_and_abstains_off_topic(db: Database) -> None:
    with db.transaction() as s:
        en = publish(s, HOTEL_EN)
        zh = publish(s, HOTEL_ZH)
        publish(s, [Entry(99, "What is the spa's secret code?", ("spa code",), "", "en")], "draft")
    with db.reader() as s:
        answer = answering.ask(s, "what hours is the breakfast buffet open")
        assert answer.language == "en" and not answer.abstained and not answer.cross_lingual
        assert answer.best is not None and answer.best.article_id == en[1]
        assert answer.best.slug == "entry-1-en" and answer.best.title == "When is breakfast served?"
        assert answer.best.language == "en" and answer.best.score == answer.confidence
        assert 0 <= answer.confidence <= 1 and answer.confidence >= answer.threshold > 0

        chinese = answering.ask(s, "早饭几点开始")
        assert chinese.language == "zh" and chinese.best is not None and chinese.best.article_id == zh[11]
        assert chinese.best.language == "zh"

        for question in ("who won the football world cup in 1998", "世界上最高的山是哪座"):
            off = answering.ask(s, question)
            assert off.abstained and off.best is None and off.confidence < off.threshold

        draft = answering.ask(s, "what is the spa secret code", "en")
        assert all(c.slug != "entry-99-en" for c in ([draft.best] if draft.best else []) + list(draft.alternatives))

        forced = answering.ask(s, "breakfast", "zh")  # the caller says Chinese: the Chinese entries answer
        assert forced.language == "zh"
        assert all(c.language == "zh" for c in ([forced.best] if forced.best else []) + list(forced.alternatives))

        few = answering.ask(s, "what time is breakfast", k=1)
        assert len(few.alternatives) <= 1
        assert answering.ask(s, "what time is breakfast", k=0).alternatives == ()
        empty = answering.ask(s, "   ")
        assert empty.abstained and empty.best is None


def test_a_question_without_entries_in_its_language_is_answered_from_the_other(db: Database) -> None:
    with db.transaction() as s:
        en = publish(s, HOTEL_EN)
    with db.reader() as s:
        answer = answering.ask(s, "早餐几点开始供应？")
    assert answer.language == "zh" and answer.cross_lingual
    ranked = [answer.best] if answer.best else list(answer.alternatives)
    assert ranked and ranked[0] is not None and ranked[0].article_id == en[1] and ranked[0].language == "en"


def test_an_empty_knowledge_base_abstains(db: Database) -> None:
    with db.reader() as s:
        answer = answering.ask(s, "what time is breakfast")
    assert answer.abstained and answer.best is None and answer.alternatives == () and answer.language == "en"


def test_edits_show_up_at_the_next_question_in_every_process(db: Database) -> None:
    """Two Database objects on one database stand for two processes with their own caches."""
    with db.transaction() as s:
        ids = publish(s, HOTEL_EN)
    other = Database(db.url)
    try:
        with other.reader() as s:
            before = answering.ask(s, "is there a swimming pool on the roof")
        assert before.abstained
        with db.transaction() as s:  # a new published entry
            pool = publish(s, [Entry(50, "Do you have a swimming pool?",
                                                     ("is there a pool", "can I swim at the hotel"),
                                                     "The rooftop pool is open 7:00-21:00.", "en")])[50]
        with other.reader() as s:
            after = answering.ask(s, "is there a swimming pool on the roof")
        assert after.best is not None and after.best.article_id == pool

        with db.transaction() as s:  # a new title (the service bumps updated_at with every save)
            s.execute(update(KbArticle).where(KbArticle.id == ids[8]).values(
                title="Is there a fitness centre?", updated_at=utcnow() + timedelta(seconds=1)))
        with other.reader() as s:
            renamed = answering.ask(s, "where can I work out")
        assert renamed.best is not None and renamed.best.title == "Is there a fitness centre?"

        with db.transaction() as s:  # saved on a machine whose clock is an hour behind: the latest updated_at
            s.execute(update(KbArticle).where(KbArticle.id == ids[6]).values(  # stays, the version still counts
                title="Is there an airport shuttle bus?", version=KbArticle.version + 1,
                updated_at=utcnow() - timedelta(hours=1)))
        with other.reader() as s:
            behind = answering.ask(s, "is there a shuttle to the airport")
        assert behind.best is not None and behind.best.title == "Is there an airport shuttle bus?"

        with db.transaction() as s:  # a variant replaced without touching the article
            s.execute(KbVariant.__table__.delete().where(KbVariant.article_id == ids[5]))
            s.add(KbVariant(article_id=ids[5], text="are ferrets welcome", position=0))
        with other.reader() as s:
            assert answering.revision(s)[4] == sum(len(e.variants) for e in HOTEL_EN) - 3 + 1 + 2

        with db.transaction() as s:  # unpublished: never answered again
            s.execute(update(KbArticle).where(KbArticle.id == pool).values(status="archived"))
        with other.reader() as s:
            gone = answering.ask(s, "is there a swimming pool on the roof")
        assert all(c.article_id != pool for c in ([gone.best] if gone.best else []) + list(gone.alternatives))
    finally:
        other.dispose()


def test_a_cached_answer_costs_one_query(db: Database) -> None:
    with db.transaction() as s:
        publish(s, HOTEL_EN)
    with db.reader() as s:
        answering.ask(s, "what time is breakfast")  # builds
        statements: list[str] = []

        def count(conn: object, cursor: object, statement: str, *rest: object) -> None:
            statements.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            answer = answering.ask(s, "can I bring my dog")
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert answer.best is not None and answer.best.slug == "entry-5-en"
        assert len(statements) == 1, statements
