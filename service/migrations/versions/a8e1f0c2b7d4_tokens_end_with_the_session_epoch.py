"""API tokens end with the account's session epoch (password change or reset)

Revision ID: a8e1f0c2b7d4
Revises: 5e0c7a3b9f21
Create Date: 2026-11-21 22:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a8e1f0c2b7d4'
down_revision = '5e0c7a3b9f21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
