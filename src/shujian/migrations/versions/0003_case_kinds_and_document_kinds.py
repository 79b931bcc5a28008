"""Case kinds and document kinds: each case follows a declared workflow, each document kind has
its own number series, and a 检察建议书 is rendered after its number is taken.

- `cases.case_kind`: the workflow file the case follows; existing cases are 检察建议 cases.
- `document_counters.kind` leads the primary key: a 督促监护令 no longer draws from the
  检察建议书 series. Existing counters are the 检察建议书's.
- `recommendations.document_sha256` may be empty (the file is not written yet) and
  `recommendations.render_error` records why a rendering failed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(
            sa.Column("case_kind", sa.String(32), nullable=False, server_default="recommendation")
        )
    op.create_index("ix_cases_case_kind", "cases", ["case_kind"])

    # A new primary key: copy into a table made with it (the same on SQLite and PostgreSQL).
    op.create_table(
        "document_counters_new",
        sa.Column("kind", sa.String(32), nullable=False, server_default="recommendation"),
        sa.Column("procuratorate", sa.String(128), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "procuratorate", "category", "year"),
    )
    op.execute(
        "INSERT INTO document_counters_new (kind, procuratorate, category, year, last) "
        "SELECT 'recommendation', procuratorate, category, year, last FROM document_counters"
    )
    op.drop_table("document_counters")
    op.rename_table("document_counters_new", "document_counters")

    with op.batch_alter_table("recommendations") as batch:
        batch.alter_column("document_sha256", existing_type=sa.String(64), nullable=True)
        batch.add_column(sa.Column("render_error", sa.Text(), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
