"""Fixtures of the knowledge-base tests: the API app and a token per role."""

from tests.api.conftest import app, client, tokens  # noqa: F401
