"""Helping units' accounts: `users.unit`, the 包保单位 an account of role `helper` works for.

Such an account sees only the minors whose assignment (包保帮扶责任) covering the day names its
unit; the grants are computed from the warehouse on each request, so nothing else is stored.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("unit", sa.String(128), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
