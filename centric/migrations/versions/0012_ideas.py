"""ideas portal: boards, ideas, votes, comments, status history, notices, merges, links, reports, re-surveys

Revision ID: 0012_ideas
Revises: 0011_mirror
"""

import sqlalchemy as sa
from alembic import op

from centric.db import JSONType

revision = '0012_ideas'
down_revision = '0011_mirror'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('idea_board',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('names', JSONType, nullable=False),
    sa.Column('descriptions', JSONType, nullable=False),
    sa.Column('vote_budget', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_board')),
    sa.UniqueConstraint('key', name=op.f('uq_idea_board_key'))
    )
    op.create_table('idea',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('moderation', sa.String(length=10), nullable=False),
    sa.Column('locked', sa.Boolean(), nullable=False),
    sa.Column('spam_score', sa.Double(), nullable=False),
    sa.Column('vote_count', sa.Integer(), nullable=False),
    sa.Column('comment_count', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('source_ref', sa.String(length=120), nullable=False),
    sa.Column('idempotency_key', sa.String(length=80), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['board_id'], ['idea_board.id'], name=op.f('fk_idea_board_id_idea_board')),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_idea_created_by_user_account')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_idea_customer_id_customer')),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['idea.id'], name=op.f('fk_idea_duplicate_of_id_idea')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_idea_idempotency_key'))
    )
    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.create_index('ix_idea_board_status', ['board_id', 'status'], unique=False)
        batch_op.create_index('ix_idea_customer', ['customer_id'], unique=False)

    op.create_table('idea_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('origin_idea_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=80), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('official', sa.Boolean(), nullable=False),
    sa.Column('moderation', sa.String(length=10), nullable=False),
    sa.Column('spam_score', sa.Double(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=80), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('edited_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_idea_comment_customer_id_customer')),
    sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], name=op.f('fk_idea_comment_idea_id_idea')),
    sa.ForeignKeyConstraint(['origin_idea_id'], ['idea.id'], name=op.f('fk_idea_comment_origin_idea_id_idea')),
    sa.ForeignKeyConstraint(['parent_id'], ['idea_comment.id'], name=op.f('fk_idea_comment_parent_id_idea_comment')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_idea_comment_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_comment')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_idea_comment_idempotency_key'))
    )
    with op.batch_alter_table('idea_comment', schema=None) as batch_op:
        batch_op.create_index('ix_idea_comment_customer', ['customer_id'], unique=False)
        batch_op.create_index('ix_idea_comment_idea', ['idea_id', 'created_at'], unique=False)

    op.create_table('idea_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('ref', sa.String(length=120), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_idea_link_created_by_user_account')),
    sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], name=op.f('fk_idea_link_idea_id_idea')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_link')),
    sa.UniqueConstraint('idea_id', 'kind', 'ref', name=op.f('uq_idea_link_idea_id_kind_ref'))
    )
    with op.batch_alter_table('idea_link', schema=None) as batch_op:
        batch_op.create_index('ix_idea_link_ref', ['kind', 'ref'], unique=False)

    op.create_table('idea_merge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('duplicate_id', sa.Integer(), nullable=False),
    sa.Column('original_id', sa.Integer(), nullable=False),
    sa.Column('previous_status', sa.String(length=16), nullable=False),
    sa.Column('moved_vote_ids', JSONType, nullable=False),
    sa.Column('superseded_vote_ids', JSONType, nullable=False),
    sa.Column('moved_comment_ids', JSONType, nullable=False),
    sa.Column('merged_by', sa.Integer(), nullable=True),
    sa.Column('merged_at', sa.DateTime(), nullable=False),
    sa.Column('undone_by', sa.Integer(), nullable=True),
    sa.Column('undone_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['duplicate_id'], ['idea.id'], name=op.f('fk_idea_merge_duplicate_id_idea')),
    sa.ForeignKeyConstraint(['merged_by'], ['user_account.id'], name=op.f('fk_idea_merge_merged_by_user_account')),
    sa.ForeignKeyConstraint(['original_id'], ['idea.id'], name=op.f('fk_idea_merge_original_id_idea')),
    sa.ForeignKeyConstraint(['undone_by'], ['user_account.id'], name=op.f('fk_idea_merge_undone_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_merge'))
    )
    op.create_table('idea_status_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=False),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], name=op.f('fk_idea_status_change_idea_id_idea')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_idea_status_change_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_status_change'))
    )
    with op.batch_alter_table('idea_status_change', schema=None) as batch_op:
        batch_op.create_index('ix_idea_status_change_idea', ['idea_id', 'created_at'], unique=False)

    op.create_table('idea_vote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('origin_idea_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('superseded', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_idea_vote_customer_id_customer')),
    sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], name=op.f('fk_idea_vote_idea_id_idea')),
    sa.ForeignKeyConstraint(['origin_idea_id'], ['idea.id'], name=op.f('fk_idea_vote_origin_idea_id_idea')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_vote')),
    sa.UniqueConstraint('idea_id', 'customer_id', name=op.f('uq_idea_vote_idea_id_customer_id'))
    )
    with op.batch_alter_table('idea_vote', schema=None) as batch_op:
        batch_op.create_index('ix_idea_vote_customer', ['customer_id'], unique=False)
        batch_op.create_index('ix_idea_vote_time', ['idea_id', 'created_at'], unique=False)

    op.create_table('idea_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('change_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['change_id'], ['idea_status_change.id'],
                            name=op.f('fk_idea_notice_change_id_idea_status_change')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_idea_notice_customer_id_customer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_notice')),
    sa.UniqueConstraint('change_id', 'customer_id', name=op.f('uq_idea_notice_change_id_customer_id'))
    )
    with op.batch_alter_table('idea_notice', schema=None) as batch_op:
        batch_op.create_index('ix_idea_notice_customer', ['customer_id', 'created_at'], unique=False)

    op.create_table('idea_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by', sa.Integer(), nullable=True),
    sa.Column('resolution', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['idea_comment.id'], name=op.f('fk_idea_report_comment_id_idea_comment')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_idea_report_customer_id_customer')),
    sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], name=op.f('fk_idea_report_idea_id_idea')),
    sa.ForeignKeyConstraint(['resolved_by'], ['user_account.id'], name=op.f('fk_idea_report_resolved_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_report'))
    )
    with op.batch_alter_table('idea_report', schema=None) as batch_op:
        batch_op.create_index('ix_idea_report_open', ['resolved_at', 'idea_id'], unique=False)

    op.create_table('idea_resurvey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('invited', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_idea_resurvey_created_by_user_account')),
    sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], name=op.f('fk_idea_resurvey_idea_id_idea')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_idea_resurvey_survey_id_survey')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_resurvey'))
    )


def downgrade() -> None:
    op.drop_table('idea_resurvey')
    with op.batch_alter_table('idea_report', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_report_open')

    op.drop_table('idea_report')
    with op.batch_alter_table('idea_notice', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_notice_customer')

    op.drop_table('idea_notice')
    with op.batch_alter_table('idea_vote', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_vote_time')
        batch_op.drop_index('ix_idea_vote_customer')

    op.drop_table('idea_vote')
    with op.batch_alter_table('idea_status_change', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_status_change_idea')

    op.drop_table('idea_status_change')
    op.drop_table('idea_merge')
    with op.batch_alter_table('idea_link', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_link_ref')

    op.drop_table('idea_link')
    with op.batch_alter_table('idea_comment', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_comment_idea')
        batch_op.drop_index('ix_idea_comment_customer')

    op.drop_table('idea_comment')
    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_customer')
        batch_op.drop_index('ix_idea_board_status')

    op.drop_table('idea')
    op.drop_table('idea_board')
