"""Business numbers of cases, the counter address and office hours of administrations

Revision ID: c4e6a8b0d2f4
Revises: b3d5f7a9c1e2
Create Date: 2026-12-02 15:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'c4e6a8b0d2f4'
down_revision = 'b3d5f7a9c1e2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'business_number_sequence',
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('last_serial', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('business_number', sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint('uq_case_business_number', ['business_number'])
    with op.batch_alter_table('administration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('counter_address', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('office_hours', sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table('administration', schema=None) as batch_op:
        batch_op.drop_column('office_hours')
        batch_op.drop_column('counter_address')
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_constraint('uq_case_business_number', type_='unique')
        batch_op.drop_column('business_number')
    op.drop_table('business_number_sequence')
