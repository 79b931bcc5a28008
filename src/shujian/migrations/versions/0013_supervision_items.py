"""督办: items taken up from juvenile warnings with their events, and the monthly 暗访 samples
with their results (`juvenile.supervision.store`).

- `supervision_items`: one per lead taken up (unique `lead_id`), with the minor's number, town,
  responsible unit, deadline and its basis, state (open / closed), closing day and result;
- `supervision_events`: opened, follow-up, deadline moved, closed — append-only;
- `spot_checks`: the minors a month's sample drew (unique month + number) — written once;
- `spot_check_results`: each check's findings — append-only, the newest standing.

The three histories get the same append-only triggers as `lead_events` (baseline).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

APPEND_ONLY = ("supervision_events", "spot_checks", "spot_check_results")


def upgrade() -> None:
    op.create_table(
        "supervision_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.String(length=128), nullable=False),
        sa.Column("id_card", sa.String(length=32), nullable=False),
        sa.Column("town", sa.String(length=64), nullable=True),
        sa.Column("unit", sa.String(length=128), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("deadline_basis", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("opened_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("lead_id"),
    )
    with op.batch_alter_table("supervision_items") as batch:
        batch.create_index(batch.f("ix_supervision_items_id_card"), ["id_card"])
        batch.create_index(batch.f("ix_supervision_items_unit"), ["unit"])
        batch.create_index(batch.f("ix_supervision_items_deadline"), ["deadline"])
        batch.create_index(batch.f("ix_supervision_items_state"), ["state"])
    op.create_table(
        "supervision_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("by_whom", sa.String(length=128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["supervision_items.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("supervision_events") as batch:
        batch.create_index(batch.f("ix_supervision_events_item_id"), ["item_id"])
    op.create_table(
        "spot_checks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("id_card", sa.String(length=32), nullable=False),
        sa.Column("stratum", sa.String(length=128), nullable=False),
        sa.Column("town", sa.String(length=64), nullable=True),
        sa.Column("units", sa.JSON(), nullable=False),
        sa.Column("percent", sa.Float(), nullable=False),
        sa.Column("minimum", sa.Integer(), nullable=False),
        sa.Column("by", sa.String(length=16), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("drawn_by", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("month", "id_card", name="uq_spot_check"),
    )
    with op.batch_alter_table("spot_checks") as batch:
        batch.create_index(batch.f("ix_spot_checks_month"), ["month"])
    op.create_table(
        "spot_check_results",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["check_id"], ["spot_checks.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("spot_check_results") as batch:
        batch.create_index(batch.f("ix_spot_check_results_check_id"), ["check_id"])
    _append_only(APPEND_ONLY)


def _append_only(tables: tuple[str, ...]) -> None:
    """The baseline's triggers (0001 `append_only`), for these tables."""
    if op.get_bind().dialect.name == "sqlite":
        for table in tables:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
        return
    op.execute(
        "CREATE OR REPLACE FUNCTION shujian_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
    )
    for table in tables:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION shujian_append_only()"
        )


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
