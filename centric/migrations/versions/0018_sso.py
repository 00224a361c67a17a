"""single sign-on: each user's (issuer, subject) at the OpenID provider

Revision ID: 0018_sso
Revises: 0017_staff_locale
"""

import sqlalchemy as sa
from alembic import op

from centric.db import JSONType

revision = "0018_sso"
down_revision = "0017_staff_locale"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sso_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=400), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("groups", JSONType, nullable=False),
        sa.Column("disabled_by_sso", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("issuer", "subject", name="uq_sso_identity_issuer_subject"),
    )
    op.create_index("ix_sso_identity_user_id", "sso_identity", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_sso_identity_user_id", table_name="sso_identity")
    op.drop_table("sso_identity")
