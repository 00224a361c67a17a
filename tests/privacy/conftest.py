"""Reuse the API fixtures: an app on each real database, tokens per role."""

from tests.api.conftest import app, client, tokens  # noqa: F401
