"""Users and 分派 named `dispatch`.

- `users`: the workspace's accounts (name, department, roles, active); the procuratorate is the
  workspace's. A store without accounts stays a single-user workspace (`users/accounts.py`).
- `lead_assignments` becomes `lead_dispatches` and its `assigned_at` becomes `dispatched_at`,
  rows kept: 包保帮扶 owns `assignment` in the glossary; a lead's 分派 is a `dispatch`.
  Lead events of kind `assigned` and audit entries of action `assign` are history and stay as
  they were written.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("department", sa.String(64), nullable=True),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_users_name"),
    )

    op.drop_index("ix_lead_assignments_department", table_name="lead_assignments")
    op.drop_index("ix_lead_assignments_prosecutor", table_name="lead_assignments")
    op.rename_table("lead_assignments", "lead_dispatches")
    with op.batch_alter_table("lead_dispatches") as batch:
        batch.alter_column(
            "assigned_at",
            new_column_name="dispatched_at",
            existing_type=sa.DateTime(timezone=True),
            existing_nullable=False,
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX lead_assignments_pkey RENAME TO lead_dispatches_pkey")
        op.execute(
            "ALTER TABLE lead_dispatches RENAME CONSTRAINT lead_assignments_lead_id_fkey "
            "TO lead_dispatches_lead_id_fkey"
        )
    op.create_index("ix_lead_dispatches_department", "lead_dispatches", ["department"])
    op.create_index("ix_lead_dispatches_prosecutor", "lead_dispatches", ["prosecutor"])


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
