"""governance: targets with owners, initiatives with links, approvals, DICE and impact, digests

Revision ID: 0010_governance
Revises: 0009_loop_indexes
"""

import sqlalchemy as sa
from alembic import op

from centric.db import JSONType

revision = "0010_governance"
down_revision = "0009_loop_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("digest_run",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("frequency", sa.String(length=8), nullable=False),
    sa.Column("period_key", sa.String(length=20), nullable=False),
    sa.Column("status", sa.String(length=10), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("sent_at", sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_digest_run_user_id_user_account")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_run")),
    sa.UniqueConstraint("user_id", "frequency", "period_key", name=op.f("uq_digest_run_user_id_frequency_period_key"))
    )
    with op.batch_alter_table("digest_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_digest_run_user_id"), ["user_id"], unique=False)

    op.create_table("digest_subscription",
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("frequency", sa.String(length=8), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_digest_subscription_user_id_user_account")),
    sa.PrimaryKeyConstraint("user_id", name=op.f("pk_digest_subscription"))
    )
    op.create_table("target",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(length=200), nullable=False),
    sa.Column("metric", sa.String(length=30), nullable=False),
    sa.Column("scope_kind", sa.String(length=20), nullable=False),
    sa.Column("scope_ref", sa.String(length=200), nullable=False),
    sa.Column("cadence", sa.String(length=10), nullable=False),
    sa.Column("threshold", sa.Double(), nullable=False),
    sa.Column("direction", sa.String(length=10), nullable=False),
    sa.Column("min_n", sa.Integer(), nullable=False),
    sa.Column("owner_user_id", sa.Integer(), nullable=True),
    sa.Column("owner_team_id", sa.Integer(), nullable=True),
    sa.Column("valid_from", sa.Date(), nullable=False),
    sa.Column("valid_until", sa.Date(), nullable=True),
    sa.Column("notes", sa.Text(), nullable=False),
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.Column("created_by", sa.Integer(), nullable=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["created_by"], ["user_account.id"], name=op.f("fk_target_created_by_user_account")),
    sa.ForeignKeyConstraint(["owner_team_id"], ["team.id"], name=op.f("fk_target_owner_team_id_team")),
    sa.ForeignKeyConstraint(["owner_user_id"], ["user_account.id"], name=op.f("fk_target_owner_user_id_user_account")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_target"))
    )
    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.create_index("ix_target_owner", ["owner_user_id", "owner_team_id"], unique=False)

    op.create_table("initiative",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("title", sa.String(length=200), nullable=False),
    sa.Column("problem", sa.Text(), nullable=False),
    sa.Column("status", sa.String(length=12), nullable=False),
    sa.Column("origin", sa.String(length=12), nullable=False),
    sa.Column("origin_ref", sa.String(length=120), nullable=False),
    sa.Column("owner_user_id", sa.Integer(), nullable=True),
    sa.Column("sponsor_user_id", sa.Integer(), nullable=True),
    sa.Column("cost", sa.Double(), nullable=True),
    sa.Column("target_id", sa.Integer(), nullable=True),
    sa.Column("metric", sa.String(length=30), nullable=False),
    sa.Column("expected_effect", sa.Double(), nullable=True),
    sa.Column("started_on", sa.Date(), nullable=True),
    sa.Column("done_on", sa.Date(), nullable=True),
    sa.Column("created_by", sa.Integer(), nullable=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["created_by"], ["user_account.id"], name=op.f("fk_initiative_created_by_user_account")),
    sa.ForeignKeyConstraint(["owner_user_id"], ["user_account.id"], name=op.f("fk_initiative_owner_user_id_user_account")),
    sa.ForeignKeyConstraint(["sponsor_user_id"], ["user_account.id"], name=op.f("fk_initiative_sponsor_user_id_user_account")),
    sa.ForeignKeyConstraint(["target_id"], ["target.id"], name=op.f("fk_initiative_target_id_target")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_initiative"))
    )
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_initiative_status"), ["status"], unique=False)

    op.create_table("dice_assessment",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("initiative_id", sa.Integer(), nullable=False),
    sa.Column("duration", sa.Integer(), nullable=False),
    sa.Column("integrity", sa.Integer(), nullable=False),
    sa.Column("senior_commitment", sa.Integer(), nullable=False),
    sa.Column("local_commitment", sa.Integer(), nullable=False),
    sa.Column("effort", sa.Integer(), nullable=False),
    sa.Column("score", sa.Integer(), nullable=False),
    sa.Column("zone", sa.String(length=6), nullable=False),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("assessed_by", sa.Integer(), nullable=True),
    sa.Column("assessed_at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["assessed_by"], ["user_account.id"], name=op.f("fk_dice_assessment_assessed_by_user_account")),
    sa.ForeignKeyConstraint(["initiative_id"], ["initiative.id"], name=op.f("fk_dice_assessment_initiative_id_initiative")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_dice_assessment"))
    )
    with op.batch_alter_table("dice_assessment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dice_assessment_initiative_id"), ["initiative_id"], unique=False)

    op.create_table("initiative_approval",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("initiative_id", sa.Integer(), nullable=False),
    sa.Column("user_id", sa.Integer(), nullable=True),
    sa.Column("decision", sa.String(length=10), nullable=False),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["initiative_id"], ["initiative.id"], name=op.f("fk_initiative_approval_initiative_id_initiative")),
    sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_initiative_approval_user_id_user_account")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_initiative_approval"))
    )
    with op.batch_alter_table("initiative_approval", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_initiative_approval_initiative_id"), ["initiative_id"], unique=False)

    op.create_table("initiative_impact",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("initiative_id", sa.Integer(), nullable=False),
    sa.Column("metric", sa.String(length=30), nullable=False),
    sa.Column("effect", sa.Double(), nullable=True),
    sa.Column("low", sa.Double(), nullable=True),
    sa.Column("high", sa.Double(), nullable=True),
    sa.Column("n_treated", sa.Integer(), nullable=False),
    sa.Column("n_control", sa.Integer(), nullable=False),
    sa.Column("revenue_effect", sa.Double(), nullable=True),
    sa.Column("churn_effect", sa.Double(), nullable=True),
    sa.Column("method", sa.Text(), nullable=False),
    sa.Column("detail", JSONType, nullable=False),
    sa.Column("computed_at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["initiative_id"], ["initiative.id"], name=op.f("fk_initiative_impact_initiative_id_initiative")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_initiative_impact")),
    sa.UniqueConstraint("initiative_id", name=op.f("uq_initiative_impact_initiative_id"))
    )
    op.create_table("initiative_link",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("initiative_id", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(length=12), nullable=False),
    sa.Column("ref_id", sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(["initiative_id"], ["initiative.id"], name=op.f("fk_initiative_link_initiative_id_initiative")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_initiative_link")),
    sa.UniqueConstraint("initiative_id", "kind", "ref_id", name=op.f("uq_initiative_link_initiative_id_kind_ref_id"))
    )
    with op.batch_alter_table("initiative_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_initiative_link_initiative_id"), ["initiative_id"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("initiative_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiative_link_initiative_id"))

    op.drop_table("initiative_link")
    op.drop_table("initiative_impact")
    with op.batch_alter_table("initiative_approval", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiative_approval_initiative_id"))

    op.drop_table("initiative_approval")
    with op.batch_alter_table("dice_assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dice_assessment_initiative_id"))

    op.drop_table("dice_assessment")
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiative_status"))

    op.drop_table("initiative")
    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.drop_index("ix_target_owner")

    op.drop_table("target")
    op.drop_table("digest_subscription")
    with op.batch_alter_table("digest_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_digest_run_user_id"))

    op.drop_table("digest_run")
