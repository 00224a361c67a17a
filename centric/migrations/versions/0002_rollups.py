"""daily answer rollups

Revision ID: 0002_rollups
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_rollups"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_rollup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("touchpoint_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("metric", sa.String(length=20), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("promoters", sa.Integer(), nullable=False),
        sa.Column("detractors", sa.Integer(), nullable=False),
        sa.Column("satisfied", sa.Integer(), nullable=False),
        sa.Column("agree", sa.Integer(), nullable=False),
        sa.Column("total", sa.Double(), nullable=False),
        sa.Column("total_sq", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(["survey_id"], ["survey.id"], name=op.f("fk_answer_rollup_survey_id_survey")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_rollup")),
        sa.UniqueConstraint("day", "survey_id", "touchpoint_id", "channel", "metric",
                            name=op.f("uq_answer_rollup_day_survey_id_touchpoint_id_channel_metric")),
    )


def downgrade() -> None:
    op.drop_table("answer_rollup")
