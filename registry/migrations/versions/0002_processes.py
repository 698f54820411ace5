"""Processes: process types, variants, standards, immutable process versions, pending uploads,
stored comparisons and mapping decisions.

Revision ID: 0002_processes
Revises: 0001_foundation

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0002_processes'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('process_types',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('name_nb', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('k_code', sa.String(length=50), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_process_types_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_types')),
    sa.UniqueConstraint('slug', name=op.f('uq_process_types_slug'))
    )
    op.create_table('pending_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('process_type_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=True),
    sa.Column('cooperation_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source_format', sa.String(length=30), nullable=False),
    sa.Column('source_filename', sa.String(length=255), nullable=False),
    sa.Column('options', sa.Text(), nullable=False),
    sa.Column('source_data', sa.LargeBinary(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('step_count', sa.Integer(), nullable=False),
    sa.CheckConstraint('(municipality_id IS NULL) <> (cooperation_id IS NULL)', name=op.f('ck_pending_uploads_one_target')),
    sa.ForeignKeyConstraint(['cooperation_id'], ['cooperations.id'], name=op.f('fk_pending_uploads_cooperation_id_cooperations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_pending_uploads_municipality_id_municipalities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['process_type_id'], ['process_types.id'], name=op.f('fk_pending_uploads_process_type_id_process_types'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pending_uploads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_uploads')),
    sa.UniqueConstraint('token', name=op.f('uq_pending_uploads_token'))
    )
    with op.batch_alter_table('pending_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_uploads_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_uploads_user_id'), ['user_id'], unique=False)

    op.create_table('standards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperation_id', sa.Integer(), nullable=False),
    sa.Column('process_type_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cooperation_id'], ['cooperations.id'], name=op.f('fk_standards_cooperation_id_cooperations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['process_type_id'], ['process_types.id'], name=op.f('fk_standards_process_type_id_process_types'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standards')),
    sa.UniqueConstraint('cooperation_id', 'process_type_id', name=op.f('uq_standards_cooperation_id_process_type_id'))
    )
    with op.batch_alter_table('standards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standards_cooperation_id'), ['cooperation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_standards_process_type_id'), ['process_type_id'], unique=False)

    op.create_table('variants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('process_type_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_variants_municipality_id_municipalities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['process_type_id'], ['process_types.id'], name=op.f('fk_variants_process_type_id_process_types'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_variants')),
    sa.UniqueConstraint('municipality_id', 'process_type_id', name=op.f('uq_variants_municipality_id_process_type_id'))
    )
    with op.batch_alter_table('variants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_variants_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_variants_process_type_id'), ['process_type_id'], unique=False)

    op.create_table('mapping_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_type_id', sa.Integer(), nullable=False),
    sa.Column('a_standard_id', sa.Integer(), nullable=True),
    sa.Column('a_variant_id', sa.Integer(), nullable=True),
    sa.Column('b_variant_id', sa.Integer(), nullable=False),
    sa.Column('a_step_id', sa.String(length=200), nullable=False),
    sa.Column('a_label', sa.Text(), nullable=False),
    sa.Column('b_step_id', sa.String(length=200), nullable=False),
    sa.Column('b_label', sa.Text(), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("decision IN ('confirmed', 'rejected')", name=op.f('ck_mapping_decisions_decision')),
    sa.CheckConstraint('(a_standard_id IS NULL) <> (a_variant_id IS NULL)', name=op.f('ck_mapping_decisions_one_side_a')),
    sa.ForeignKeyConstraint(['a_standard_id'], ['standards.id'], name=op.f('fk_mapping_decisions_a_standard_id_standards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['a_variant_id'], ['variants.id'], name=op.f('fk_mapping_decisions_a_variant_id_variants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['b_variant_id'], ['variants.id'], name=op.f('fk_mapping_decisions_b_variant_id_variants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_mapping_decisions_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['process_type_id'], ['process_types.id'], name=op.f('fk_mapping_decisions_process_type_id_process_types'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mapping_decisions'))
    )
    with op.batch_alter_table('mapping_decisions', schema=None) as batch_op:
        batch_op.create_index('ix_mapping_decisions_sides', ['b_variant_id', 'a_standard_id', 'a_variant_id'], unique=False)

    op.create_table('process_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('variant_id', sa.Integer(), nullable=True),
    sa.Column('standard_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('source_format', sa.String(length=30), nullable=False),
    sa.Column('source_filename', sa.String(length=255), nullable=False),
    sa.Column('source_data', sa.LargeBinary(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('step_count', sa.Integer(), nullable=False),
    sa.Column('restored_from_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('effective_from', sa.Date(), nullable=True),
    sa.Column('effective_to', sa.Date(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IS NULL OR status IN ('draft', 'approved', 'published')", name=op.f('ck_process_versions_status')),
    sa.CheckConstraint('(variant_id IS NULL) <> (standard_id IS NULL)', name=op.f('ck_process_versions_one_owner')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_process_versions_approved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_process_versions_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_process_versions_published_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['restored_from_id'], ['process_versions.id'], name=op.f('fk_process_versions_restored_from_id_process_versions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['standard_id'], ['standards.id'], name=op.f('fk_process_versions_standard_id_standards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['variant_id'], ['variants.id'], name=op.f('fk_process_versions_variant_id_variants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_versions')),
    sa.UniqueConstraint('standard_id', 'number', name=op.f('uq_process_versions_standard_id_number')),
    sa.UniqueConstraint('variant_id', 'number', name=op.f('uq_process_versions_variant_id_number'))
    )
    with op.batch_alter_table('process_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_versions_standard_id'), ['standard_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_versions_variant_id'), ['variant_id'], unique=False)

    op.create_table('comparisons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_a_id', sa.Integer(), nullable=False),
    sa.Column('version_b_id', sa.Integer(), nullable=False),
    sa.Column('engine_version', sa.String(length=30), nullable=False),
    sa.Column('parameters', sa.Text(), nullable=False),
    sa.Column('parameters_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('diagram_nb', sa.Text(), nullable=False),
    sa.Column('diagram_en', sa.Text(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('overall', sa.Float(), nullable=True),
    sa.Column('labels', sa.Float(), nullable=True),
    sa.Column('structure', sa.Float(), nullable=True),
    sa.Column('behaviour', sa.Float(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'done', 'failed')", name=op.f('ck_comparisons_status')),
    sa.ForeignKeyConstraint(['version_a_id'], ['process_versions.id'], name=op.f('fk_comparisons_version_a_id_process_versions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_b_id'], ['process_versions.id'], name=op.f('fk_comparisons_version_b_id_process_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comparisons')),
    sa.UniqueConstraint('version_a_id', 'version_b_id', 'engine_version', 'parameters_hash', name=op.f('uq_comparisons_version_a_id_version_b_id_engine_version_parameters_hash'))
    )
    with op.batch_alter_table('comparisons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comparisons_version_a_id'), ['version_a_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comparisons_version_b_id'), ['version_b_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('comparisons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comparisons_version_b_id'))
        batch_op.drop_index(batch_op.f('ix_comparisons_version_a_id'))

    op.drop_table('comparisons')
    with op.batch_alter_table('process_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_versions_variant_id'))
        batch_op.drop_index(batch_op.f('ix_process_versions_standard_id'))

    op.drop_table('process_versions')
    with op.batch_alter_table('mapping_decisions', schema=None) as batch_op:
        batch_op.drop_index('ix_mapping_decisions_sides')

    op.drop_table('mapping_decisions')
    with op.batch_alter_table('variants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_variants_process_type_id'))
        batch_op.drop_index(batch_op.f('ix_variants_municipality_id'))

    op.drop_table('variants')
    with op.batch_alter_table('standards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_standards_process_type_id'))
        batch_op.drop_index(batch_op.f('ix_standards_cooperation_id'))

    op.drop_table('standards')
    with op.batch_alter_table('pending_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_uploads_user_id'))
        batch_op.drop_index(batch_op.f('ix_pending_uploads_expires_at'))

    op.drop_table('pending_uploads')
    op.drop_table('process_types')
