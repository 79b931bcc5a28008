"""Sealed juvenile criminal records (`juvenile.sealing.store`).

- `sealed_records`: one per sealed offence record (unique `record_key`), with the person, the
  record's facts, the batch, the ground and when it was sealed — written once;
- `sealed_record_events`: sealed, viewed with a reason, unsealed — append-only;
- `sealing_requests`: query requests (查询申请) with their due day — written once;
- `sealing_answers`: one answer per request — append-only.

The four get the append-only triggers of the baseline (as migration 0013's).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shujian.migrations.shared import append_only

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

APPEND_ONLY = ("sealed_records", "sealed_record_events", "sealing_requests", "sealing_answers")


def upgrade() -> None:
    op.create_table(
        "sealed_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_key", sa.String(length=64), nullable=False),
        sa.Column("id_card", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("offence", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("act_date", sa.Date(), nullable=True),
        sa.Column("sentence", sa.String(length=64), nullable=True),
        sa.Column("document_no", sa.String(length=128), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("ground", sa.String(length=32), nullable=False),
        sa.Column("sealed_on", sa.Date(), nullable=False),
        sa.Column("sealed_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("record_key"),
    )
    with op.batch_alter_table("sealed_records") as batch:
        batch.create_index(batch.f("ix_sealed_records_id_card"), ["id_card"])
    op.create_table(
        "sealed_record_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["sealed_records.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sealed_record_events") as batch:
        batch.create_index(batch.f("ix_sealed_record_events_record_id"), ["record_id"])
    op.create_table(
        "sealing_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=128), nullable=False),
        sa.Column("judicial", sa.Boolean(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["sealed_records.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sealing_requests") as batch:
        batch.create_index(batch.f("ix_sealing_requests_record_id"), ["record_id"])
        batch.create_index(batch.f("ix_sealing_requests_due_on"), ["due_on"])
    op.create_table(
        "sealing_answers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["sealing_requests.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id"),
    )
    append_only(APPEND_ONLY)


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
