"""The 国家司法救助决定书's archived file under tamper evidence: `judicial_aid_decisions` gains
`document` (the file's place, relative to the workspace root, as `recommendations` and
`support_opinions` keep it) and `document_sha256`, both nullable. From this revision on
`judicial_aid.service.approve` renders the file before it writes the row and records both, and
`shujian audit verify` hashes the file and compares.

A decision issued before keeps NULL in both: no file was recorded for it, so verify has none to
compare (its 文号 and content are still compared). The columns change the kind's record
(`tamper.policy.TRACKED`), so the rows a store already holds are recorded again, under one change
entry `baseline_state` naming this revision; a store with no such row, or whose rows were first
recorded with these columns already declared (a store upgraded from before 0024 in one go),
gets no entry.

The table stays append-only: adding a column (SQLite `ALTER TABLE … ADD COLUMN`, which batch mode
uses for it; PostgreSQL likewise) keeps its triggers.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shujian.migrations.shared import baseline_state

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("judicial_aid_decisions") as batch:
        batch.add_column(sa.Column("document", sa.String(length=512), nullable=True))
        batch.add_column(sa.Column("document_sha256", sa.String(length=64), nullable=True))
    baseline_state(revision, ("judicial_aid_decision",))


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
