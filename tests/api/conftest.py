"""An app on a real database, and clients logged in with each role."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from centric.accounts.service import create_token
from centric.config import Settings
from centric.web.app import create_app
from tests.factories import make_journey, make_user


@pytest.fixture
def app(db):
    # Test receivers listen on loopback: allowed explicitly, as an admin would name an intranet host.
    settings = Settings(database_url=db.url, max_body_bytes=200_000, job_workers=0,
                        webhook_allowed_hosts="127.0.0.1,localhost")
    return create_app(settings, db)


@pytest.fixture
def tokens(db):
    """An API token per role, and the demo journey."""
    out = {}
    with db.transaction() as s:
        make_journey(s)
        for role in ("admin", "analyst", "manager", "agent", "viewer"):
            user = make_user(s, role)
            out[role] = create_token(s, user, "tests")[1]
    return out


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
