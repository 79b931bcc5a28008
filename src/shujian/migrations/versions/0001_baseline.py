"""Baseline: the schema of release 0.1.0, with its append-only triggers and the audit head row.

Revision ID: 0001
Revises: (none)
Create Date: 2026-12-05

Frozen: this file describes the tables as they were, not as the code declares them today; later
changes are later revisions.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


TABLES = (
    "audit_head",
    "audit_log",
    "batches",
    "cases",
    "document_counters",
    "runs",
    "case_events",
    "case_outcomes",
    "leads",
    "recommendations",
    "run_models",
    "case_leads",
    "lead_assignments",
    "lead_events",
)
"""The baseline's tables, in an order that satisfies their foreign keys."""


def upgrade() -> None:
    create_tables(TABLES)
    append_only(("audit_log", "case_events", "lead_events"))
    op.bulk_insert(
        sa.table("audit_head", sa.column("id"), sa.column("seq"), sa.column("hash")),
        [{"id": 1, "seq": 0, "hash": "0" * 64}],
    )


def create_tables(names: tuple[str, ...] | set[str]) -> None:
    """Create the named baseline tables (all of them, or those a pre-migration store lacks)."""
    if "audit_head" in names:
        op.create_table(
            "audit_head",
            sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
            sa.Column("seq", sa.Integer(), nullable=False),
            sa.Column("hash", sa.String(length=64), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
    if "audit_log" in names:
        op.create_table(
            "audit_log",
            sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
            sa.Column("at", sa.String(length=40), nullable=False),
            sa.Column("actor", sa.String(length=128), nullable=False),
            sa.Column("action", sa.String(length=64), nullable=False),
            sa.Column("object_type", sa.String(length=32), nullable=False),
            sa.Column("object_id", sa.String(length=128), nullable=False),
            sa.Column("detail", sa.Text(), nullable=False),
            sa.Column("prev_hash", sa.String(length=64), nullable=False),
            sa.Column("hash", sa.String(length=64), nullable=False),
            sa.PrimaryKeyConstraint("seq"),
        )
        with op.batch_alter_table("audit_log", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_audit_log_actor"), ["actor"], unique=False)
    if "batches" in names:
        op.create_table(
            "batches",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("dataset", sa.String(length=64), nullable=False),
            sa.Column("file_name", sa.String(length=512), nullable=False),
            sa.Column("file_sha256", sa.String(length=64), nullable=False),
            sa.Column("agency", sa.String(length=256), nullable=False),
            sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("rows_read", sa.Integer(), nullable=False),
            sa.Column("imported", sa.Integer(), nullable=False),
            sa.Column("rejected", sa.Integer(), nullable=False),
            sa.Column("skipped", sa.Integer(), nullable=False),
            sa.Column("duplicates", sa.Integer(), nullable=False),
            sa.Column("parquet", sa.String(length=256), nullable=False),
            sa.Column("details", sa.JSON(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("dataset", "file_sha256", name="uq_batch_file"),
        )
        with op.batch_alter_table("batches", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_batches_dataset"), ["dataset"], unique=False)
    if "cases" in names:
        op.create_table(
            "cases",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("department", sa.String(length=64), nullable=False),
            sa.Column("prosecutor", sa.String(length=128), nullable=False),
            sa.Column("state", sa.String(length=32), nullable=False),
            sa.Column("urgent", sa.Boolean(), nullable=False),
            sa.Column("juvenile", sa.Boolean(), nullable=False),
            sa.Column("deadline_kind", sa.String(length=32), nullable=True),
            sa.Column("deadline_start", sa.Date(), nullable=True),
            sa.Column("deadline_due", sa.Date(), nullable=True),
            sa.Column("opened_on", sa.Date(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("cases", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_cases_state"), ["state"], unique=False)
    if "document_counters" in names:
        op.create_table(
            "document_counters",
            sa.Column("procuratorate", sa.String(length=128), nullable=False),
            sa.Column("category", sa.String(length=32), nullable=False),
            sa.Column("year", sa.Integer(), nullable=False),
            sa.Column("last", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("procuratorate", "category", "year"),
        )
    if "runs" in names:
        op.create_table(
            "runs",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("as_of", sa.Date(), nullable=False),
            sa.Column("engine", sa.String(length=16), nullable=False),
            sa.Column("models", sa.JSON(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
    if "case_events" in names:
        op.create_table(
            "case_events",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("case_id", sa.Integer(), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("on_date", sa.Date(), nullable=False),
            sa.Column("actor", sa.String(length=128), nullable=False),
            sa.Column("action", sa.String(length=32), nullable=False),
            sa.Column("from_state", sa.String(length=32), nullable=True),
            sa.Column("to_state", sa.String(length=32), nullable=False),
            sa.Column("reason", sa.Text(), nullable=False),
            sa.Column("fields", sa.JSON(), nullable=False),
            sa.ForeignKeyConstraint(
                ["case_id"],
                ["cases.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("case_events", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_case_events_case_id"), ["case_id"], unique=False)
    if "case_outcomes" in names:
        op.create_table(
            "case_outcomes",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("case_id", sa.Integer(), nullable=False),
            sa.Column("kind", sa.String(length=32), nullable=False),
            sa.Column("amount_yuan", sa.Numeric(precision=18, scale=2), nullable=True),
            sa.Column("people", sa.Integer(), nullable=True),
            sa.Column("count", sa.Integer(), nullable=True),
            sa.Column("note", sa.Text(), nullable=False),
            sa.Column("on_date", sa.Date(), nullable=False),
            sa.Column("actor", sa.String(length=128), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["case_id"],
                ["cases.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("case_outcomes", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_case_outcomes_case_id"), ["case_id"], unique=False)
    if "leads" in names:
        op.create_table(
            "leads",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("model_id", sa.String(length=128), nullable=False),
            sa.Column("subject", sa.String(length=128), nullable=False),
            sa.Column("title", sa.Text(), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("active", sa.Boolean(), nullable=False),
            sa.Column("evidence", sa.JSON(), nullable=False),
            sa.Column("evidence_hash", sa.String(length=64), nullable=False),
            sa.Column("evidence_rows", sa.Integer(), nullable=False),
            sa.Column("parameters", sa.JSON(), nullable=False),
            sa.Column("batches", sa.JSON(), nullable=False),
            sa.Column("first_run_id", sa.Integer(), nullable=False),
            sa.Column("last_run_id", sa.Integer(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["first_run_id"],
                ["runs.id"],
            ),
            sa.ForeignKeyConstraint(
                ["last_run_id"],
                ["runs.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("model_id", "subject", name="uq_lead_identity"),
        )
    if "recommendations" in names:
        op.create_table(
            "recommendations",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("case_id", sa.Integer(), nullable=False),
            sa.Column("procuratorate", sa.String(length=128), nullable=False),
            sa.Column("category", sa.String(length=32), nullable=False),
            sa.Column("year", sa.Integer(), nullable=False),
            sa.Column("seq", sa.Integer(), nullable=False),
            sa.Column("number", sa.String(length=64), nullable=False),
            sa.Column("recipient", sa.String(length=256), nullable=False),
            sa.Column("issued_on", sa.Date(), nullable=False),
            sa.Column("content", sa.JSON(), nullable=False),
            sa.Column("document", sa.String(length=512), nullable=False),
            sa.Column("document_sha256", sa.String(length=64), nullable=False),
            sa.Column("filing_due", sa.Date(), nullable=False),
            sa.Column("filed_on", sa.Date(), nullable=True),
            sa.Column("actor", sa.String(length=128), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["case_id"],
                ["cases.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("number"),
            sa.UniqueConstraint(
                "procuratorate", "category", "year", "seq", name="uq_recommendation_number"
            ),
        )
        with op.batch_alter_table("recommendations", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_recommendations_case_id"), ["case_id"], unique=False
            )
    if "run_models" in names:
        op.create_table(
            "run_models",
            sa.Column("run_id", sa.Integer(), nullable=False),
            sa.Column("model_id", sa.String(length=128), nullable=False),
            sa.Column("parameters", sa.JSON(), nullable=False),
            sa.Column("rows", sa.Integer(), nullable=False),
            sa.Column("leads_found", sa.Integer(), nullable=False),
            sa.Column("new", sa.Integer(), nullable=False),
            sa.Column("refreshed", sa.Integer(), nullable=False),
            sa.Column("unchanged", sa.Integer(), nullable=False),
            sa.Column("suppressed", sa.Integer(), nullable=False),
            sa.Column("reopened", sa.Integer(), nullable=False),
            sa.Column("seconds", sa.Float(), nullable=False),
            sa.ForeignKeyConstraint(
                ["run_id"],
                ["runs.id"],
            ),
            sa.PrimaryKeyConstraint("run_id", "model_id"),
        )
    if "case_leads" in names:
        op.create_table(
            "case_leads",
            sa.Column("case_id", sa.Integer(), nullable=False),
            sa.Column("lead_id", sa.Integer(), nullable=False),
            sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("actor", sa.String(length=128), nullable=False),
            sa.ForeignKeyConstraint(
                ["case_id"],
                ["cases.id"],
            ),
            sa.ForeignKeyConstraint(
                ["lead_id"],
                ["leads.id"],
            ),
            sa.PrimaryKeyConstraint("case_id", "lead_id"),
            sa.UniqueConstraint("lead_id"),
        )
    if "lead_assignments" in names:
        op.create_table(
            "lead_assignments",
            sa.Column("lead_id", sa.Integer(), nullable=False),
            sa.Column("department", sa.String(length=64), nullable=False),
            sa.Column("prosecutor", sa.String(length=128), nullable=False),
            sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("actor", sa.String(length=128), nullable=False),
            sa.ForeignKeyConstraint(
                ["lead_id"],
                ["leads.id"],
            ),
            sa.PrimaryKeyConstraint("lead_id"),
        )
        with op.batch_alter_table("lead_assignments", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_lead_assignments_department"), ["department"], unique=False
            )
            batch_op.create_index(
                batch_op.f("ix_lead_assignments_prosecutor"), ["prosecutor"], unique=False
            )
    if "lead_events" in names:
        op.create_table(
            "lead_events",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("lead_id", sa.Integer(), nullable=False),
            sa.Column("run_id", sa.Integer(), nullable=True),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("kind", sa.String(length=32), nullable=False),
            sa.Column("actor", sa.String(length=128), nullable=False),
            sa.Column("detail", sa.JSON(), nullable=False),
            sa.ForeignKeyConstraint(
                ["lead_id"],
                ["leads.id"],
            ),
            sa.ForeignKeyConstraint(
                ["run_id"],
                ["runs.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("lead_events", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_lead_events_lead_id"), ["lead_id"], unique=False)


def append_only(tables: tuple[str, ...]) -> None:
    """Triggers that refuse UPDATE and DELETE on history tables, in either database.

    The code never changes a history row; the triggers make an edit through another client fail
    too. Someone who drops them can still edit, which the audit chain then shows.
    """
    if op.get_bind().dialect.name == "sqlite":
        for table in tables:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
        return
    op.execute(
        "CREATE OR REPLACE FUNCTION shujian_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
    )
    for table in tables:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION shujian_append_only()"
        )


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
