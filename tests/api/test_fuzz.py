"""Property-based fuzzing of every JSON endpoint from the OpenAPI document: never a 5xx.

Schemathesis turns each operation of ``/api/openapi.json`` into a Hypothesis strategy of
requests (valid and invalid bodies, queries and paths); each is sent, authenticated as an
admin, through the ASGI app to a real SQLite database.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from centric.accounts.service import create_token
from centric.config import Settings
from centric.web.app import create_app
from tests.factories import make_journey, make_user


def test_no_endpoint_answers_with_a_server_error(db):
    with db.transaction() as s:
        make_journey(s)
        token = create_token(s, make_user(s, "admin"), "fuzz")[1]
    app = create_app(Settings(database_url=db.url, job_workers=0), db)
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    headers = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def check(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:200]}")

        check()
    assert failures == []
