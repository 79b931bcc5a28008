"""A file imported again with other options replaces its batch; agencies' mappings are kept.

- `batches` gains `replaces` (the batch this one replaced: the same file imported again with other
  options — a coordinate system, a mapping, a sheet, an encoding, constants), `superseded_by` and
  `superseded_at` (set on the replaced batch, which is kept, rows and all, but no longer read).
  The unique constraint on (dataset, file_sha256) becomes a unique index on the *current*
  batches only (`superseded_at IS NULL`): a file may have several batches in its history, never
  two that count.
- `import_mappings`: the header → column mappings an agency's files need, saved per agency and
  dataset when typed on an import and applied to that agency's next file of the dataset.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("batches") as batch:
        batch.add_column(sa.Column("replaces", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("superseded_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True))
        batch.drop_constraint("uq_batch_file", type_="unique")
    op.create_index(
        "uq_batch_current_file",
        "batches",
        ["dataset", "file_sha256"],
        unique=True,
        sqlite_where=sa.text("superseded_at IS NULL"),
        postgresql_where=sa.text("superseded_at IS NULL"),
    )
    op.create_table(
        "import_mappings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agency", sa.String(length=256), nullable=False),
        sa.Column("dataset", sa.String(length=64), nullable=False),
        sa.Column("header", sa.String(length=256), nullable=False),
        sa.Column("column_id", sa.String(length=64), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("saved_by", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agency", "dataset", "header", name="uq_import_mapping"),
    )


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
