"""text analytics: enrichment columns on feedback, discovered theme proposals

Revision ID: 0004_text
Revises: 0003_merge
"""

import sqlalchemy as sa
from alembic import op

from centric.db import JSONType

revision = "0004_text"
down_revision = "0003_merge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("effort", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("actionable", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("text_version", sa.String(length=120), nullable=True))
        batch_op.create_index(batch_op.f("ix_feedback_text_version"), ["text_version"], unique=False)
    op.create_table(
        "theme_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("terms", JSONType, nullable=False),
        sa.Column("examples", JSONType, nullable=False),
        sa.Column("feedback_ids", JSONType, nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("cohesion", sa.Double(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["theme_id"], ["theme.id"], name=op.f("fk_theme_proposal_theme_id_theme"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme_proposal")),
    )
    with op.batch_alter_table("theme_proposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_theme_proposal_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("theme_proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_theme_proposal_status"))
    op.drop_table("theme_proposal")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_text_version"))
        batch_op.drop_column("text_version")
        batch_op.drop_column("actionable")
        batch_op.drop_column("effort")
