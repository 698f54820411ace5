"""Gain event logs: what an uploaded event log measured for a member's process (the discovered process, not the log).

Revision ID: 0010_gain_event_logs
Revises: 0009_gain_plan

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010_gain_event_logs'
down_revision = '0009_gain_plan'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('gain_event_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('variant_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('log', sa.JSON(), nullable=False),
    sa.Column('cases', sa.Integer(), nullable=False),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.Column('period_days', sa.Float(), nullable=False),
    sa.Column('period_given', sa.Boolean(), nullable=False),
    sa.Column('first_event', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_event', sa.DateTime(timezone=True), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('period_days > 0', name=op.f('ck_gain_event_logs_period_days')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_gain_event_logs_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['variant_id'], ['variants.id'], name=op.f('fk_gain_event_logs_variant_id_variants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gain_event_logs'))
    )
    with op.batch_alter_table('gain_event_logs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gain_event_logs_uploaded_by_id'), ['uploaded_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gain_event_logs_variant_id'), ['variant_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('gain_event_logs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gain_event_logs_variant_id'))
        batch_op.drop_index(batch_op.f('ix_gain_event_logs_uploaded_by_id'))

    op.drop_table('gain_event_logs')
