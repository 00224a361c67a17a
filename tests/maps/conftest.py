"""Fixtures of the journey map and persona tests: the API app and a token per role."""

import pytest

from tests.api.conftest import app, client, tokens  # noqa: F401


@pytest.fixture(autouse=True)
def fresh_scans():
    """Each test sees its own data: the map's per-process scan cache starts empty."""
    from centric.maps.map import clear_scan_cache

    clear_scan_cache()
    yield
    clear_scan_cache()
