"""Failed logins and invalid API tokens are throttled per account and per address, on both backends.

The counts live in the database (``auth_throttle``), so every web process sees the same
locks; these tests build a fresh app per client address to show that nothing is kept in memory.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from centric.accounts.models import AuditLog, User
from centric.accounts.service import create_token, log_in
from centric.config import Settings
from centric.db import utcnow
from centric.errors import TooManyRequests, Unauthorized
from centric.web.app import create_app
from tests.api.conftest import auth
from tests.factories import PASSWORD, make_user

LOCK_S = 600


def _settings(db) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(database_url=db.url, job_workers=0, login_max_failures=3, login_address_max_failures=3,
                    token_max_failures=3, login_lock_s=LOCK_S)


@pytest.fixture
def users(db):  # type: ignore[no-untyped-def]
    with db.transaction() as s:
        return {role: make_user(s, role).id for role in ("agent", "manager")}


def _client(db, address: str) -> TestClient:  # type: ignore[no-untyped-def]
    """A client at ``address`` talking to its own app instance: like another web process."""
    return TestClient(create_app(_settings(db), db), client=(address, 40000))


def _login(client: TestClient, email: str, password: str):  # type: ignore[no-untyped-def]
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return client.post("/login", data={"email": email, "password": password, "csrf": csrf, "next": "/"},
                       follow_redirects=False)


def _audits(db, action: str) -> list[AuditLog]:  # type: ignore[no-untyped-def]
    with db.reader() as s:
        return list(s.scalars(select(AuditLog).where(AuditLog.action == action)))


def test_wrong_passwords_lock_the_account_and_the_address_even_for_the_right_password(db, users):
    with _client(db, "10.0.0.1") as attacker, _client(db, "10.0.0.2") as elsewhere:
        assert [_login(attacker, "agent@example.com", "guess-guess").status_code for _ in range(2)] == [401, 401]
        third = _login(attacker, "agent@example.com", "guess-guess")
        assert third.status_code == 429 and "Too many failed attempts" in third.text
        assert int(third.headers["Retry-After"]) == LOCK_S
        assert _login(attacker, "agent@example.com", PASSWORD).status_code == 429  # the account, from here
        assert _login(elsewhere, "agent@example.com", PASSWORD).status_code == 429  # the account, from anywhere
        assert _login(attacker, "manager@example.com", PASSWORD).status_code == 429  # the address, any account
        assert _login(elsewhere, "manager@example.com", PASSWORD).status_code == 303  # others are unaffected
    failed = _audits(db, "user.login_failed")
    assert len(failed) == 3 and {a.user_id for a in failed} == {users["agent"]}
    assert failed[-1].detail["locked_s"] == LOCK_S
    assert "10.0.0.1" not in str([a.detail for a in failed])  # no address is stored
    assert len(_audits(db, "user.login_locked")) == 3


def test_a_success_resets_the_accounts_count(db, users):
    settings = _settings(db).model_copy(update={"login_address_max_failures": 10})
    with TestClient(create_app(settings, db), client=("10.0.0.3", 40000)) as client:
        assert [_login(client, "agent@example.com", "guess-guess").status_code for _ in range(2)] == [401, 401]
        assert _login(client, "agent@example.com", PASSWORD).status_code == 303
        client.cookies.clear()
        assert [_login(client, "agent@example.com", "guess-guess").status_code for _ in range(2)] == [401, 401]
        assert _login(client, "agent@example.com", "guess-guess").status_code == 429


def test_locks_end_after_the_configured_time_and_grow_with_further_failures(db, users):
    settings, key, start = _settings(db), b"k" * 32, utcnow()
    with db.transaction() as s:
        for _ in range(2):
            with pytest.raises(Unauthorized):
                log_in(s, settings, key, "agent@example.com", "guess-guess", "10.0.0.4", now=start)
        with pytest.raises(TooManyRequests) as locked:
            log_in(s, settings, key, "agent@example.com", "guess-guess", "10.0.0.4", now=start)
        assert locked.value.retry_after == LOCK_S
        with pytest.raises(TooManyRequests) as still:
            log_in(s, settings, key, "agent@example.com", PASSWORD, "10.0.0.5",
                   now=start + timedelta(seconds=LOCK_S - 30))
        assert still.value.retry_after == 30
        later = start + timedelta(seconds=LOCK_S + 1)
        with pytest.raises(TooManyRequests) as doubled:  # a fourth failure in the window: twice as long
            log_in(s, settings, key, "agent@example.com", "guess-guess", "10.0.0.5", now=later)
        assert doubled.value.retry_after == 2 * LOCK_S
        user = log_in(s, settings, key, "agent@example.com", PASSWORD, "10.0.0.5",
                      now=later + timedelta(seconds=2 * LOCK_S + 1))
        assert user.id == users["agent"]


def test_invalid_tokens_from_one_address_get_429_after_n(db, users):
    with db.transaction() as s:
        secret = create_token(s, s.get(User, users["agent"]), "tests")[1]
    with _client(db, "10.0.0.6") as abuser, _client(db, "10.0.0.7") as other:
        answers = [abuser.get("/api/v1/me", headers=auth(f"ctc_wrong{n}")) for n in range(4)]
        assert [a.status_code for a in answers] == [401, 401, 429, 429]
        assert int(answers[2].headers["Retry-After"]) == LOCK_S
        assert other.get("/api/v1/me", headers=auth("ctc_wrong")).status_code == 401
        assert other.get("/api/v1/me", headers=auth(secret)).status_code == 200
    invalid = _audits(db, "token.invalid")
    assert len(invalid) == 4  # three from the abuser (the fourth was refused unread), one from the other
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "token.invalid",
                                                                          AuditLog.user_id.is_not(None))) == 0
