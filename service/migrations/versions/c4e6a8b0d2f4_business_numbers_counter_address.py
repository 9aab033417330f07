"""Business numbers of cases, the counter address and office hours of administrations, and
the index on lower(username) the case-blind user name look-up needs

Revision ID: c4e6a8b0d2f4
Revises: e5a7c9b1d3f6
Create Date: 2026-12-02 15:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'c4e6a8b0d2f4'
down_revision = 'e5a7c9b1d3f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'business_number_sequence',
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('last_serial', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    # a unique index, not a constraint: SQLite adds the column in place (no table rebuild)
    op.add_column('case', sa.Column('business_number', sa.String(length=40), nullable=True))
    op.create_index('ux_case_business_number', 'case', ['business_number'], unique=True)
    op.create_index('ix_account_username_lower', 'account', [sa.text('lower(username)')])
    op.add_column('administration', sa.Column('counter_address', sa.String(length=200), nullable=True))
    op.add_column('administration', sa.Column('office_hours', sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table('administration', schema=None) as batch_op:
        batch_op.drop_column('office_hours')
        batch_op.drop_column('counter_address')
    op.drop_index('ux_case_business_number', table_name='case')
    op.drop_index('ix_account_username_lower', table_name='account')
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_column('business_number')
    op.drop_table('business_number_sequence')
