"""P0/P10 physician accounts: verified phone and e-mail, previous login, attempt throttle; major

Revision ID: 7c41e2a9d0b3
Revises: d213b773b521
Create Date: 2026-11-22 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import service.core.extensions

# revision identifiers, used by Alembic.
revision = '7c41e2a9d0b3'
down_revision = 'd213b773b521'
branch_labels = None
depends_on = None

VERIFIED_PHONE = sa.text("phone_verified_at IS NOT NULL")
VERIFIED_EMAIL = sa.text("email_verified_at IS NOT NULL")


def upgrade():
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_login_at', service.core.extensions.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('phone_verified_at', service.core.extensions.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('email_verified_at', service.core.extensions.UTCDateTime(timezone=True), nullable=True))
    # Partial unique indexes: both PostgreSQL and SQLite have them; created outside the batch so
    # SQLite does not rebuild the table for them.
    op.create_index('ux_account_verified_phone', 'account', ['phone'], unique=True,
                    postgresql_where=VERIFIED_PHONE, sqlite_where=VERIFIED_PHONE)
    op.create_index('ux_account_verified_email', 'account', ['email'], unique=True,
                    postgresql_where=VERIFIED_EMAIL, sqlite_where=VERIFIED_EMAIL)

    op.create_table(
        'access_throttle',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=16), nullable=False),
        sa.Column('subject', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('locked_until', service.core.extensions.UTCDateTime(timezone=True), nullable=True),
        sa.Column('updated_at', service.core.extensions.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_access_throttle')),
        sa.UniqueConstraint('purpose', 'subject', name=op.f('uq_access_throttle_purpose_subject')),
    )

    with op.batch_alter_table('physician', schema=None) as batch_op:
        batch_op.add_column(sa.Column('major', sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table('physician', schema=None) as batch_op:
        batch_op.drop_column('major')
    op.drop_table('access_throttle')
    op.drop_index('ux_account_verified_email', table_name='account')
    op.drop_index('ux_account_verified_phone', table_name='account')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_column('email_verified_at')
        batch_op.drop_column('phone_verified_at')
        batch_op.drop_column('previous_login_at')
