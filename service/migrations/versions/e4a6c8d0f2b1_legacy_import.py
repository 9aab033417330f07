"""legacy import (I10): import jobs, their row errors, persons waiting for an institution link

Revision ID: e4a6c8d0f2b1
Revises: d4e6f8a0b2c4
Create Date: 2026-12-02 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import service.core.extensions


# revision identifiers, used by Alembic.
revision = 'e4a6c8d0f2b1'
down_revision = 'd4e6f8a0b2c4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('dry_run', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('administration_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('file_format', sa.String(length=4), nullable=False),
    sa.Column('storage_key', sa.String(length=120), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=True),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('error_count', sa.Integer(), nullable=False),
    sa.Column('imported', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('checked_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', service.core.extensions.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', service.core.extensions.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', service.core.extensions.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['account.id'], name=op.f('fk_import_job_actor_id_account')),
    sa.ForeignKeyConstraint(['administration_id'], ['administration.id'], name=op.f('fk_import_job_administration_id_administration')),
    sa.ForeignKeyConstraint(['checked_by_id'], ['import_job.id'], name=op.f('fk_import_job_checked_by_id_import_job')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_job'))
    )
    op.create_index('ix_import_job_administration', 'import_job', ['administration_id', 'id'], unique=False)
    op.create_table('import_row_error',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('message', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['import_job.id'], name=op.f('fk_import_row_error_import_id_import_job'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_row_error'))
    )
    op.create_index('ix_import_row_error_job', 'import_row_error', ['import_id', 'row', 'id'], unique=False)
    op.create_table('import_placement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('person_name', sa.String(length=40), nullable=False),
    sa.Column('institution_name', sa.String(length=120), nullable=False),
    sa.Column('division_code', sa.String(length=6), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=True),
    sa.Column('linked_by_id', sa.Integer(), nullable=True),
    sa.Column('linked_at', service.core.extensions.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['import_id'], ['import_job.id'], name=op.f('fk_import_placement_import_id_import_job')),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_import_placement_institution_id_institution')),
    sa.ForeignKeyConstraint(['linked_by_id'], ['account.id'], name=op.f('fk_import_placement_linked_by_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_placement'))
    )
    op.create_index('ix_import_placement_job', 'import_placement', ['import_id', 'linked_at', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_import_placement_job', table_name='import_placement')
    op.drop_table('import_placement')
    op.drop_index('ix_import_row_error_job', table_name='import_row_error')
    op.drop_table('import_row_error')
    op.drop_index('ix_import_job_administration', table_name='import_job')
    op.drop_table('import_job')
