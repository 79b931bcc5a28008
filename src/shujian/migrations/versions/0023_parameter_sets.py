"""Parameter sets stored once: `parameter_sets`, append-only, and `leads.parameter_set`.

A run stored its model's full parameters on every lead it wrote. From here on it stores the set
once, keyed by the SHA-256 of its canonical JSON (`leads.parameter_sets`), and each lead it
writes names the set in `parameter_set`, with JSON null in `parameters`. Leads stored before keep
their own copy: nothing is rewritten, readers accept both (`parameter_sets.fill`).

`leads` gets its column by ADD COLUMN (no rebuild of the table, so its tally triggers stay).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shujian.migrations.shared import append_only

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "parameter_sets",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("digest"),
    )
    append_only(("parameter_sets",))
    op.add_column("leads", sa.Column("parameter_set", sa.String(length=64), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
