"""Fixtures of the chat tests: the API app, a token per role, and a published hotel FAQ."""

from __future__ import annotations

import pytest

from tests.api.conftest import app, client, tokens  # noqa: F401
from tests.chat.helpers import seed_kb
from tests.factories import make_journey


@pytest.fixture
def faq(db):
    """The demo journey and the FAQ of :mod:`tests.chat.helpers`, published; the article ids by slug."""
    with db.transaction() as s:
        make_journey(s)
        return seed_kb(s)


@pytest.fixture
def api_faq(db, tokens):  # noqa: F811
    """The FAQ beside the API's users (whose fixture makes the journey)."""
    with db.transaction() as s:
        return seed_kb(s)
