"""分级干预: every change of a minor's intervention tier (`juvenile.tiers.store`).

- `intervention_tiers`: the minor's number, the tier (or `ended`), the day decided, the reason's
  items and text, the measures, the warning taken up (a lead), who decided — append-only, with
  the same triggers as `lead_events` (baseline).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shujian.migrations.shared import append_only

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

APPEND_ONLY = ("intervention_tiers",)


def upgrade() -> None:
    op.create_table(
        "intervention_tiers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id_card", sa.String(length=32), nullable=False),
        sa.Column("tier", sa.String(length=32), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("measures", sa.JSON(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("intervention_tiers") as batch:
        batch.create_index(batch.f("ix_intervention_tiers_id_card"), ["id_card"])
        batch.create_index(batch.f("ix_intervention_tiers_decided_on"), ["decided_on"])
        batch.create_index(batch.f("ix_intervention_tiers_lead_id"), ["lead_id"])
    append_only(APPEND_ONLY)


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
