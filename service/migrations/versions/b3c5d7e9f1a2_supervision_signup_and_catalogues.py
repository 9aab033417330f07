"""Supervision (seed 004): the provincial checklist and demerit catalogues, signed-up
institutions and their members

Revision ID: b3c5d7e9f1a2
Revises: c3d5e7f9a1b2
Create Date: 2026-12-02 13:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import service.core.extensions

revision = 'b3c5d7e9f1a2'
down_revision = 'c3d5e7f9a1b2'
branch_labels = None
depends_on = None

S = sa.String
T = service.core.extensions.UTCDateTime


def _key():
    return [sa.Column('province', S(8), nullable=False), sa.Column('version', S(12), nullable=False),
            sa.Column('code', S(16), nullable=False)]


def upgrade():
    op.create_table(
        'sv_checklist_node', *_key(),
        sa.Column('parent_code', S(16), nullable=True), sa.Column('level', S(8), nullable=False),
        sa.Column('name', S(400), nullable=False), sa.Column('section', S(60), nullable=True),
        sa.Column('basis', S(400), nullable=True), sa.Column('applies_to', S(200), nullable=False),
        sa.Column('condition', S(200), nullable=True), sa.Column('sort', sa.Integer(), nullable=False),
        sa.Column('source', S(16), nullable=True), sa.Column('note', S(400), nullable=True),
        sa.PrimaryKeyConstraint('province', 'version', 'code'))
    op.create_index('ix_sv_checklist_parent', 'sv_checklist_node', ['province', 'version', 'parent_code'])
    op.create_table(
        'sv_demerit_rule', *_key(),
        sa.Column('article_no', sa.Integer(), nullable=False), sa.Column('article', S(20), nullable=False),
        sa.Column('item_no', S(12), nullable=False), sa.Column('category', S(40), nullable=False),
        sa.Column('description', S(400), nullable=False), sa.Column('points', sa.Integer(), nullable=False),
        sa.Column('basis', S(400), nullable=True), sa.Column('valid_from', sa.Date(), nullable=True),
        sa.Column('valid_to', sa.Date(), nullable=True), sa.Column('source', S(16), nullable=True),
        sa.Column('note', S(400), nullable=True),
        sa.PrimaryKeyConstraint('province', 'version', 'code'))
    op.create_table(
        'sv_demerit_threshold', *_key(),
        sa.Column('cycle_months', sa.Integer(), nullable=False),
        sa.Column('cycle_anchor', S(20), nullable=False), sa.Column('threshold', sa.Integer(), nullable=False),
        sa.Column('measure_code', S(40), nullable=False), sa.Column('measure', S(200), nullable=False),
        sa.Column('responsible', S(20), nullable=False), sa.Column('opens_case', sa.Boolean(), nullable=False),
        sa.Column('basis', S(400), nullable=True), sa.Column('valid_from', sa.Date(), nullable=True),
        sa.Column('valid_to', sa.Date(), nullable=True), sa.Column('source', S(16), nullable=True),
        sa.Column('note', S(600), nullable=True),
        sa.PrimaryKeyConstraint('province', 'version', 'code'))
    op.create_table(
        'sv_unit',
        sa.Column('id', sa.Integer(), nullable=False), sa.Column('name', S(120), nullable=False),
        sa.Column('uscc', S(18), nullable=False), sa.Column('division_code', S(6), nullable=False),
        sa.Column('city_code', S(6), nullable=False), sa.Column('province_code', S(6), nullable=False),
        sa.Column('address', S(200), nullable=False), sa.Column('level_code', S(4), nullable=False),
        sa.Column('subject_codes', sa.JSON(), nullable=False), sa.Column('nature', S(2), nullable=False),
        sa.Column('legal_representative', S(40), nullable=False),
        sa.Column('legal_representative_id', S(18), nullable=False),
        sa.Column('contact', S(40), nullable=False), sa.Column('contact_phone', S(20), nullable=False),
        sa.Column('licence_document_ids', sa.JSON(), nullable=False),
        sa.Column('checklist_province', S(8), nullable=False),
        sa.Column('checklist_version', S(12), nullable=False),
        sa.Column('scope', sa.JSON(), nullable=False),
        sa.Column('institution_id', sa.Integer(), nullable=True),
        sa.Column('administration_id', sa.Integer(), nullable=False),
        sa.Column('status', S(10), nullable=False), sa.Column('return_reason', S(500), nullable=True),
        sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
        sa.Column('reviewed_at', T(timezone=True), nullable=True),
        sa.Column('submitted_at', T(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['administration_id'], ['administration.id']),
        sa.ForeignKeyConstraint(['division_code'], ['division.code']),
        sa.ForeignKeyConstraint(['institution_id'], ['institution.id']),
        sa.ForeignKeyConstraint(['reviewed_by_id'], ['account.id']),
        sa.PrimaryKeyConstraint('id'), sa.UniqueConstraint('uscc'))
    op.create_index('ix_sv_unit_division', 'sv_unit', ['division_code', 'status', 'id'])
    op.create_index('ix_sv_unit_city', 'sv_unit', ['city_code', 'status', 'id'])
    op.create_index('ix_sv_unit_province', 'sv_unit', ['province_code', 'status', 'id'])
    op.create_index('ix_sv_unit_institution_id', 'sv_unit', ['institution_id'])
    op.create_index('ix_sv_unit_administration_id', 'sv_unit', ['administration_id'])
    op.create_table(
        'sv_department',
        sa.Column('id', sa.Integer(), nullable=False), sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('name', S(60), nullable=False), sa.Column('code', S(20), nullable=False),
        sa.Column('is_enabled', sa.Boolean(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['sv_unit.id']),
        sa.PrimaryKeyConstraint('id'), sa.UniqueConstraint('unit_id', 'code'))
    op.create_index('ix_sv_department_unit_id', 'sv_department', ['unit_id'])
    op.create_table(
        'sv_member',
        sa.Column('id', sa.Integer(), nullable=False), sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False), sa.Column('id_number', S(18), nullable=False),
        sa.Column('is_admin', sa.Boolean(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=True), sa.Column('duties', sa.JSON(), nullable=False),
        sa.Column('scope', sa.JSON(), nullable=False),
        sa.Column('created_at', T(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['account.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['sv_unit.id']),
        sa.ForeignKeyConstraint(['department_id'], ['sv_department.id']),
        sa.PrimaryKeyConstraint('id'), sa.UniqueConstraint('account_id'), sa.UniqueConstraint('id_number'))
    op.create_index('ix_sv_member_unit_id', 'sv_member', ['unit_id'])
    op.create_index('ix_sv_member_department_id', 'sv_member', ['department_id'])


def downgrade():
    op.drop_table('sv_member')
    op.drop_table('sv_department')
    op.drop_table('sv_unit')
    op.drop_table('sv_demerit_threshold')
    op.drop_table('sv_demerit_rule')
    op.drop_table('sv_checklist_node')
