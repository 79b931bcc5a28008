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

from shujian.migrations.shared import append_only

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

BASELINE_ACTION = "baseline_state"
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
    _baseline(op.get_bind())


def _baseline(conn: sa.Connection) -> None:
    # The code of the platform computes the records, so that they are exactly what `verify`
    # recomputes; it runs on this revision's schema of the four tables, which later migrations
    # only add to.
    from shujian import audit
    from shujian.store import register_tables
    from shujian.tamper import ledger
    from shujian.tamper.policy import TRACKED

    register_tables()
    state: list[ledger.StateRow] = []
    counts: dict[str, int] = {}
    for kind in KINDS:
        tracked = TRACKED[kind]
        ids = [int(i) for i in conn.execute(sa.text(f"SELECT id FROM {tracked.table}")).scalars()]
        counts[kind] = len(ids)
        state += ledger.track(conn, kind, ids)
    if state:
        audit.record(
            conn,
            "system",
            BASELINE_ACTION,
            "store",
            "0019",
            {"rows": counts, "note": "升级时为已有数据建立状态摘要基线，此前的改动无法证明"},
            state=state,
        )


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
