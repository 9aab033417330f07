"""Server-side page logins, the previous password and the second factor

Revision ID: b3d9c4e1f5a7
Revises: a8e1f0c2b7d4
Create Date: 2026-12-02 12:20:00

"""
import sqlalchemy as sa
from alembic import op

import service.core.extensions

revision = 'b3d9c4e1f5a7'
down_revision = 'a8e1f0c2b7d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_password_hash', sa.String(length=256), nullable=True))
    op.create_table(
        'login_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', service.core.extensions.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', service.core.extensions.UTCDateTime(timezone=True), nullable=False),
        sa.Column('ended_at', service.core.extensions.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['account.id'],
                                name=op.f('fk_login_session_account_id_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_session')),
    )
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.create_index('ix_login_session_key', ['key_hash'], unique=True)
        batch_op.create_index(batch_op.f('ix_login_session_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_session_expires_at'), ['expires_at'], unique=False)

    op.create_table(
        'second_factor',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('secret_encrypted', sa.String(length=255), nullable=False),
        sa.Column('last_step', sa.Integer(), nullable=False),
        sa.Column('created_at', service.core.extensions.UTCDateTime(timezone=True), nullable=False),
        sa.Column('confirmed_at', service.core.extensions.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['account.id'],
                                name=op.f('fk_second_factor_account_id_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_second_factor')),
        sa.UniqueConstraint('account_id', name=op.f('uq_second_factor_account_id')),
    )
    op.create_table(
        'recovery_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('used_at', service.core.extensions.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['account.id'],
                                name=op.f('fk_recovery_code_account_id_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code')),
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_account_id'), ['account_id'], unique=False)


def downgrade():
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_code_account_id'))
    op.drop_table('recovery_code')
    op.drop_table('second_factor')
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_session_expires_at'))
        batch_op.drop_index(batch_op.f('ix_login_session_account_id'))
        batch_op.drop_index('ix_login_session_key')
    op.drop_table('login_session')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_column('previous_password_hash')
