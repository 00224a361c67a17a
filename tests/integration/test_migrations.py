"""The migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import centric.models
from centric.store import upgrade


def test_migrations_match_the_models(db):
    upgrade(db)  # a second run is a no-op
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), centric.models.Base.metadata)
    assert differences == []
