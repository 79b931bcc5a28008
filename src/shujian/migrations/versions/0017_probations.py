"""附条件不起诉 (`juvenile.probation.store`):

- `probations`: one minor suspect's conditional non-prosecution — the facts of 审查, the
  decision and its period, service, and how it ended; current state on the row;
- `probation_events`: every step — append-only;
- `probation_opinions`: each 考察意见书 with its 文号 and content — written once.

The two histories get the same append-only triggers as `lead_events` (baseline).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shujian.migrations.shared import append_only

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

APPEND_ONLY = ("probation_events", "probation_opinions")


def upgrade() -> None:
    op.create_table(
        "probations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id_card", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("act_on", sa.Date(), nullable=True),
        sa.Column("charge", sa.String(length=128), nullable=True),
        sa.Column("article", sa.String(length=16), nullable=True),
        sa.Column("chapter", sa.Integer(), nullable=True),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("months", sa.Integer(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("service_due", sa.Date(), nullable=True),
        sa.Column("served_on", sa.Date(), nullable=True),
        sa.Column("agency", sa.String(length=128), nullable=True),
        sa.Column("mentor", sa.String(length=128), nullable=True),
        sa.Column("measures", sa.JSON(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("ground", sa.String(length=32), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("opened_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("probations") as batch:
        batch.create_index(batch.f("ix_probations_id_card"), ["id_card"])
        batch.create_index(batch.f("ix_probations_state"), ["state"])
        batch.create_index(batch.f("ix_probations_ends_on"), ["ends_on"])
    op.create_table(
        "probation_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("probation_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["probation_id"], ["probations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("probation_events") as batch:
        batch.create_index(batch.f("ix_probation_events_probation_id"), ["probation_id"])
    op.create_table(
        "probation_opinions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("probation_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["probation_id"], ["probations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("probation_id"),
        sa.UniqueConstraint("number"),
    )
    append_only(APPEND_ONLY)


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
