"""Passwords and lock-out: what an account needs to sign in to the web application.

- `users.password_hash`: the argon2id hash (PHC string); NULL for an account without a password
  (every account before this revision), which cannot sign in until one is set.
- `users.password_changed_at`: when it was last set; a session started before it ends.
- `users.failed_logins`, `first_failed_at`, `locked_until`: failed logins counted in a window
  and the lock they lead to, stored so that a lock survives a restart of the server.

Sessions themselves are signed cookies (the key is a file in the workspace): no table.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("password_hash", sa.String(255), nullable=True))
        batch.add_column(sa.Column("password_changed_at", sa.DateTime(timezone=True)))
        batch.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("first_failed_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("locked_until", sa.DateTime(timezone=True)))


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
