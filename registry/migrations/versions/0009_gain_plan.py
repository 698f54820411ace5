"""Gain plans: a member's gevinstrealiseringsplan per cooperation, with its baseline, and its lines.

Revision ID: 0009_gain_plan
Revises: 0008_gains

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009_gain_plan'
down_revision = '0008_gains'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('gain_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('variant_id', sa.Integer(), nullable=False),
    sa.Column('cooperation_id', sa.Integer(), nullable=False),
    sa.Column('baseline_date', sa.Date(), nullable=False),
    sa.Column('baseline_version_id', sa.Integer(), nullable=False),
    sa.Column('standard_version_id', sa.Integer(), nullable=True),
    sa.Column('baseline_inputs', sa.JSON(), nullable=False),
    sa.Column('baseline_expected', sa.JSON(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['baseline_version_id'], ['process_versions.id'], name=op.f('fk_gain_plans_baseline_version_id_process_versions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cooperation_id'], ['cooperations.id'], name=op.f('fk_gain_plans_cooperation_id_cooperations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['standard_version_id'], ['process_versions.id'], name=op.f('fk_gain_plans_standard_version_id_process_versions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_gain_plans_updated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['variant_id'], ['variants.id'], name=op.f('fk_gain_plans_variant_id_variants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gain_plans')),
    sa.UniqueConstraint('variant_id', 'cooperation_id', name=op.f('uq_gain_plans_variant_id_cooperation_id'))
    )
    with op.batch_alter_table('gain_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gain_plans_baseline_version_id'), ['baseline_version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gain_plans_cooperation_id'), ['cooperation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gain_plans_standard_version_id'), ['standard_version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gain_plans_updated_by_id'), ['updated_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gain_plans_variant_id'), ['variant_id'], unique=False)

    op.create_table('gain_plan_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('change_key', sa.String(length=700), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('measure', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['gain_plans.id'], name=op.f('fk_gain_plan_lines_plan_id_gain_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gain_plan_lines')),
    sa.UniqueConstraint('plan_id', 'change_key', name=op.f('uq_gain_plan_lines_plan_id_change_key'))
    )
    with op.batch_alter_table('gain_plan_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gain_plan_lines_plan_id'), ['plan_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('gain_plan_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gain_plan_lines_plan_id'))

    op.drop_table('gain_plan_lines')
    with op.batch_alter_table('gain_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gain_plans_variant_id'))
        batch_op.drop_index(batch_op.f('ix_gain_plans_updated_by_id'))
        batch_op.drop_index(batch_op.f('ix_gain_plans_standard_version_id'))
        batch_op.drop_index(batch_op.f('ix_gain_plans_cooperation_id'))
        batch_op.drop_index(batch_op.f('ix_gain_plans_baseline_version_id'))

    op.drop_table('gain_plans')
