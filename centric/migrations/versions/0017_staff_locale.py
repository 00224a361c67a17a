"""each staff member's UI language

Revision ID: 0017_staff_locale
Revises: 0016_slice_rollups
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_staff_locale"
down_revision = "0016_slice_rollups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("locale", sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("locale")
