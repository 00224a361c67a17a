"""mirror: staff directory, employee pulses with anonymous answers, CX maturity assessments

Revision ID: 0011_mirror
Revises: 0010_governance
"""

import sqlalchemy as sa
from alembic import op

from centric.db import JSONType

revision = "0011_mirror"
down_revision = "0010_governance"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("employee",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("external_id", sa.String(length=200), nullable=True),
    sa.Column("email", sa.String(length=320), nullable=True),
    sa.Column("name", sa.String(length=200), nullable=False),
    sa.Column("team_id", sa.Integer(), nullable=True),
    sa.Column("location", sa.String(length=120), nullable=False),
    sa.Column("job_title", sa.String(length=200), nullable=False),
    sa.Column("user_id", sa.Integer(), nullable=True),
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_employee_team_id_team")),
    sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_employee_user_id_user_account")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_employee")),
    sa.UniqueConstraint("email", name=op.f("uq_employee_email")),
    sa.UniqueConstraint("external_id", name=op.f("uq_employee_external_id"))
    )
    with op.batch_alter_table("employee", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_employee_team_id"), ["team_id"], unique=False)

    op.create_table("maturity_assessment",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("version", sa.String(length=20), nullable=False),
    sa.Column("title", sa.String(length=200), nullable=False),
    sa.Column("taken_on", sa.Date(), nullable=False),
    sa.Column("notes", sa.Text(), nullable=False),
    sa.Column("created_by", sa.Integer(), nullable=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["created_by"], ["user_account.id"], name=op.f("fk_maturity_assessment_created_by_user_account")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_maturity_assessment"))
    )
    op.create_table("pulse",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("key", sa.String(length=80), nullable=False),
    sa.Column("name", sa.String(length=200), nullable=False),
    sa.Column("kind", sa.String(length=20), nullable=False),
    sa.Column("items", JSONType, nullable=False),
    sa.Column("cadence", sa.String(length=10), nullable=False),
    sa.Column("open_days", sa.Integer(), nullable=False),
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.Column("created_by", sa.Integer(), nullable=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["created_by"], ["user_account.id"], name=op.f("fk_pulse_created_by_user_account")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_pulse")),
    sa.UniqueConstraint("key", name=op.f("uq_pulse_key"))
    )
    op.create_table("maturity_rating",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("assessment_id", sa.Integer(), nullable=False),
    sa.Column("item_key", sa.String(length=80), nullable=False),
    sa.Column("rating", sa.Integer(), nullable=False),
    sa.Column("note", sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(["assessment_id"], ["maturity_assessment.id"], name=op.f("fk_maturity_rating_assessment_id_maturity_assessment")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_maturity_rating")),
    sa.UniqueConstraint("assessment_id", "item_key", name=op.f("uq_maturity_rating_assessment_id_item_key"))
    )
    with op.batch_alter_table("maturity_rating", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_maturity_rating_assessment_id"), ["assessment_id"], unique=False)

    op.create_table("pulse_wave",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("pulse_id", sa.Integer(), nullable=False),
    sa.Column("period_key", sa.String(length=20), nullable=False),
    sa.Column("opens_on", sa.Date(), nullable=False),
    sa.Column("closes_on", sa.Date(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["pulse_id"], ["pulse.id"], name=op.f("fk_pulse_wave_pulse_id_pulse")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_pulse_wave")),
    sa.UniqueConstraint("pulse_id", "period_key", name=op.f("uq_pulse_wave_pulse_id_period_key"))
    )
    with op.batch_alter_table("pulse_wave", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pulse_wave_pulse_id"), ["pulse_id"], unique=False)

    op.create_table("pulse_invitation",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("wave_id", sa.Integer(), nullable=False),
    sa.Column("employee_id", sa.Integer(), nullable=False),
    sa.Column("token_hash", sa.String(length=64), nullable=False),
    sa.Column("sent_at", sa.DateTime(), nullable=True),
    sa.Column("answered", sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(["employee_id"], ["employee.id"], name=op.f("fk_pulse_invitation_employee_id_employee")),
    sa.ForeignKeyConstraint(["wave_id"], ["pulse_wave.id"], name=op.f("fk_pulse_invitation_wave_id_pulse_wave")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_pulse_invitation")),
    sa.UniqueConstraint("token_hash", name=op.f("uq_pulse_invitation_token_hash")),
    sa.UniqueConstraint("wave_id", "employee_id", name=op.f("uq_pulse_invitation_wave_id_employee_id"))
    )
    with op.batch_alter_table("pulse_invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pulse_invitation_employee_id"), ["employee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pulse_invitation_wave_id"), ["wave_id"], unique=False)

    op.create_table("pulse_response",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("wave_id", sa.Integer(), nullable=False),
    sa.Column("team_id", sa.Integer(), nullable=True),
    sa.Column("location", sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_pulse_response_team_id_team")),
    sa.ForeignKeyConstraint(["wave_id"], ["pulse_wave.id"], name=op.f("fk_pulse_response_wave_id_pulse_wave")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_pulse_response"))
    )
    with op.batch_alter_table("pulse_response", schema=None) as batch_op:
        batch_op.create_index("ix_pulse_response_groups", ["wave_id", "team_id", "location"], unique=False)

    op.create_table("employee_touchpoint",
    sa.Column("employee_id", sa.Integer(), nullable=False),
    sa.Column("touchpoint_id", sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(["employee_id"], ["employee.id"], name=op.f("fk_employee_touchpoint_employee_id_employee")),
    sa.ForeignKeyConstraint(["touchpoint_id"], ["touchpoint.id"], name=op.f("fk_employee_touchpoint_touchpoint_id_touchpoint")),
    sa.PrimaryKeyConstraint("employee_id", "touchpoint_id", name=op.f("pk_employee_touchpoint"))
    )
    with op.batch_alter_table("employee_touchpoint", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_employee_touchpoint_touchpoint_id"), ["touchpoint_id"], unique=False)

    op.create_table("pulse_answer",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("response_id", sa.Integer(), nullable=False),
    sa.Column("item_key", sa.String(length=80), nullable=False),
    sa.Column("scale", sa.String(length=12), nullable=False),
    sa.Column("touchpoint_id", sa.Integer(), nullable=True),
    sa.Column("number", sa.Double(), nullable=True),
    sa.Column("text", sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(["response_id"], ["pulse_response.id"], name=op.f("fk_pulse_answer_response_id_pulse_response")),
    sa.ForeignKeyConstraint(["touchpoint_id"], ["touchpoint.id"], name=op.f("fk_pulse_answer_touchpoint_id_touchpoint")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_pulse_answer"))
    )
    with op.batch_alter_table("pulse_answer", schema=None) as batch_op:
        batch_op.create_index("ix_pulse_answer_item", ["response_id", "item_key"], unique=False)

    op.create_table("scorecard_view",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("team_id", sa.Integer(), nullable=True),
    sa.Column("viewed_on", sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_scorecard_view_team_id_team")),
    sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_scorecard_view_user_id_user_account")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_scorecard_view")),
    sa.UniqueConstraint("user_id", "viewed_on", name=op.f("uq_scorecard_view_user_id_viewed_on"))
    )
    with op.batch_alter_table("scorecard_view", schema=None) as batch_op:
        batch_op.create_index("ix_scorecard_view_day", ["viewed_on", "team_id"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("scorecard_view", schema=None) as batch_op:
        batch_op.drop_index("ix_scorecard_view_day")

    op.drop_table("scorecard_view")
    with op.batch_alter_table("pulse_answer", schema=None) as batch_op:
        batch_op.drop_index("ix_pulse_answer_item")

    op.drop_table("pulse_answer")
    with op.batch_alter_table("employee_touchpoint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_employee_touchpoint_touchpoint_id"))

    op.drop_table("employee_touchpoint")
    with op.batch_alter_table("pulse_response", schema=None) as batch_op:
        batch_op.drop_index("ix_pulse_response_groups")

    op.drop_table("pulse_response")
    with op.batch_alter_table("pulse_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pulse_invitation_wave_id"))
        batch_op.drop_index(batch_op.f("ix_pulse_invitation_employee_id"))

    op.drop_table("pulse_invitation")
    with op.batch_alter_table("pulse_wave", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pulse_wave_pulse_id"))

    op.drop_table("pulse_wave")
    with op.batch_alter_table("maturity_rating", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_maturity_rating_assessment_id"))

    op.drop_table("maturity_rating")
    op.drop_table("pulse")
    op.drop_table("maturity_assessment")
    with op.batch_alter_table("employee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_employee_team_id"))

    op.drop_table("employee")
