"""Index-backed searches return exactly what a plain case-insensitive LIKE returns, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select, text, update

from centric.customers.models import Customer
from centric.customers.schemas import CustomerIn
from centric.customers.service import list_customers, upsert_customer
from centric.feedback.models import Feedback
from centric.feedback.schemas import FeedbackIn
from centric.feedback.service import record_feedback
from centric.search import fts_query
from centric.themes import verbatims
from centric.themes.schemas import VerbatimQuery
from centric.themes.verbatims import search_verbatims
from centric.web.deps import PageRequest

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


@pytest.fixture
def timeline(db):  # type: ignore[no-untyped-def]
    """30 items a day apart, newest last: every third mentions breakfast, only the oldest mentions porridge."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with db.transaction() as s:
        for i in range(30):
            words = "breakfast was fine" if i % 3 == 0 else "the room was fine"
            record_feedback(s, FeedbackIn(text=words + (" porridge" if i == 0 else ""), external_id=f"d{i}",
                                          occurred_at=start + timedelta(days=i)))
    return db


def _newest_first(s, word: str) -> list[int]:  # type: ignore[no-untyped-def]
    rows = s.scalars(select(Feedback).where(Feedback.text.contains(word)).order_by(Feedback.occurred_at.desc(),
                                                                                    Feedback.id.desc()))
    return [f.id for f in rows]


def test_pages_from_the_newest_window_equal_the_pages_of_the_whole_table(timeline, monkeypatch):
    monkeypatch.setattr(verbatims, "RECENT_WINDOW", 9)  # 3 breakfasts among the 9 newest items
    with timeline.reader() as s:
        expected = _newest_first(s, "breakfast")
        assert len(expected) == 10
        breakfast = VerbatimQuery(q="breakfast")
        assert verbatims._recent_page(s, breakfast, ["breakfast"], 3, 0) is not None  # served by the window
        assert verbatims._recent_page(s, breakfast, ["breakfast"], 3, 3) is None  # beyond it: the index
        assert verbatims._recent_page(s, VerbatimQuery(q="porridge"), ["porridge"], 3, 0) is None
        for offset in range(0, 12, 3):
            items, total = search_verbatims(s, VerbatimQuery(q="breakfast"), limit=3, offset=offset)
            assert [i.id for i in items] == expected[offset:offset + 3], offset
            assert total == 10
        assert [i.text for i in search_verbatims(s, VerbatimQuery(q="porridge"))[0]] == ["breakfast was fine porridge"]


def test_counting_stops_past_the_cap_and_the_page_says_so(timeline):
    with timeline.reader() as s:
        items, total = search_verbatims(s, VerbatimQuery(q="fine"), limit=2, count_cap=5)
        assert (len(items), total) == (2, 6)  # counting stopped at cap + 1: "more than 5"
        assert search_verbatims(s, VerbatimQuery(q="breakfast"), limit=2, count_cap=50)[1] == 10  # under the cap: exact
        assert search_verbatims(s, VerbatimQuery(q="fine"), limit=2)[1] == 30  # files count everything
        capped = PageRequest(limit=2, offset=0).of(items, total, 5)
        assert (capped.total, capped.total_exact) == (5, False)
        late = PageRequest(limit=2, offset=8).of(items, 6, 5)  # paged past the cap: still "at least"
        assert (late.total, late.total_exact) == (10, False)
        exact = PageRequest(limit=2, offset=0).of(items, 5, 5)
        assert (exact.total, exact.total_exact) == (5, True)


def test_customer_counts_stop_past_the_cap(stored):
    with stored.reader() as s:
        assert [len(rows) for rows, _ in (list_customers(s, search="x.org", limit=1, count_cap=c) for c in (1, 9))] \
            == [1, 1]
        assert list_customers(s, search="x.org", limit=1, count_cap=1)[1] == 2  # "more than 1"
        assert list_customers(s, search="x.org", limit=1, count_cap=9)[1] == 2  # exact under the cap
        assert list_customers(s, limit=1, count_cap=2)[1] == 3 and list_customers(s, limit=1)[1] == 4


def test_customer_pages_from_the_first_window_equal_the_pages_of_the_whole_list(stored, monkeypatch):
    from centric.customers import service

    with stored.transaction() as s:
        for i in range(12):
            upsert_customer(s, CustomerIn(name=f"Guest {i}", email=f"g{i}@{'okafor.example' if i % 2 else 'y.org'}"))
    with stored.reader() as s:
        whole = {term: [c.id for c in list_customers(s, search=term, limit=100)[0]] for term in ("okafor", "o'n", "g1")}
        monkeypatch.setattr(service, "LIST_WINDOW", 6)
        assert service._first_customers_page(s, select(Customer), "okafor", 2, 0) is not None  # name and identity
        assert service._first_customers_page(s, select(Customer), "g11@", 1, 0) is None  # beyond the window
        for term, ids in whole.items():
            for offset in range(0, len(ids) + 2, 2):
                rows, total = list_customers(s, search=term, limit=2, offset=offset)
                assert [c.id for c in rows] == ids[offset:offset + 2] and total == len(ids), (term, offset)
        assert list_customers(s, search="okafor", limit=2, count_cap=3)[1] == 4  # counting stopped: "more than 3"
