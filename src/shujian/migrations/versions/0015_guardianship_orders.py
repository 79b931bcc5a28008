"""督促监护令, 训诫 and 家庭教育指导 (`juvenile.guardianship.store`).

- `guardianship_orders`: each 督促监护令 (unique 文号), the minor, the guardian, the issue date,
  the follow-up schedule fixed at issue, the content and wording as issued, the file and its hash;
- `order_follow_ups`: each follow-up visit of an order — append-only, the newest per visit stands;
- `guardian_reprimands`: each 训诫 of a guardian — append-only;
- `guidance_sessions`: each 家庭教育指导 session — append-only.

The three histories get the same append-only triggers as `lead_events` (baseline).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shujian.migrations.shared import append_only

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

APPEND_ONLY = ("order_follow_ups", "guardian_reprimands", "guidance_sessions")


def upgrade() -> None:
    op.create_table(
        "guardianship_orders",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("numbering", sa.String(length=16), nullable=False),
        sa.Column("procuratorate", sa.String(length=128), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("id_card", sa.String(length=32), nullable=False),
        sa.Column("guardian", sa.String(length=64), nullable=False),
        sa.Column("relation", sa.String(length=32), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("follow_up_months", sa.JSON(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("template_text", sa.Text(), nullable=False),
        sa.Column("template_sha256", sa.String(length=64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=True),
        sa.Column("render_error", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("guardianship_orders") as batch:
        batch.create_index(batch.f("ix_guardianship_orders_id_card"), ["id_card"])
        batch.create_index(batch.f("ix_guardianship_orders_issued_on"), ["issued_on"])
    op.create_table(
        "order_follow_ups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("visit", sa.Integer(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by_whom", sa.String(length=128), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["guardianship_orders.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("order_follow_ups") as batch:
        batch.create_index(batch.f("ix_order_follow_ups_order_id"), ["order_id"])
    op.create_table(
        "guardian_reprimands",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id_card", sa.String(length=32), nullable=False),
        sa.Column("guardian", sa.String(length=64), nullable=False),
        sa.Column("relation", sa.String(length=32), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("ground", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("by_whom", sa.String(length=128), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["guardianship_orders.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("guardian_reprimands") as batch:
        batch.create_index(batch.f("ix_guardian_reprimands_id_card"), ["id_card"])
    op.create_table(
        "guidance_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id_card", sa.String(length=32), nullable=False),
        sa.Column("guardians", sa.JSON(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("form", sa.String(length=8), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("by_whom", sa.String(length=128), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["guardianship_orders.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("guidance_sessions") as batch:
        batch.create_index(batch.f("ix_guidance_sessions_id_card"), ["id_card"])
        batch.create_index(batch.f("ix_guidance_sessions_on_date"), ["on_date"])
    append_only(APPEND_ONLY)


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
