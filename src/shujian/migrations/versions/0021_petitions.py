"""12309 信访 (`petitions.store`):

- `reception_days`: each 检察长接待日 — append-only;
- `petitions`: one petition, its routing, both replies, 办结, feedback, 领导包案; current state on
  the row;
- `petition_events`: every step — append-only.

The histories get the same append-only triggers as `lead_events` (baseline).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shujian.migrations.shared import append_only

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

APPEND_ONLY = ("petition_events", "reception_days")


def upgrade() -> None:
    op.create_table(
        "reception_days",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("leader", sa.String(length=128), nullable=False),
        sa.Column("place", sa.String(length=256), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reception_days") as batch:
        batch.create_index(batch.f("ix_reception_days_on_date"), ["on_date"])
    op.create_table(
        "petitions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("id_card", sa.String(length=32), nullable=True),
        sa.Column("contact", sa.String(length=128), nullable=False),
        sa.Column("minor", sa.Boolean(), nullable=False),
        sa.Column("no_contact", sa.Boolean(), nullable=False),
        sa.Column("matter", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column("handler", sa.String(length=128), nullable=True),
        sa.Column("procedural_due", sa.Date(), nullable=False),
        sa.Column("procedural_on", sa.Date(), nullable=True),
        sa.Column("procedural_outcome", sa.String(length=16), nullable=True),
        sa.Column("result_due", sa.Date(), nullable=False),
        sa.Column("result_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("feedback", sa.String(length=16), nullable=True),
        sa.Column("feedback_on", sa.Date(), nullable=True),
        sa.Column("leader", sa.String(length=128), nullable=True),
        sa.Column("leader_on", sa.Date(), nullable=True),
        sa.Column("reception_day_id", sa.Integer(), nullable=True),
        sa.Column("registered_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["reception_day_id"], ["reception_days.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("petitions") as batch:
        batch.create_index(batch.f("ix_petitions_received_on"), ["received_on"])
        batch.create_index(batch.f("ix_petitions_state"), ["state"])
        batch.create_index(batch.f("ix_petitions_department"), ["department"])
    op.create_table(
        "petition_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("petition_events") as batch:
        batch.create_index(batch.f("ix_petition_events_petition_id"), ["petition_id"])
    append_only(APPEND_ONLY)


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
