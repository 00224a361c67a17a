"""knowledge base and chat: categories, articles, question variants, versions, conversations, messages

Revision ID: 0014_kb_chat
Revises: 0013_journey_maps
"""

import sqlalchemy as sa
from alembic import op

from centric.db import JSONType

revision = '0014_kb_chat'
down_revision = '0013_journey_maps'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kb_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('names', JSONType, nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_category')),
    sa.UniqueConstraint('key', name=op.f('uq_kb_category_key'))
    )
    op.create_table('kb_article',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('group_key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['kb_category.id'],
                            name=op.f('fk_kb_article_category_id_kb_category'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_kb_article_created_by_user_account')),
    sa.ForeignKeyConstraint(['updated_by'], ['user_account.id'], name=op.f('fk_kb_article_updated_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_article')),
    sa.UniqueConstraint('slug', name=op.f('uq_kb_article_slug'))
    )
    with op.batch_alter_table('kb_article', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_article_category_id'), ['category_id'], unique=False)
        batch_op.create_index('ix_kb_article_group', ['group_key'], unique=False)
        batch_op.create_index('ix_kb_article_status_language', ['status', 'language'], unique=False)

    op.create_table('kb_article_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('variants', JSONType, nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('saved_by', sa.Integer(), nullable=True),
    sa.Column('saved_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_article.id'],
                            name=op.f('fk_kb_article_version_article_id_kb_article'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['saved_by'], ['user_account.id'],
                            name=op.f('fk_kb_article_version_saved_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_article_version')),
    sa.UniqueConstraint('article_id', 'version', name=op.f('uq_kb_article_version_article_id_version'))
    )
    op.create_table('kb_variant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_article.id'],
                            name=op.f('fk_kb_variant_article_id_kb_article'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_variant')),
    sa.UniqueConstraint('article_id', 'text', name=op.f('uq_kb_variant_article_id_text'))
    )
    with op.batch_alter_table('kb_variant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_variant_article_id'), ['article_id'], unique=False)

    op.create_table('chat_conversation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('start_key', sa.String(length=80), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('contact_email', sa.String(length=320), nullable=True),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('resolution', sa.String(length=12), nullable=True),
    sa.Column('handoff_reason', sa.String(length=12), nullable=True),
    sa.Column('closed_by', sa.String(length=10), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('feedback_id', sa.Integer(), nullable=True),
    sa.Column('page_url', sa.String(length=500), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('last_message_at', sa.DateTime(), nullable=False),
    sa.Column('handed_off_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('survey_sent_at', sa.DateTime(), nullable=True),
    sa.Column('survey_invitation_id', sa.Integer(), nullable=True),
    sa.Column('survey_skip_reason', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_record.id'],
                            name=op.f('fk_chat_conversation_case_id_case_record'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_chat_conversation_customer_id_customer')),
    sa.ForeignKeyConstraint(['survey_invitation_id'], ['invitation.id'],
                            name=op.f('fk_chat_conversation_survey_invitation_id_invitation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id'],
                            name=op.f('fk_chat_conversation_feedback_id_feedback'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_conversation')),
    sa.UniqueConstraint('start_key', name=op.f('uq_chat_conversation_start_key')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_chat_conversation_token_hash'))
    )
    with op.batch_alter_table('chat_conversation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chat_conversation_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_chat_conversation_customer', ['customer_id', 'started_at'], unique=False)
        batch_op.create_index('ix_chat_conversation_started', ['started_at'], unique=False)
        batch_op.create_index('ix_chat_conversation_status', ['status', 'last_message_at'], unique=False)

    op.create_table('chat_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=10), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('client_key', sa.String(length=80), nullable=True),
    sa.Column('article_id', sa.Integer(), nullable=True),
    sa.Column('candidates', JSONType, nullable=False),
    sa.Column('confidence', sa.Double(), nullable=True),
    sa.Column('abstained', sa.Boolean(), nullable=False),
    sa.Column('helpful', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_article.id'],
                            name=op.f('fk_chat_message_article_id_kb_article'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['conversation_id'], ['chat_conversation.id'],
                            name=op.f('fk_chat_message_conversation_id_chat_conversation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_chat_message_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_message')),
    sa.UniqueConstraint('conversation_id', 'client_key', name=op.f('uq_chat_message_conversation_id_client_key'))
    )
    with op.batch_alter_table('chat_message', schema=None) as batch_op:
        batch_op.create_index('ix_chat_message_article', ['article_id'], unique=False)
        batch_op.create_index('ix_chat_message_conversation', ['conversation_id', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('chat_message', schema=None) as batch_op:
        batch_op.drop_index('ix_chat_message_conversation')
        batch_op.drop_index('ix_chat_message_article')

    op.drop_table('chat_message')
    with op.batch_alter_table('chat_conversation', schema=None) as batch_op:
        batch_op.drop_index('ix_chat_conversation_status')
        batch_op.drop_index('ix_chat_conversation_started')
        batch_op.drop_index('ix_chat_conversation_customer')
        batch_op.drop_index(batch_op.f('ix_chat_conversation_case_id'))

    op.drop_table('chat_conversation')
    with op.batch_alter_table('kb_variant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_variant_article_id'))

    op.drop_table('kb_variant')
    op.drop_table('kb_article_version')
    with op.batch_alter_table('kb_article', schema=None) as batch_op:
        batch_op.drop_index('ix_kb_article_status_language')
        batch_op.drop_index('ix_kb_article_group')
        batch_op.drop_index(batch_op.f('ix_kb_article_category_id'))

    op.drop_table('kb_article')
    op.drop_table('kb_category')
