"""Members follow up their change plans and justify deviations; proposals can weight members.

Revision ID: 0005_follow_up
Revises: 0004_drawings

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005_follow_up'
down_revision = '0004_drawings'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('justified_deviations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('variant_id', sa.Integer(), nullable=False),
    sa.Column('cooperation_id', sa.Integer(), nullable=False),
    sa.Column('standard_step_id', sa.String(length=200), nullable=False),
    sa.Column('standard_step_label', sa.String(length=300), nullable=False),
    sa.Column('variant_step_label', sa.String(length=300), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('change_text', sa.Text(), nullable=False),
    sa.Column('change_text_en', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("category IN ('law', 'local_regulation', 'organisation', 'system', 'temporary')", name=op.f('ck_justified_deviations_category')),
    sa.CheckConstraint("standard_step_label <> '' OR variant_step_label <> ''", name=op.f('ck_justified_deviations_names_a_step')),
    sa.ForeignKeyConstraint(['cooperation_id'], ['cooperations.id'], name=op.f('fk_justified_deviations_cooperation_id_cooperations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_justified_deviations_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['variant_id'], ['variants.id'], name=op.f('fk_justified_deviations_variant_id_variants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_justified_deviations')),
    sa.UniqueConstraint('variant_id', 'cooperation_id', 'standard_step_id', 'standard_step_label', 'variant_step_label', name=op.f('uq_justified_deviations_variant_id_cooperation_id_standard_step_id_standard_step_label_variant_step_label'))
    )
    with op.batch_alter_table('justified_deviations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_justified_deviations_cooperation_id'), ['cooperation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_justified_deviations_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_justified_deviations_variant_id'), ['variant_id'], unique=False)

    op.create_table('change_follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('variant_id', sa.Integer(), nullable=False),
    sa.Column('cooperation_id', sa.Integer(), nullable=False),
    sa.Column('change_key', sa.String(length=700), nullable=False),
    sa.Column('change_text', sa.Text(), nullable=False),
    sa.Column('change_text_en', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('planned_for', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('automatic', sa.Boolean(), nullable=False),
    sa.Column('done_in_version_id', sa.Integer(), nullable=True),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status <> 'planned' OR planned_for IS NOT NULL", name=op.f('ck_change_follow_ups_planned_has_date')),
    sa.CheckConstraint("status IN ('not_started', 'planned', 'in_progress', 'done')", name=op.f('ck_change_follow_ups_status')),
    sa.ForeignKeyConstraint(['cooperation_id'], ['cooperations.id'], name=op.f('fk_change_follow_ups_cooperation_id_cooperations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['done_in_version_id'], ['process_versions.id'], name=op.f('fk_change_follow_ups_done_in_version_id_process_versions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_change_follow_ups_set_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['variant_id'], ['variants.id'], name=op.f('fk_change_follow_ups_variant_id_variants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_follow_ups')),
    sa.UniqueConstraint('variant_id', 'cooperation_id', 'change_key', name=op.f('uq_change_follow_ups_variant_id_cooperation_id_change_key'))
    )
    with op.batch_alter_table('change_follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_follow_ups_cooperation_id'), ['cooperation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_follow_ups_set_by_id'), ['set_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_follow_ups_variant_id'), ['variant_id'], unique=False)

    with op.batch_alter_table('municipalities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('population', sa.Integer(), nullable=True))

    with op.batch_alter_table('variants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cases_per_year', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('variants', schema=None) as batch_op:
        batch_op.drop_column('cases_per_year')

    with op.batch_alter_table('municipalities', schema=None) as batch_op:
        batch_op.drop_column('population')

    with op.batch_alter_table('change_follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_follow_ups_variant_id'))
        batch_op.drop_index(batch_op.f('ix_change_follow_ups_set_by_id'))
        batch_op.drop_index(batch_op.f('ix_change_follow_ups_cooperation_id'))

    op.drop_table('change_follow_ups')
    with op.batch_alter_table('justified_deviations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_justified_deviations_variant_id'))
        batch_op.drop_index(batch_op.f('ix_justified_deviations_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_justified_deviations_cooperation_id'))

    op.drop_table('justified_deviations')
