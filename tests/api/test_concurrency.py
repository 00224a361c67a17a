"""Under concurrent writes: token reads never fail, and token bookkeeping stays out of the way."""

from __future__ import annotations

import itertools
import threading
from collections import Counter

import httpx
from sqlalchemy import select

from centric.accounts.models import ApiToken
from centric.accounts.service import TOKEN_USE_PRECISION
from centric.db import utcnow
from tests.api.conftest import auth
from tests.api.live import hammer, serving

LOAD_SECONDS = 10


def test_token_reads_never_fail_while_another_request_writes(db, app, tokens):
    statuses: Counter[tuple[str, int]] = Counter()
    lock = threading.Lock()
    numbers = itertools.count()

    def note(kind: str, answer: httpx.Response) -> None:
        with lock:
            statuses[kind, answer.status_code] += 1

    def write(client: httpx.Client) -> None:
        body = {"text": "The lift was slow", "external_id": f"w-{next(numbers)}"}
        note("write", client.post(url + "/api/v1/feedback", json=body, headers=auth(tokens["agent"])))

    def reader(role: str):
        def read(client: httpx.Client) -> None:
            note("read", client.get(url + "/api/v1/customers", headers=auth(tokens[role])))
        return read

    with serving(app) as url:
        hammer([write, reader("analyst"), reader("manager")], LOAD_SECONDS)

    failures = {key: n for key, n in statuses.items() if key[1] >= 500}
    assert failures == {}, statuses
    assert statuses["read", 200] > 20 and statuses["write", 201] > 5, statuses


def test_token_use_is_recorded_at_most_once_a_minute(db, client, tokens):
    client.get("/api/v1/me", headers=auth(tokens["agent"]))
    with db.reader() as s:
        first = s.scalars(select(ApiToken.last_used_at).where(ApiToken.prefix == tokens["agent"][:10])).one()
    assert first is not None and utcnow() - first < TOKEN_USE_PRECISION
    client.get("/api/v1/me", headers=auth(tokens["agent"]))
    with db.reader() as s:
        second = s.scalars(select(ApiToken.last_used_at).where(ApiToken.prefix == tokens["agent"][:10])).one()
    assert second == first
    with db.transaction() as s:  # a minute later, the next use is written again
        token = s.scalars(select(ApiToken).where(ApiToken.prefix == tokens["agent"][:10])).one()
        token.last_used_at = first - TOKEN_USE_PRECISION * 2
    client.get("/api/v1/me", headers=auth(tokens["agent"]))
    with db.reader() as s:
        third = s.scalars(select(ApiToken.last_used_at).where(ApiToken.prefix == tokens["agent"][:10])).one()
    assert third is not None and third >= first
