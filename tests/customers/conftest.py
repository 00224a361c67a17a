"""The API fixtures (an app on each backend, a token per role) for these tests too."""

from tests.api.conftest import app, client, tokens  # noqa: F401
