from tests.api.conftest import app, client, tokens  # noqa: F401
