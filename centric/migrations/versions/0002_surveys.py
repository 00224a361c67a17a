"""survey drafts, respondent options and the shared rate limiter

Revision ID: 0002_surveys
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002_surveys"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.add_column(sa.Column("draft", JSON, nullable=True))
        # Existing surveys get empty options. The server default stays: dropping it would
        # rebuild the table on SQLite for no gain (the model always supplies a value).
        batch_op.add_column(sa.Column("options", JSON, nullable=False, server_default=sa.text("'{}'")))

    op.create_table(
        "rate_limit_bucket",
        sa.Column("bucket", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", name=op.f("pk_rate_limit_bucket")),
    )
    with op.batch_alter_table("rate_limit_bucket", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_limit_bucket_window_start"), ["window_start"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rate_limit_bucket", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_limit_bucket_window_start"))
    op.drop_table("rate_limit_bucket")
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.drop_column("options")
        batch_op.drop_column("draft")
