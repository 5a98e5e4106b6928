"""Motions remember the charter version they were proposed under.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 11:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("motions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("charter_version", sa.Integer(), nullable=True))
    # Motions already recorded keep the rules in force today.
    op.execute(
        "UPDATE motions SET charter_version = "
        "(SELECT communes.charter_version FROM communes WHERE communes.id = motions.commune_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("motions", schema=None) as batch_op:
        batch_op.drop_column("charter_version")
