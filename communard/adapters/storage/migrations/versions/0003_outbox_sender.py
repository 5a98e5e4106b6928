"""Outbox mails remember the member who sent them (only they see an invitation's link).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 11:12:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sender_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_sender_id_members"), "members", ["sender_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_outbox_sender_id_members"), type_="foreignkey")
        batch_op.drop_column("sender_id")
