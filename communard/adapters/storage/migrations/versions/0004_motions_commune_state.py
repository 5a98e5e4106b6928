"""Index motions by (commune, state): every command of a commune asks what is due in it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 11:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_motions_commune_state", "motions", ["commune_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_motions_commune_state", table_name="motions")
