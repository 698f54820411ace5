"""Step classes are kept, so that a change plan needs no alignment after a restart.

Revision ID: 0007_stored_step_classes
Revises: 0006_stored_proposals

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007_stored_step_classes'
down_revision = '0006_stored_proposals'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stored_step_classes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperation_id', sa.Integer(), nullable=False),
    sa.Column('process_type_id', sa.Integer(), nullable=False),
    sa.Column('inputs_key', sa.String(length=64), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cooperation_id'], ['cooperations.id'], name=op.f('fk_stored_step_classes_cooperation_id_cooperations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['process_type_id'], ['process_types.id'], name=op.f('fk_stored_step_classes_process_type_id_process_types'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_step_classes')),
    sa.UniqueConstraint('cooperation_id', 'process_type_id', 'inputs_key', name=op.f('uq_stored_step_classes_cooperation_id_process_type_id_inputs_key'))
    )
    with op.batch_alter_table('stored_step_classes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_step_classes_cooperation_id'), ['cooperation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stored_step_classes_process_type_id'), ['process_type_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('stored_step_classes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_step_classes_process_type_id'))
        batch_op.drop_index(batch_op.f('ix_stored_step_classes_cooperation_id'))

    op.drop_table('stored_step_classes')
