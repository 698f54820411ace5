"""Proposals are computed by a job and kept, so the proposal page reads a stored result.

Revision ID: 0006_stored_proposals
Revises: 0005_follow_up

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006_stored_proposals'
down_revision = '0005_follow_up'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stored_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperation_id', sa.Integer(), nullable=False),
    sa.Column('process_type_id', sa.Integer(), nullable=False),
    sa.Column('inputs_key', sa.String(length=64), nullable=False),
    sa.Column('engine_version', sa.String(length=30), nullable=False),
    sa.Column('settings', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('view', sa.Text(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('failure', sa.String(length=20), nullable=False),
    sa.Column('job_id', sa.String(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'done', 'failed')", name=op.f('ck_stored_proposals_status')),
    sa.ForeignKeyConstraint(['cooperation_id'], ['cooperations.id'], name=op.f('fk_stored_proposals_cooperation_id_cooperations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['process_type_id'], ['process_types.id'], name=op.f('fk_stored_proposals_process_type_id_process_types'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_stored_proposals_requested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_proposals')),
    sa.UniqueConstraint('cooperation_id', 'process_type_id', 'inputs_key', 'engine_version', name=op.f('uq_stored_proposals_cooperation_id_process_type_id_inputs_key_engine_version'))
    )
    with op.batch_alter_table('stored_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_proposals_cooperation_id'), ['cooperation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stored_proposals_process_type_id'), ['process_type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stored_proposals_requested_by_id'), ['requested_by_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('stored_proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_proposals_requested_by_id'))
        batch_op.drop_index(batch_op.f('ix_stored_proposals_process_type_id'))
        batch_op.drop_index(batch_op.f('ix_stored_proposals_cooperation_id'))

    op.drop_table('stored_proposals')
