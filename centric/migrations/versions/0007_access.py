"""no privileged side doors: merge suggestions, connectors allowed to merge, login throttling

Revision ID: 0007_access
Revises: 0006_import_updated
"""

import sqlalchemy as sa
from alembic import op

from centric.db import JSONType

revision = "0007_access"
down_revision = "0006_import_updated"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "merge_suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("identities", JSONType, nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("merge_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"],
                                name=op.f("fk_merge_suggestion_customer_id_customer")),
        sa.ForeignKeyConstraint(["other_id"], ["customer.id"], name=op.f("fk_merge_suggestion_other_id_customer")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_merge_suggestion_user_id_user_account")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user_account.id"],
                                name=op.f("fk_merge_suggestion_decided_by_id_user_account")),
        sa.ForeignKeyConstraint(["merge_id"], ["customer_merge.id"],
                                name=op.f("fk_merge_suggestion_merge_id_customer_merge")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merge_suggestion")),
        sa.UniqueConstraint("customer_id", "other_id", name=op.f("uq_merge_suggestion_customer_id_other_id")),
    )
    with op.batch_alter_table("merge_suggestion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_merge_suggestion_other_id"), ["other_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_merge_suggestion_status"), ["status"], unique=False)
    with op.batch_alter_table("connector", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merge_identities", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "auth_throttle",
        sa.Column("bucket", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("bucket", name=op.f("pk_auth_throttle")),
    )
    with op.batch_alter_table("auth_throttle", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_throttle_last_failure_at"), ["last_failure_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("auth_throttle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_throttle_last_failure_at"))
    op.drop_table("auth_throttle")
    with op.batch_alter_table("connector", schema=None) as batch_op:
        batch_op.drop_column("merge_identities")
    with op.batch_alter_table("merge_suggestion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_merge_suggestion_status"))
        batch_op.drop_index(batch_op.f("ix_merge_suggestion_other_id"))
    op.drop_table("merge_suggestion")
