"""Jobs that die and bounded queued work: comparisons keep their job id, retries, failure reason and
who asked; version diffs of large processes are stored and computed by a job.

Revision ID: 0003_jobs
Revises: 0002_processes

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003_jobs'
down_revision = '0002_processes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('comparisons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failure', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('job_id', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('requested_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_comparisons_requested_by_id'), ['requested_by_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_comparisons_requested_by_id_users'), 'users', ['requested_by_id'], ['id'], ondelete='SET NULL'
        )
    # The defaults only fill the existing rows; the models set the values from now on.
    with op.batch_alter_table('comparisons', schema=None) as batch_op:
        batch_op.alter_column('failure', server_default=None)
        batch_op.alter_column('job_id', server_default=None)
        batch_op.alter_column('attempts', server_default=None)

    op.create_table('version_diffs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('older_id', sa.Integer(), nullable=False),
    sa.Column('newer_id', sa.Integer(), nullable=False),
    sa.Column('engine_version', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('failure', sa.String(length=20), nullable=False),
    sa.Column('job_id', sa.String(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'done', 'failed')", name=op.f('ck_version_diffs_status')),
    sa.ForeignKeyConstraint(['newer_id'], ['process_versions.id'], name=op.f('fk_version_diffs_newer_id_process_versions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['older_id'], ['process_versions.id'], name=op.f('fk_version_diffs_older_id_process_versions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_version_diffs_requested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_version_diffs')),
    sa.UniqueConstraint('older_id', 'newer_id', 'engine_version', name=op.f('uq_version_diffs_older_id_newer_id_engine_version'))
    )
    with op.batch_alter_table('version_diffs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_version_diffs_newer_id'), ['newer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_version_diffs_older_id'), ['older_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_version_diffs_requested_by_id'), ['requested_by_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('version_diffs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_version_diffs_requested_by_id'))
        batch_op.drop_index(batch_op.f('ix_version_diffs_older_id'))
        batch_op.drop_index(batch_op.f('ix_version_diffs_newer_id'))
    op.drop_table('version_diffs')
    with op.batch_alter_table('comparisons', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_comparisons_requested_by_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_comparisons_requested_by_id'))
        batch_op.drop_column('requested_by_id')
        batch_op.drop_column('attempts')
        batch_op.drop_column('job_id')
        batch_op.drop_column('failure')
