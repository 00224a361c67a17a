"""List endpoints read related rows in batches: a constant number of SQL statements per page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from centric.customers.schemas import CustomerIn, SegmentIn
from centric.customers.service import create_segment, upsert_customer
from centric.db import Database
from centric.surveys.schemas import ResponseIn, SurveyIn
from centric.surveys.service import create_survey, get_survey, publish, submit_response
from tests.api.conftest import auth

MAX_STATEMENTS = 8  # authentication (token, user, last use) plus the page: a constant, whatever the page size
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement the engine sends while the block runs, transaction control aside.

    SQLite's explicit ``BEGIN`` is sent as a statement and PostgreSQL's is not; leaving
    transaction control out makes the two backends comparable.
    """
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _customers(db: Database, n: int) -> None:
    with db.transaction() as s:
        for tier in ("gold", "silver"):
            create_segment(s, SegmentIn(key=tier, name=tier.title(),
                                        rule=[{"attribute": "tier", "op": "eq", "value": tier}]))  # type: ignore[list-item]
        for i in range(n):
            upsert_customer(s, CustomerIn(external_id=f"c{i}", name=f"Customer {i}", email=f"c{i}@example.com",
                                          phone=f"+4930{i:07d}", attributes={"tier": ("gold", "silver")[i % 2]}))
        create_segment(s, SegmentIn(key="everyone", name="Everyone",
                                    rule=[{"attribute": "tier", "op": "in", "value": ["gold", "silver"]}]))  # type: ignore[list-item]


def _surveys(db: Database, n: int) -> None:
    with db.transaction() as s:
        for i in range(n):
            create_survey(s, SurveyIn(key=f"s{i}", name=f"Survey {i}", touchpoint="check-in" if i % 2 else None))
            if i % 3 == 0:
                survey = get_survey(s, f"s{i}")
                survey.draft = [*survey.draft, {"key": "why", "type": "text", "label": {"en": "Why?"}}]
                publish(s, survey)
            for score in range(i % 4):
                submit_response(s, ResponseIn(survey=f"s{i}", answers={"nps": score + 6},
                                              customer={"email": f"r{score}@example.com"}))


def test_customer_list_reads_a_page_in_constant_statements(client, tokens, db):
    _customers(db, 200)
    with counted(db.engine) as statements:
        page = client.get("/api/v1/customers?limit=500", headers=auth(tokens["analyst"])).json()
    assert page["total"] == 200 and len(page["items"]) == 200
    first = page["items"][0]
    assert len(first["identities"]) == 3 and sorted(first["segments"]) == ["everyone", "gold"]
    print(f"\nGET /api/v1/customers?limit=500 on {db.dialect}: {len(statements)} statements")
    assert len(statements) <= MAX_STATEMENTS, [s[:60] for s in statements]


def test_survey_list_reads_every_survey_in_constant_statements(client, tokens, db):
    _surveys(db, 30)
    with counted(db.engine) as statements:
        answer = client.get("/api/v1/surveys?limit=1000", headers=auth(tokens["viewer"])).json()
    surveys = answer["items"]
    assert len(surveys) >= 30 and answer["total"] == len(surveys)
    by_key = {s["key"]: s for s in surveys}
    assert by_key["s3"]["version"] == 2 and by_key["s3"]["responses"] == 3 and by_key["s1"]["touchpoint"] == "check-in"
    print(f"\nGET /api/v1/surveys on {db.dialect}: {len(statements)} statements")
    assert len(statements) <= MAX_STATEMENTS, [s[:60] for s in statements]
