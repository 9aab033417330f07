"""nurses N1-N4: exam records, registrations (versioned), nurse contacts and qualification

Revision ID: b3d5f7a9c1e2
Revises: c3f9e1d2a7b5
Create Date: 2026-12-02 12:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3d5f7a9c1e2'
down_revision = 'c3f9e1d2a7b5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('nurse_qualification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('gender', sa.String(length=1), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('exam_date', sa.Date(), nullable=False),
    sa.Column('certificate_number', sa.String(length=32), nullable=False),
    sa.Column('school', sa.String(length=80), nullable=True),
    sa.Column('education', sa.String(length=20), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nurse_qualification')),
    sa.UniqueConstraint('certificate_number', name=op.f('uq_nurse_qualification_certificate_number')),
    sa.UniqueConstraint('id_number', name=op.f('uq_nurse_qualification_id_number'))
    )
    with op.batch_alter_table('nurse', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('qualification_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_nurse_qualification_id'), ['qualification_id'])
        batch_op.create_foreign_key(batch_op.f('fk_nurse_qualification_id_nurse_qualification'),
                                    'nurse_qualification', ['qualification_id'], ['id'])
    op.create_table('nurse_registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nurse_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('certificate_number', sa.String(length=32), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('end_reason', sa.String(length=32), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('reminded_days', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_nurse_registration_case_id_case')),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_nurse_registration_institution_id_institution')),
    sa.ForeignKeyConstraint(['nurse_id'], ['nurse.id'], name=op.f('fk_nurse_registration_nurse_id_nurse')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nurse_registration'))
    )
    op.create_index('ix_nurse_registration_inst', 'nurse_registration', ['institution_id', 'status'], unique=False)
    op.create_index(op.f('ix_nurse_registration_nurse_id'), 'nurse_registration', ['nurse_id'], unique=False)
    # nurses registered before this revision keep their current registration as its first row
    op.execute(
        "INSERT INTO nurse_registration (nurse_id, institution_id, certificate_number,"
        " valid_from, valid_to, status, version)"
        " SELECT id, institution_id, certificate_number, registered_on, valid_until, status, 1"
        " FROM nurse WHERE institution_id IS NOT NULL AND certificate_number IS NOT NULL"
        " AND registered_on IS NOT NULL AND valid_until IS NOT NULL"
    )


def downgrade():
    op.drop_index(op.f('ix_nurse_registration_nurse_id'), table_name='nurse_registration')
    op.drop_index('ix_nurse_registration_inst', table_name='nurse_registration')
    op.drop_table('nurse_registration')
    with op.batch_alter_table('nurse', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_nurse_qualification_id_nurse_qualification'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_nurse_qualification_id'), type_='unique')
        batch_op.drop_column('qualification_id')
        batch_op.drop_column('email')
    op.drop_table('nurse_qualification')
