"""公开听证 and 国家司法救助 (`hearings.store`, `judicial_aid.store`):

- `hearings`: a hearing attached to a case of any kind; current state on the row;
- `hearing_members`: its 听证员, written once;
- `hearing_events`: every step and each 听证员's opinion — append-only;
- `judicial_aid_decisions`: each 国家司法救助决定书 with its 文号 and content — written once.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shujian.migrations.shared import append_only

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

APPEND_ONLY = ("hearing_members", "hearing_events", "judicial_aid_decisions")


def upgrade() -> None:
    op.create_table(
        "hearings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("matter", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("place", sa.String(length=128), nullable=False),
        sa.Column("host", sa.String(length=128), nullable=False),
        sa.Column("scheduled_on", sa.Date(), nullable=False),
        sa.Column("notified_on", sa.Date(), nullable=False),
        sa.Column("announced_on", sa.Date(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("record", sa.Text(), nullable=True),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("follows_majority", sa.Boolean(), nullable=True),
        sa.Column("chief_consent", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("hearings") as batch:
        batch.create_index(batch.f("ix_hearings_case_id"), ["case_id"])
        batch.create_index(batch.f("ix_hearings_state"), ["state"])
        batch.create_index(batch.f("ix_hearings_held_on"), ["held_on"])
    op.create_table(
        "hearing_members",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("hearing_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("identity", sa.String(length=32), nullable=False),
        sa.Column("born_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["hearing_id"], ["hearings.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("hearing_id", "seq"),
    )
    with op.batch_alter_table("hearing_members") as batch:
        batch.create_index(batch.f("ix_hearing_members_hearing_id"), ["hearing_id"])
    op.create_table(
        "hearing_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("hearing_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["hearing_id"], ["hearings.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("hearing_events") as batch:
        batch.create_index(batch.f("ix_hearing_events_hearing_id"), ["hearing_id"])
    op.create_table(
        "judicial_aid_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id"),
        sa.UniqueConstraint("number"),
    )
    append_only(APPEND_ONLY)


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
