"""Decision batches: correspondences confirmed together («all suggestions above 90 %») can be undone together.

Revision ID: 0011_decision_batches
Revises: 0010_gain_event_logs

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_decision_batches'
down_revision = '0010_gain_event_logs'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('mapping_decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('batch', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_mapping_decisions_batch'), ['batch'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('mapping_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mapping_decisions_batch'))
        batch_op.drop_column('batch')
