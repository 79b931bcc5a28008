"""The audit log's view chains: views get their own table and head rows, apart from changes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06

Every entry used to take head row 1, so a prosecutor opening a lead waited behind every other
reader and behind any write transaction that had appended its entry (`audit.py` says why and how
the two chains anchor each other). This adds:

* `audit_views`, append-only like `audit_log` (the same triggers), its entries numbered within
  their chain (`chain`, `seq`), with `change_seq`;
* head rows 2–17 of `audit_head`, one per view chain, starting empty;
* `audit_log.view_seq`, nullable: changes recorded from now on count the views (sum of heads).

Nothing already recorded moves: earlier entries, views included, stay in `audit_log` unchanged,
with `view_seq` NULL, and verify as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

VIEW_CHAINS = range(2, 18)
"""Head rows of the sixteen view chains (row 1 stays the change chain's)."""


def upgrade() -> None:
    op.create_table(
        "audit_views",
        sa.Column("chain", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=128), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("change_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("chain", "seq"),
    )
    op.create_index("ix_audit_views_actor", "audit_views", ["actor"], unique=False)
    # A plain ADD COLUMN (not batch mode): SQLite's batch copy would drop audit_log's triggers.
    op.add_column("audit_log", sa.Column("view_seq", sa.Integer(), nullable=True))
    _append_only("audit_views")
    op.bulk_insert(
        sa.table("audit_head", sa.column("id"), sa.column("seq"), sa.column("hash")),
        [{"id": head_id, "seq": 0, "hash": "0" * 64} for head_id in VIEW_CHAINS],
    )


def _append_only(table: str) -> None:
    """The baseline's guard (refuse UPDATE and DELETE), for the new history table."""
    if op.get_bind().dialect.name == "sqlite":
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
    op.execute(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION shujian_append_only()"
    )


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
