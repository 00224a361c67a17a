"""Index-backed searches return exactly what a plain case-insensitive LIKE returns, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text, update

from centric.customers.models import Customer
from centric.customers.schemas import CustomerIn
from centric.customers.service import list_customers, upsert_customer
from centric.feedback.models import Feedback
from centric.feedback.schemas import FeedbackIn
from centric.feedback.service import record_feedback
from centric.search import fts_query
from centric.themes.schemas import VerbatimQuery
from centric.themes.verbatims import search_verbatims

TEXTS = [
    "The breakfast was cold and the waiter rude",
    "Breakfast great, staff RUDE at check-in",
    'He said "NEAR(breakfast waiter)" and left',
    "50% off was a lie; code a_b wasn't accepted",
    "Room 101 * fine * OR not",
    "Check-out took forever (again)",
    "wifi: ok",
]
SEARCHES = ["breakfast", "BREAKFAST rude", "rude breakfast", "near(", '"near', "50%", "a_b", "*", "or not",
            "(again)", "ok", "wi", "room 101", "waiter", "absent", "e", "check-"]


def _expected(texts: list[str], words: list[str]) -> set[str]:
    return {t for t in texts if all(w.lower() in t.lower() for w in words)}


def test_fts_query_quotes_every_word():
    assert fts_query(['a"b', "NEAR(x"]) == '"a""b" AND "NEAR(x"'
    assert fts_query(["ab"]) is None  # no trigram: the caller scans


@pytest.fixture
def stored(db):  # type: ignore[no-untyped-def]
    with db.transaction() as s:
        for i, text in enumerate(TEXTS):
            record_feedback(s, FeedbackIn(text=text, external_id=f"t{i}"))
        for name, email in (("Ann Okafor", "ann@x.org"), ("Bo O'Neil", "bo@okafor.example"), ("Zoë 50% Li", "z@y.org"),
                            ("", "nameless@x.org")):
            upsert_customer(s, CustomerIn(name=name, email=email))
    return db


def test_verbatim_search_matches_plain_like(stored):
    with stored.reader() as s:
        for q in SEARCHES:
            items, total = search_verbatims(s, VerbatimQuery(q=q), limit=100)
            assert {i.text for i in items} == _expected(TEXTS, q.split()), q
            assert total == len(items)


def test_index_follows_updates_and_deletes(stored):
    with stored.transaction() as s:
        s.execute(update(Feedback).where(Feedback.external_id == "t0").values(text="Dinner was lovely"))
        s.execute(delete(Feedback).where(Feedback.external_id == "t1"))
    with stored.reader() as s:
        assert search_verbatims(s, VerbatimQuery(q="breakfast"))[1] == 1  # only the quoted NEAR( text is left
        assert [i.text for i in search_verbatims(s, VerbatimQuery(q="lovely"))[0]] == ["Dinner was lovely"]


def test_customer_search_matches_name_or_identity(stored):
    with stored.reader() as s:
        names = {c.name for c in s.scalars(select(Customer))}
        assert names >= {"Ann Okafor", "Bo O'Neil"}
        for term, expected in (("okafor", {"Ann Okafor", "Bo O'Neil"}), ("OKA", {"Ann Okafor", "Bo O'Neil"}),
                               ("50%", {"Zoë 50% Li"}), ("nameless", {""}), ("o'n", {"Bo O'Neil"}),
                               ("@x.org", {"Ann Okafor", ""}), ("li", {"Zoë 50% Li"}),
                               ('"', set())):
            rows, total = list_customers(s, search=term)
            assert {c.name for c in rows} == expected, term
            assert total == len(expected)


def test_sqlite_keeps_a_trigram_index_in_step(sqlite_db):
    with sqlite_db.transaction() as s:
        record_feedback(s, FeedbackIn(text="Porridge was cold", external_id="p1"))
        s.execute(update(Feedback).where(Feedback.external_id == "p1").values(text="Porridge was warm"))
    with sqlite_db.reader() as s:
        def hits(q: str) -> int:
            return s.scalar(text("SELECT count(*) FROM feedback_fts WHERE feedback_fts MATCH :q"), {"q": q}) or 0
        assert (hits('"rridge"'), hits('"cold"'), hits('"WARM"')) == (1, 0, 1)
