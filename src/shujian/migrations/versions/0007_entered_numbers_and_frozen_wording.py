"""Entered 文号 and frozen wording: a recommendation records how its number was given and the
template it was rendered with.

- `recommendations.numbering`: `entered` (the 文号 the 统一业务应用系统 gave, typed at issue) or
  `counter` (taken from this platform's counter). Every recommendation before this revision was
  numbered by the counter.
- The unique constraint on (procuratorate, category, year, seq) becomes a unique index on the
  counter's numbers only: two entered numbers of one category and year may share N under
  different 代字 (青检行公建〔2026〕3号 and 青检公建〔2026〕3号). `number` stays unique.
- `recommendations.template_text` / `template_sha256`: the wording template as it was at issue,
  so that an issued document is rendered again with the same words after the template changed.
  Empty for older recommendations (rendered with the current template, checked against the
  recorded hash).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recommendations") as batch:
        batch.add_column(
            sa.Column("numbering", sa.String(16), nullable=False, server_default="counter")
        )
        batch.add_column(sa.Column("template_text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("template_sha256", sa.String(64), nullable=True))
        batch.drop_constraint("uq_recommendation_number", type_="unique")
    op.create_index(
        "uq_recommendation_counter_seq",
        "recommendations",
        ["procuratorate", "category", "year", "seq"],
        unique=True,
        sqlite_where=sa.text("numbering = 'counter'"),
        postgresql_where=sa.text("numbering = 'counter'"),
    )


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
