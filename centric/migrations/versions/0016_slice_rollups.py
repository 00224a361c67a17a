"""segment rollups (every slice from rollups) and index-backed text search

Revision ID: 0016_slice_rollups
Revises: 0014_kb_chat
"""

import sqlalchemy as sa
from alembic import op

from centric import search

revision = "0016_slice_rollups"
down_revision = "0014_kb_chat"
branch_labels = None
depends_on = None

SUMS = ("n", "promoters", "detractors", "satisfied", "agree", "total", "total_sq")


def upgrade() -> None:
    op.create_table(
        "segment_rollup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
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
        sa.ForeignKeyConstraint(["segment_id"], ["segment.id"], name=op.f("fk_segment_rollup_segment_id_segment"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["survey_id"], ["survey.id"], name=op.f("fk_segment_rollup_survey_id_survey")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segment_rollup")),
        sa.UniqueConstraint("segment_id", "day", "survey_id", "touchpoint_id", "channel", "metric",
                            name=op.f("uq_segment_rollup_segment_id_day_survey_id_touchpoint_id_channel_metric")),
    )
    op.create_index("ix_segment_rollup_metric_segment", "segment_rollup",
                    ["metric", "segment_id", "day", *SUMS], unique=False)
    # Existing answers count at once in their customers' segments (the same sums as the rollup module).
    day = "date(r.submitted_at)" if op.get_bind().dialect.name == "sqlite" else "CAST(r.submitted_at AS DATE)"
    op.execute(f"""
        INSERT INTO segment_rollup (segment_id, day, survey_id, touchpoint_id, channel, metric, {", ".join(SUMS)})
        SELECT cs.segment_id, {day}, r.survey_id, COALESCE(r.touchpoint_id, 0), r.channel, a.metric,
               count(a.number),
               sum(CASE WHEN a.metric = 'nps' AND a.number >= 9 THEN 1 ELSE 0 END),
               sum(CASE WHEN a.metric = 'nps' AND a.number <= 6 THEN 1 ELSE 0 END),
               sum(CASE WHEN a.metric = 'csat' AND a.number >= 4 THEN 1 ELSE 0 END),
               sum(CASE WHEN a.metric = 'ces' AND a.number >= 5 THEN 1 ELSE 0 END),
               sum(a.number), sum(a.number * a.number)
        FROM customer_segment cs
        JOIN response r ON r.customer_id = cs.customer_id
        JOIN answer a ON a.response_id = r.id
        WHERE a.metric IN ('nps', 'csat', 'ces') AND a.number IS NOT NULL
        GROUP BY cs.segment_id, {day}, r.survey_id, COALESCE(r.touchpoint_id, 0), r.channel, a.metric
    """)
    # Verbatim and customer searches read trigram indexes (FTS5 on SQLite, pg_trgm on PostgreSQL).
    search.create(op.get_bind())


def downgrade() -> None:
    search.drop(op.get_bind())
    op.drop_index("ix_segment_rollup_metric_segment", table_name="segment_rollup")
    op.drop_table("segment_rollup")
