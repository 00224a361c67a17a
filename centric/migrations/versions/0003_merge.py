"""join the parallel branches of the first release (rollups, jobs, surveys)

Revision ID: 0003_merge
Revises: 0002_rollups, 0002_jobs, 0002_surveys
"""

revision = "0003_merge"
down_revision = ("0002_rollups", "0002_jobs", "0002_surveys")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
