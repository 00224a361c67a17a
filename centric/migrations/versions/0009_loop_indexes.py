"""closed loop: indexes for the inbox's SLA tabs, the loop KPIs and the outer loop's date range

Revision ID: 0009_loop_indexes
Revises: 0008_loop
"""

from alembic import op

revision = "0009_loop_indexes"
down_revision = "0008_loop"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.create_index("ix_case_finished", ["closed_at", "resolved_at"], unique=False)
        batch_op.create_index("ix_case_sla_state", ["sla_state", "status"], unique=False)
        batch_op.create_index("ix_case_kpis", ["created_at", "merged_into_id", "status", "team_id", "metric", "score",
                                               "first_contact_at", "resolved_at", "closed_at", "resolution_due_at",
                                               "root_cause_id", "recovered"], unique=False)
    op.execute("ANALYZE case_record")  # planner statistics for the new indexes (SQLite has none otherwise)


def downgrade() -> None:
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.drop_index("ix_case_kpis")
        batch_op.drop_index("ix_case_sla_state")
        batch_op.drop_index("ix_case_finished")
