"""支持起诉 (`cases.support_prosecution`): `support_opinions`, each 支持起诉意见书 issued from a
支持起诉 case — its 文号 (unique; the counter's series unique per procuratorate and year), the
content it was rendered from and its file's place and hash. The case kind itself is a workflow
file and needs no schema.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "support_opinions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("procuratorate", sa.String(length=128), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("numbering", sa.String(length=16), nullable=False),
        sa.Column("court", sa.String(length=256), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("document", sa.String(length=512), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=True),
        sa.Column("render_error", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("support_opinions") as batch:
        batch.create_index(batch.f("ix_support_opinions_case_id"), ["case_id"])
        batch.create_index(
            "uq_support_opinion_counter_seq",
            ["procuratorate", "year", "seq"],
            unique=True,
            sqlite_where=sa.text("numbering = 'counter'"),
            postgresql_where=sa.text("numbering = 'counter'"),
        )


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
