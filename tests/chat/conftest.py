"""Fixtures of the chat tests: the API app and a token per role."""

from tests.api.conftest import app, client, tokens  # noqa: F401
