"""Tamper evidence over the state (`tamper.ledger`): the `state_digests` table, append-only, and a
baseline.

Every tracked row already in the store (leads, cases, case events, recommendations) gets its
record now, under one change entry `baseline_state` (建立状态摘要基线): from here on a change made
behind the platform's back is named by `shujian audit verify`. What happened to these rows before
the upgrade cannot be proven; verify says so, naming the entry. A store with none of these rows
(a new workspace) gets no such entry.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shujian.migrations.shared import append_only, baseline_state

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

KINDS = ("lead", "case", "case_event", "recommendation")
"""The kinds tracked at this revision: later kinds' tables may not exist yet (0024 records theirs)."""


def upgrade() -> None:
    op.create_table(
        "state_digests",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("digest", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", "kind", "object_id"),
    )
    with op.batch_alter_table("state_digests") as batch:
        batch.create_index("ix_state_digests_object", ["kind", "object_id"])
    append_only(("state_digests",))
    baseline_state(revision, KINDS)


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
