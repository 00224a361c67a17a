"""closed loop: alert rules, cases, root causes, SLAs, customer value

Revision ID: 0008_loop
Revises: 0007_access
"""

import sqlalchemy as sa
from alembic import op

from centric.db import JSONType

revision = "0008_loop"
down_revision = "0007_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "business_calendar",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("timezone", sa.String(length=60), nullable=False),
        sa.Column("periods", JSONType, nullable=False),
        sa.Column("holiday_country", sa.String(length=8), nullable=True),
        sa.Column("holiday_subdivision", sa.String(length=16), nullable=True),
        sa.Column("extra_holidays", JSONType, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_calendar")),
        sa.UniqueConstraint("name", name=op.f("uq_business_calendar_name")),
    )
    op.create_table(
        "customer_value",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("clv", sa.Double(), nullable=False),
        sa.Column("p_alive", sa.Double(), nullable=False),
        sa.Column("churn_risk", sa.Double(), nullable=False),
        sa.Column("clv_band", sa.String(length=8), nullable=False),
        sa.Column("risk_band", sa.String(length=8), nullable=False),
        sa.Column("scored_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_customer_value_customer_id_customer"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer_value")),
    )
    op.create_table(
        "root_cause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["root_cause.id"], name=op.f("fk_root_cause_parent_id_root_cause")),
        sa.ForeignKeyConstraint(["theme_id"], ["theme.id"], name=op.f("fk_root_cause_theme_id_theme")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_root_cause")),
        sa.UniqueConstraint("code", name=op.f("uq_root_cause_code")),
    )
    op.create_table(
        "sla_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("conditions", JSONType, nullable=False),
        sa.Column("calendar_id", sa.Integer(), nullable=True),
        sa.Column("first_contact_minutes", sa.Integer(), nullable=True),
        sa.Column("next_response_minutes", sa.Integer(), nullable=True),
        sa.Column("resolution_minutes", sa.Integer(), nullable=True),
        sa.Column("at_risk_ratio", sa.Double(), nullable=False),
        sa.Column("escalation", JSONType, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["calendar_id"], ["business_calendar.id"], name=op.f("fk_sla_policy_calendar_id_business_calendar")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_policy")),
        sa.UniqueConstraint("name", name=op.f("uq_sla_policy_name")),
    )
    op.create_table(
        "alert_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("applies_to", sa.String(length=20), nullable=False),
        sa.Column("condition", JSONType, nullable=False),
        sa.Column("actions", JSONType, nullable=False),
        sa.Column("followup", JSONType, nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("dedupe_hours", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name=op.f("fk_alert_rule_created_by_user_account")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_alert_rule_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_rule")),
        sa.UniqueConstraint("name", name=op.f("uq_alert_rule_name")),
    )
    op.create_table(
        "saved_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("filters", JSONType, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_saved_view_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_view")),
        sa.UniqueConstraint("user_id", "name", name=op.f("uq_saved_view_user_id_name")),
    )
    op.create_table(
        "case_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=True),
        sa.Column("feedback_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("touchpoint_id", sa.Integer(), nullable=True),
        sa.Column("metric", sa.String(length=10), nullable=True),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("verbatim", sa.Text(), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("priority_score", sa.Double(), nullable=False),
        sa.Column("priority_reason", JSONType, nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("root_cause_id", sa.Integer(), nullable=True),
        sa.Column("action_taken", sa.Text(), nullable=False),
        sa.Column("recovered", sa.String(length=8), nullable=False),
        sa.Column("auto_closed", sa.Boolean(), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("sla_policy_id", sa.Integer(), nullable=True),
        sa.Column("first_contact_due_at", sa.DateTime(), nullable=True),
        sa.Column("next_response_due_at", sa.DateTime(), nullable=True),
        sa.Column("resolution_due_at", sa.DateTime(), nullable=True),
        sa.Column("paused_since", sa.DateTime(), nullable=True),
        sa.Column("paused_minutes", sa.Integer(), nullable=False),
        sa.Column("sla_state", sa.String(length=10), nullable=False),
        sa.Column("first_contact_at", sa.DateTime(), nullable=True),
        sa.Column("last_contact_at", sa.DateTime(), nullable=True),
        sa.Column("recovery_invitation_id", sa.Integer(), nullable=True),
        sa.Column("resurvey_invitation_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name=op.f("fk_case_record_created_by_user_account")
        ),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_case_record_customer_id_customer")),
        sa.ForeignKeyConstraint(
            ["feedback_id"], ["feedback.id"], name=op.f("fk_case_record_feedback_id_feedback"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["case_record.id"], name=op.f("fk_case_record_merged_into_id_case_record")
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["user_account.id"], name=op.f("fk_case_record_owner_id_user_account")),
        sa.ForeignKeyConstraint(
            ["recovery_invitation_id"],
            ["invitation.id"],
            name=op.f("fk_case_record_recovery_invitation_id_invitation"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"], ["response.id"], name=op.f("fk_case_record_response_id_response"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["resurvey_invitation_id"],
            ["invitation.id"],
            name=op.f("fk_case_record_resurvey_invitation_id_invitation"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["root_cause_id"], ["root_cause.id"], name=op.f("fk_case_record_root_cause_id_root_cause")
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["alert_rule.id"], name=op.f("fk_case_record_rule_id_alert_rule"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["sla_policy_id"],
            ["sla_policy.id"],
            name=op.f("fk_case_record_sla_policy_id_sla_policy"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_case_record_team_id_team")),
        sa.ForeignKeyConstraint(
            ["touchpoint_id"], ["touchpoint.id"], name=op.f("fk_case_record_touchpoint_id_touchpoint")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_record")),
    )
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.create_index("ix_case_created", ["created_at"], unique=False)
        batch_op.create_index("ix_case_customer_rule", ["customer_id", "rule_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_record_merged_into_id"), ["merged_into_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_record_root_cause_id"), ["root_cause_id"], unique=False)
        batch_op.create_index("ix_case_resolution_due", ["resolution_due_at"], unique=False)
        batch_op.create_index("ix_case_status_owner", ["status", "owner_id"], unique=False)
        batch_op.create_index("ix_case_team_status", ["team_id", "status"], unique=False)

    op.create_table(
        "case_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("detail", JSONType, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_record.id"], name=op.f("fk_case_activity_case_id_case_record"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_case_activity_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_activity")),
    )
    with op.batch_alter_table("case_activity", schema=None) as batch_op:
        batch_op.create_index("ix_case_activity_case", ["case_id", "at"], unique=False)

    op.create_table(
        "case_watcher",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_record.id"], name=op.f("fk_case_watcher_case_id_case_record"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_case_watcher_user_id_user_account")),
        sa.PrimaryKeyConstraint("case_id", "user_id", name=op.f("pk_case_watcher")),
    )
    with op.batch_alter_table("case_watcher", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_watcher_user_id"), ["user_id"], unique=False)

    op.create_table(
        "rule_match",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("retroactive", sa.Boolean(), nullable=False),
        sa.Column("matched_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_record.id"], name=op.f("fk_rule_match_case_id_case_record")),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_rule_match_customer_id_customer")),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["alert_rule.id"], name=op.f("fk_rule_match_rule_id_alert_rule"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_match")),
        sa.UniqueConstraint("rule_id", "source", "source_id", name=op.f("uq_rule_match_rule_id_source_source_id")),
    )
    with op.batch_alter_table("rule_match", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rule_match_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_rule_match_customer", ["customer_id", "rule_id", "matched_at"], unique=False)

    op.create_table(
        "sla_escalation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=20), nullable=False),
        sa.Column("stage", sa.String(length=10), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("fired_at", sa.DateTime(), nullable=False),
        sa.Column("detail", JSONType, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_record.id"], name=op.f("fk_sla_escalation_case_id_case_record"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_escalation")),
        sa.UniqueConstraint(
            "case_id",
            "target",
            "stage",
            "step",
            "due_at",
            name=op.f("uq_sla_escalation_case_id_target_stage_step_due_at"),
        ),
    )
    with op.batch_alter_table("sla_escalation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sla_escalation_case_id"), ["case_id"], unique=False)

    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lead_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("routing", sa.String(length=20), nullable=False, server_default="least_loaded"))
        batch_op.add_column(sa.Column("last_assigned_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_team_lead_id_user_account"), "user_account", ["lead_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_team_lead_id_user_account"), type_="foreignkey")
        batch_op.drop_column("last_assigned_id")
        batch_op.drop_column("routing")
        batch_op.drop_column("lead_id")

    with op.batch_alter_table("sla_escalation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sla_escalation_case_id"))

    op.drop_table("sla_escalation")
    with op.batch_alter_table("rule_match", schema=None) as batch_op:
        batch_op.drop_index("ix_rule_match_customer")
        batch_op.drop_index(batch_op.f("ix_rule_match_case_id"))

    op.drop_table("rule_match")
    with op.batch_alter_table("case_watcher", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_watcher_user_id"))

    op.drop_table("case_watcher")
    with op.batch_alter_table("case_activity", schema=None) as batch_op:
        batch_op.drop_index("ix_case_activity_case")

    op.drop_table("case_activity")
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.drop_index("ix_case_team_status")
        batch_op.drop_index("ix_case_status_owner")
        batch_op.drop_index("ix_case_resolution_due")
        batch_op.drop_index(batch_op.f("ix_case_record_root_cause_id"))
        batch_op.drop_index(batch_op.f("ix_case_record_merged_into_id"))
        batch_op.drop_index("ix_case_customer_rule")
        batch_op.drop_index("ix_case_created")

    op.drop_table("case_record")
    op.drop_table("saved_view")
    op.drop_table("alert_rule")
    op.drop_table("sla_policy")
    op.drop_table("root_cause")
    op.drop_table("customer_value")
    op.drop_table("business_calendar")
