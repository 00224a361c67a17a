"""journey maps: designed emotions, touchpoint order and event kinds, conversion windows, per-customer journey steps and paths

Revision ID: 0013_journey_maps
Revises: 0012_ideas
"""

import sqlalchemy as sa
from alembic import op

from centric.db import JSONType

revision = '0013_journey_maps'
down_revision = '0012_ideas'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('journey_path',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('journey_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=400), nullable=False),
    sa.Column('steps', sa.Integer(), nullable=False),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.Column('last_at', sa.DateTime(), nullable=False),
    sa.Column('entry_channel', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_journey_path_customer_id_customer')),
    sa.ForeignKeyConstraint(['journey_id'], ['journey.id'], name=op.f('fk_journey_path_journey_id_journey')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journey_path')),
    sa.UniqueConstraint('customer_id', 'journey_id', name=op.f('uq_journey_path_customer_id_journey_id'))
    )
    with op.batch_alter_table('journey_path', schema=None) as batch_op:
        batch_op.create_index('ix_journey_path_path', ['journey_id', 'steps', 'path'], unique=False)
        batch_op.create_index('ix_journey_path_steps', ['journey_id', 'steps'], unique=False)

    op.create_table('journey_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('journey_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('reached_at', sa.DateTime(), nullable=False),
    sa.Column('since_previous_s', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_journey_step_customer_id_customer')),
    sa.ForeignKeyConstraint(['journey_id'], ['journey.id'], name=op.f('fk_journey_step_journey_id_journey')),
    sa.ForeignKeyConstraint(['stage_id'], ['stage.id'], name=op.f('fk_journey_step_stage_id_stage')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journey_step')),
    sa.UniqueConstraint('customer_id', 'journey_id', 'step', name=op.f('uq_journey_step_customer_id_journey_id_step'))
    )
    with op.batch_alter_table('journey_step', schema=None) as batch_op:
        batch_op.create_index('ix_journey_step_journey', ['journey_id', 'step'], unique=False)

    with op.batch_alter_table('journey', schema=None) as batch_op:
        batch_op.add_column(sa.Column('conversion_window_days', sa.Integer(), nullable=False, server_default='30'))

    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.Text(), nullable=False, server_default=''))

    with op.batch_alter_table('touchpoint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('position', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('description', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('designed_emotion', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('event_kinds', JSONType, nullable=False, server_default='[]'))



def downgrade() -> None:
    with op.batch_alter_table('touchpoint', schema=None) as batch_op:
        batch_op.drop_column('event_kinds')
        batch_op.drop_column('designed_emotion')
        batch_op.drop_column('description')
        batch_op.drop_column('position')

    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.drop_column('description')

    with op.batch_alter_table('journey', schema=None) as batch_op:
        batch_op.drop_column('conversion_window_days')

    with op.batch_alter_table('journey_step', schema=None) as batch_op:
        batch_op.drop_index('ix_journey_step_journey')

    op.drop_table('journey_step')
    with op.batch_alter_table('journey_path', schema=None) as batch_op:
        batch_op.drop_index('ix_journey_path_steps')
        batch_op.drop_index('ix_journey_path_path')

    op.drop_table('journey_path')
