"""help centre: articles and questions

Revision ID: d4e6f8a0b2c4
Revises: b3d5f7a9c1e2
Create Date: 2026-12-02 14:40:48.881500

"""
from alembic import op
import sqlalchemy as sa

import service.core.extensions


# revision identifiers, used by Alembic.
revision = 'd4e6f8a0b2c4'
down_revision = 'b3d5f7a9c1e2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('help_article',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=True),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('hot', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('updated_at', service.core.extensions.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['account.id'], name=op.f('fk_help_article_updated_by_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_article')),
    sa.UniqueConstraint('key', name=op.f('uq_help_article_key'))
    )
    with op.batch_alter_table('help_article', schema=None) as batch_op:
        batch_op.create_index('ix_help_article_listing', ['published', 'audience', 'position'], unique=False)

    op.create_table('help_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asker_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=50), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('asked_at', service.core.extensions.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', service.core.extensions.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answer_seen_at', service.core.extensions.UTCDateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', service.core.extensions.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['account.id'], name=op.f('fk_help_question_answered_by_id_account')),
    sa.ForeignKeyConstraint(['asker_id'], ['account.id'], name=op.f('fk_help_question_asker_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_question'))
    )
    with op.batch_alter_table('help_question', schema=None) as batch_op:
        batch_op.create_index('ix_help_question_asker', ['asker_id', 'asked_at'], unique=False)
        batch_op.create_index('ix_help_question_queue', ['answered_at', 'asked_at'], unique=False)



def downgrade():
    with op.batch_alter_table('help_question', schema=None) as batch_op:
        batch_op.drop_index('ix_help_question_queue')
        batch_op.drop_index('ix_help_question_asker')

    op.drop_table('help_question')
    with op.batch_alter_table('help_article', schema=None) as batch_op:
        batch_op.drop_index('ix_help_article_listing')

    op.drop_table('help_article')
