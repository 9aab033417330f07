"""Licences (执业许可证) with their public verify codes

Revision ID: c3d5e7f9a1b2
Revises: b3d5e7f9a1c2
Create Date: 2026-12-02 12:20:00

"""
import sqlalchemy as sa
from alembic import op

import service.core.extensions

revision = 'c3d5e7f9a1b2'
down_revision = 'b3d5e7f9a1c2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'licence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('institution_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('verify_code', sa.String(length=43), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('valid_to', sa.Date(), nullable=False),
        sa.Column('issued_at', service.core.extensions.UTCDateTime(timezone=True), nullable=False),
        sa.Column('issued_by_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=40), nullable=False),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('voided_at', service.core.extensions.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_licence_case_id_case')),
        sa.ForeignKeyConstraint(['institution_id'], ['institution.id'],
                                name=op.f('fk_licence_institution_id_institution')),
        sa.ForeignKeyConstraint(['issued_by_id'], ['administration.id'],
                                name=op.f('fk_licence_issued_by_id_administration')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_licence')),
        sa.UniqueConstraint('verify_code', name=op.f('uq_licence_verify_code')),
    )
    with op.batch_alter_table('licence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_licence_institution_id'), ['institution_id'], unique=False)


def downgrade():
    with op.batch_alter_table('licence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_licence_institution_id'))
    op.drop_table('licence')
