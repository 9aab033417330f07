"""Seed gaps: replacement certificates (证书补办), saved inbox filters

Revision ID: b3d5e7f9a1c2
Revises: b3d9c4e1f5a7
Create Date: 2026-12-02 12:50:00

"""
import sqlalchemy as sa
from alembic import op

from service.core.extensions import UTCDateTime

revision = 'b3d5e7f9a1c2'
down_revision = 'b3d9c4e1f5a7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'certificate_replacement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('physician_id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('loss_kind', sa.String(length=8), nullable=False),
        sa.Column('replaced_on', sa.Date(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id']),
        sa.ForeignKeyConstraint(['physician_id'], ['physician.id']),
        sa.ForeignKeyConstraint(['registration_id'], ['practice_registration.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('certificate_replacement', schema=None) as batch_op:
        batch_op.create_index('ix_certificate_replacement_physician_id', ['physician_id'])
        batch_op.create_index('ix_certificate_replacement_registration_id', ['registration_id'])

    op.create_table(
        'saved_filter',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('endpoint', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('query', sa.String(length=500), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['account.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('account_id', 'endpoint', 'name'),
    )
    with op.batch_alter_table('saved_filter', schema=None) as batch_op:
        batch_op.create_index('ix_saved_filter_account_id', ['account_id'])


def downgrade():
    op.drop_table('saved_filter')
    op.drop_table('certificate_replacement')
