"""physician processes P1-P9: registration level and end reason, certificate number counters

Revision ID: 5e0c7a3b9f21
Revises: 7c41e2a9d0b3
Create Date: 2026-11-22 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e0c7a3b9f21'
down_revision = '7c41e2a9d0b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('practice_registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level', sa.String(length=12), nullable=False,
                                      server_default='physician'))
        batch_op.add_column(sa.Column('end_reason', sa.String(length=32), nullable=True))
    # registrations made before this revision carry the level of the physician's qualification
    op.execute(
        "UPDATE practice_registration SET level = 'assistant' WHERE physician_id IN ("
        " SELECT physician.id FROM physician JOIN qualification"
        " ON qualification.id = physician.qualification_id"
        " WHERE qualification.level = 'assistant')"
    )
    op.create_table('certificate_sequence',
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('last_serial', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('prefix', name=op.f('pk_certificate_sequence'))
    )


def downgrade():
    op.drop_table('certificate_sequence')
    with op.batch_alter_table('practice_registration', schema=None) as batch_op:
        batch_op.drop_column('end_reason')
        batch_op.drop_column('level')
