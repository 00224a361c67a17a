"""import runs count updated rows apart from created ones

Revision ID: 0006_import_updated
Revises: 0005_webhook_secrets
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_import_updated"
down_revision = "0005_webhook_secrets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("import_run", sa.Column("rows_updated", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    op.drop_column("import_run", "rows_updated")
