"""The migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import centric.models
from centric.search import is_search_object
from centric.store import upgrade


def test_migrations_match_the_models(db):
    upgrade(db)  # a second run is a no-op
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": is_search_object})
        differences = compare_metadata(context, centric.models.Base.metadata)
    assert differences == []
