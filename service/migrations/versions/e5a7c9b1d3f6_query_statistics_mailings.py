"""Combined query, statistics and mailings: institution names sorted by pinyin (ICU zh-x-icu on
PostgreSQL), indexes for the usual filters and a province's statistics, the envelope and label
print batches

Revision ID: e5a7c9b1d3f6
Revises: cd3e9aa81fd5
Create Date: 2026-12-02 15:20:00

"""
import sqlalchemy as sa
from alembic import op

from service.core.extensions import UTCDateTime

revision = 'e5a7c9b1d3f6'
down_revision = 'cd3e9aa81fd5'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        # the (name, id) indexes are rebuilt in the new order, so keyset pages keep using them
        op.execute('ALTER TABLE institution ALTER COLUMN name TYPE VARCHAR(120) COLLATE "zh-x-icu"')
    with op.batch_alter_table('institution', schema=None) as batch_op:
        # id and name ride along (PostgreSQL) so that counts, name filters and EXISTS on the
        # subjects are answered from the index alone
        batch_op.create_index('ix_institution_province_facets', [
            'province_code', 'category_code', 'management_class', 'status', 'beds', 'city_code'],
            postgresql_include=['id', 'name'])
        batch_op.create_index('ix_institution_province_beds', ['province_code', 'beds'])
    op.create_table(
        'mailing_batch',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('layout', sa.String(length=12), nullable=False),
        sa.Column('query', sa.String(length=1000), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('total', sa.Integer(), nullable=True),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('pages', sa.Integer(), nullable=True),
        sa.Column('file_key', sa.String(length=200), nullable=True),
        sa.Column('error', sa.String(length=200), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('finished_at', UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['account.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('mailing_batch', schema=None) as batch_op:
        batch_op.create_index('ix_mailing_batch_account_id', ['account_id'])


def downgrade():
    op.drop_table('mailing_batch')
    with op.batch_alter_table('institution', schema=None) as batch_op:
        batch_op.drop_index('ix_institution_province_beds')
        batch_op.drop_index('ix_institution_province_facets')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE institution ALTER COLUMN name TYPE VARCHAR(120) COLLATE "default"')
