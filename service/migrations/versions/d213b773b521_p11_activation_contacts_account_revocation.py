"""P11 institution functions: where an activation code was sent; revoked physician accounts

Revision ID: d213b773b521
Revises: 4bfd1f165789
Create Date: 2026-11-22 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import service.core.extensions

# revision identifiers, used by Alembic.
revision = 'd213b773b521'
down_revision = '4bfd1f165789'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('activation_code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_phone', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('sent_email', sa.String(length=120), nullable=True))

    op.create_table(
        'account_revocation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('physician_id', sa.Integer(), nullable=False),
        sa.Column('institution_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('revoked_by_id', sa.Integer(), nullable=False),
        sa.Column('revoked_at', service.core.extensions.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['account.id'],
                                name=op.f('fk_account_revocation_account_id_account')),
        sa.ForeignKeyConstraint(['physician_id'], ['physician.id'],
                                name=op.f('fk_account_revocation_physician_id_physician')),
        sa.ForeignKeyConstraint(['institution_id'], ['institution.id'],
                                name=op.f('fk_account_revocation_institution_id_institution')),
        sa.ForeignKeyConstraint(['revoked_by_id'], ['account.id'],
                                name=op.f('fk_account_revocation_revoked_by_id_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_account_revocation')),
    )
    with op.batch_alter_table('account_revocation', schema=None) as batch_op:
        batch_op.create_index('ix_account_revocation_inst', ['institution_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_revocation_account_id'), ['account_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('account_revocation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_revocation_account_id'))
        batch_op.drop_index('ix_account_revocation_inst')
    op.drop_table('account_revocation')
    with op.batch_alter_table('activation_code', schema=None) as batch_op:
        batch_op.drop_column('sent_email')
        batch_op.drop_column('sent_phone')
