"""Gains: the cooperation's hourly cost and default savings, each member's inputs per process and step.

Revision ID: 0008_gains
Revises: 0007_stored_step_classes

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008_gains'
down_revision = '0007_stored_step_classes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('gain_assumptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperation_id', sa.Integer(), nullable=False),
    sa.Column('hourly_cost_nok', sa.Float(), nullable=True),
    sa.Column('hourly_cost_source', sa.String(length=500), nullable=False),
    sa.Column('savings_source', sa.String(length=500), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('hourly_cost_nok IS NULL OR hourly_cost_nok >= 0', name=op.f('ck_gain_assumptions_hourly_cost')),
    sa.ForeignKeyConstraint(['cooperation_id'], ['cooperations.id'], name=op.f('fk_gain_assumptions_cooperation_id_cooperations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_gain_assumptions_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gain_assumptions'))
    )
    with op.batch_alter_table('gain_assumptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gain_assumptions_cooperation_id'), ['cooperation_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_gain_assumptions_updated_by_id'), ['updated_by_id'], unique=False)

    op.create_table('gain_mode_savings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperation_id', sa.Integer(), nullable=False),
    sa.Column('source_mode', sa.String(length=20), nullable=False),
    sa.Column('target_mode', sa.String(length=20), nullable=False),
    sa.Column('low', sa.Float(), nullable=False),
    sa.Column('expected', sa.Float(), nullable=False),
    sa.Column('high', sa.Float(), nullable=False),
    sa.CheckConstraint('0 <= low AND low <= expected AND expected <= high AND high <= 1', name=op.f('ck_gain_mode_savings_ordered_shares')),
    sa.ForeignKeyConstraint(['cooperation_id'], ['cooperations.id'], name=op.f('fk_gain_mode_savings_cooperation_id_cooperations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gain_mode_savings')),
    sa.UniqueConstraint('cooperation_id', 'source_mode', 'target_mode', name=op.f('uq_gain_mode_savings_cooperation_id_source_mode_target_mode'))
    )
    with op.batch_alter_table('gain_mode_savings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gain_mode_savings_cooperation_id'), ['cooperation_id'], unique=False)

    op.create_table('gain_process_inputs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('variant_id', sa.Integer(), nullable=False),
    sa.Column('cases_source', sa.String(length=500), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_gain_process_inputs_updated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['variant_id'], ['variants.id'], name=op.f('fk_gain_process_inputs_variant_id_variants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gain_process_inputs'))
    )
    with op.batch_alter_table('gain_process_inputs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gain_process_inputs_updated_by_id'), ['updated_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gain_process_inputs_variant_id'), ['variant_id'], unique=True)

    op.create_table('gain_step_inputs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('variant_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.String(length=200), nullable=False),
    sa.Column('work_minutes', sa.Float(), nullable=True),
    sa.Column('postage_nok', sa.Float(), nullable=True),
    sa.Column('case_share', sa.Float(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('case_share IS NULL OR (case_share >= 0 AND case_share <= 1)', name=op.f('ck_gain_step_inputs_case_share')),
    sa.CheckConstraint('postage_nok IS NULL OR postage_nok >= 0', name=op.f('ck_gain_step_inputs_postage_nok')),
    sa.CheckConstraint('work_minutes IS NULL OR work_minutes >= 0', name=op.f('ck_gain_step_inputs_work_minutes')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_gain_step_inputs_updated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['variant_id'], ['variants.id'], name=op.f('fk_gain_step_inputs_variant_id_variants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gain_step_inputs')),
    sa.UniqueConstraint('variant_id', 'step_id', name=op.f('uq_gain_step_inputs_variant_id_step_id'))
    )
    with op.batch_alter_table('gain_step_inputs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gain_step_inputs_updated_by_id'), ['updated_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gain_step_inputs_variant_id'), ['variant_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('gain_step_inputs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gain_step_inputs_variant_id'))
        batch_op.drop_index(batch_op.f('ix_gain_step_inputs_updated_by_id'))

    op.drop_table('gain_step_inputs')
    with op.batch_alter_table('gain_process_inputs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gain_process_inputs_variant_id'))
        batch_op.drop_index(batch_op.f('ix_gain_process_inputs_updated_by_id'))

    op.drop_table('gain_process_inputs')
    with op.batch_alter_table('gain_mode_savings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gain_mode_savings_cooperation_id'))

    op.drop_table('gain_mode_savings')
    with op.batch_alter_table('gain_assumptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gain_assumptions_updated_by_id'))
        batch_op.drop_index(batch_op.f('ix_gain_assumptions_cooperation_id'))

    op.drop_table('gain_assumptions')
