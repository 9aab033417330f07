"""Keyed event chain: per-case legacy count and seal; existing histories sealed as they stand

Revision ID: c3f9e1d2a7b5
Revises: b3c5d7e9f1a2
Create Date: 2026-12-02 12:50:00

Events written so far keep their plain SHA-256 hashes (``chain_legacy_events`` = the case's
event count); every case whose chain verifies gets a seal under ``EVENT_CHAIN_KEY``, so the
legacy part can no longer be edited, cut or extended without the key. New events are HMACs.
"""
import sqlalchemy as sa
from alembic import op

revision = 'c3f9e1d2a7b5'
down_revision = 'b3c5d7e9f1a2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain_legacy_events', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('chain_seal', sa.String(length=64), nullable=True))
    from service.engine.events import current_key, seal_legacy_chains

    seal_legacy_chains(op.get_bind(), current_key())


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_column('chain_seal')
        batch_op.drop_column('chain_legacy_events')
