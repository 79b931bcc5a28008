"""Compactions of small batches: one Parquet file holding the rows of many small batches.

A visit recorded in the platform is a batch of one row and one file; readers open each file
(about a millisecond each in DuckDB). `compactions` records a file that holds the rows of many
small batches (each row keeping its `_batch`), `compacted_batches` which batches it holds; the
batches themselves, their files and their audit entries are unchanged. See
`shujian.data.warehouse`.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-14
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "compactions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dataset", sa.String(64), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("parquet", sa.String(256), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("batches", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("superseded_by", sa.Integer, nullable=True),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_compactions_dataset", "compactions", ["dataset"])
    op.create_table(
        "compacted_batches",
        sa.Column("compaction_id", sa.Integer, sa.ForeignKey("compactions.id"), primary_key=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), primary_key=True),
    )
    op.create_index("ix_compacted_batches_batch", "compacted_batches", ["batch_id"])


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
