"""background jobs, outreach, outbound webhooks and feedback connectors

Revision ID: 0002_jobs
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002_jobs"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=True),
        sa.Column("run_at", sa.DateTime(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("locked_by", sa.String(length=120), nullable=True),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("dispatched_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_job_idempotency_key")),
    )
    op.create_index("ix_job_status_run_at", "job", ["status", "run_at"], unique=False)

    op.create_table(
        "invitation_delivery",
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=True),
        sa.Column("source", sa.String(length=120), nullable=False),
        sa.Column("send_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("last_reminded_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["invitation_id"], ["invitation.id"], ondelete="CASCADE",
                                name=op.f("fk_invitation_delivery_invitation_id_invitation")),
        sa.PrimaryKeyConstraint("invitation_id", name=op.f("pk_invitation_delivery")),
    )
    op.create_index(op.f("ix_invitation_delivery_status"), "invitation_delivery", ["status"], unique=False)
    op.create_index(op.f("ix_invitation_delivery_source"), "invitation_delivery", ["source"], unique=False)

    op.create_table(
        "suppression",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_suppression_customer_id_customer")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppression")),
        sa.UniqueConstraint("customer_id", "channel", name=op.f("uq_suppression_customer_id_channel")),
    )
    op.create_index(op.f("ix_suppression_customer_id"), "suppression", ["customer_id"], unique=False)

    op.create_table(
        "contact_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=True),
        sa.Column("conditions", JSON, nullable=False),
        sa.Column("max_contacts", sa.Integer(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["survey_id"], ["survey.id"], name=op.f("fk_contact_rule_survey_id_survey")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_rule")),
    )
    op.create_index(op.f("ix_contact_rule_survey_id"), "contact_rule", ["survey_id"], unique=False)

    op.create_table(
        "trigger_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("event_kind", sa.String(length=40), nullable=False),
        sa.Column("touchpoint_id", sa.Integer(), nullable=True),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("delay_minutes", sa.Integer(), nullable=False),
        sa.Column("max_event_age_hours", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["survey_id"], ["survey.id"], name=op.f("fk_trigger_rule_survey_id_survey")),
        sa.ForeignKeyConstraint(["touchpoint_id"], ["touchpoint.id"],
                                name=op.f("fk_trigger_rule_touchpoint_id_touchpoint")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trigger_rule")),
    )
    op.create_index(op.f("ix_trigger_rule_event_kind"), "trigger_rule", ["event_kind"], unique=False)

    op.create_table(
        "contact_skip",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("source", sa.String(length=120), nullable=False),
        sa.Column("detail", JSON, nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_contact_skip_customer_id_customer")),
        sa.ForeignKeyConstraint(["rule_id"], ["contact_rule.id"], name=op.f("fk_contact_skip_rule_id_contact_rule")),
        sa.ForeignKeyConstraint(["survey_id"], ["survey.id"], name=op.f("fk_contact_skip_survey_id_survey")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_skip")),
    )
    op.create_index(op.f("ix_contact_skip_at"), "contact_skip", ["at"], unique=False)
    op.create_index(op.f("ix_contact_skip_survey_id"), "contact_skip", ["survey_id"], unique=False)
    op.create_index(op.f("ix_contact_skip_source"), "contact_skip", ["source"], unique=False)
    op.create_index("ix_contact_skip_customer_time", "contact_skip", ["customer_id", "at"], unique=False)

    op.create_table(
        "webhook_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("events", JSON, nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"],
                                name=op.f("fk_webhook_subscription_created_by_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscription")),
    )

    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=80), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("response_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["subscription_id"], ["webhook_subscription.id"], ondelete="CASCADE",
                                name=op.f("fk_webhook_delivery_subscription_id_webhook_subscription")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_delivery")),
    )
    op.create_index(op.f("ix_webhook_delivery_subscription_id"), "webhook_delivery", ["subscription_id"], unique=False)
    op.create_index(op.f("ix_webhook_delivery_event_id"), "webhook_delivery", ["event_id"], unique=False)
    op.create_index(op.f("ix_webhook_delivery_status"), "webhook_delivery", ["status"], unique=False)

    op.create_table(
        "connector",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("auth", sa.String(length=10), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("hmac_secret", sa.String(length=100), nullable=True),
        sa.Column("mapping", JSON, nullable=False),
        sa.Column("items_path", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("last_received_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connector")),
        sa.UniqueConstraint("key", name=op.f("uq_connector_key")),
    )


def downgrade() -> None:
    for table in ("connector", "webhook_delivery", "webhook_subscription", "contact_skip", "trigger_rule",
                  "contact_rule", "suppression", "invitation_delivery", "job"):
        op.drop_table(table)
