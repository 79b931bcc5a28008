"""Tables of runs and leads in the case store.

A lead's identity is (model, subject); its `town` (乡镇) is where its subject is, when the model
declares the evidence column that says so (`leads.town`). Its history is the append-only `lead_events` table:
rows are added, never updated or deleted.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from shujian.store import metadata

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("as_of", Date, nullable=False),
    Column("engine", String(16), nullable=False),
    Column("models", JSON, nullable=False),
)

run_models = Table(
    "run_models",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id"), primary_key=True),
    Column("model_id", String(128), primary_key=True),
    Column("parameters", JSON, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("leads_found", Integer, nullable=False),
    Column("new", Integer, nullable=False),
    Column("refreshed", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("suppressed", Integer, nullable=False),
    Column("reopened", Integer, nullable=False),
    Column("seconds", Float, nullable=False),
)

leads = Table(
    "leads",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("model_id", String(128), nullable=False),
    Column("subject", String(128), nullable=False),
    Column("title", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("evidence_hash", String(64), nullable=False),
    Column("evidence_rows", Integer, nullable=False, default=0),
    # the parameters the lead was found with: leads written before migration 0023 hold a copy
    # here; later ones hold JSON null and name their set in `parameter_set` (read both with
    # `leads.parameter_sets.fill`)
    Column("parameters", JSON, nullable=False),
    Column("batches", JSON, nullable=False),
    Column("first_run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("last_run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("town", String(64), index=True),
    # where the lead is dispatched now (NULL: waiting undispatched), as its `lead_dispatches`
    # row says: kept here too so that the queue filters one table (migration 0011)
    Column("dispatch_department", String(64)),
    Column("dispatch_prosecutor", String(128)),
    # when the lead was last decided (成案 or 不成案), as its last such event says (migration 0012)
    Column("decided_at", DateTime(timezone=True)),
    # the digest of the parameter set the lead was found with (`parameter_sets`, migration 0023)
    Column("parameter_set", String(64)),
    UniqueConstraint("model_id", "subject", name="uq_lead_identity"),
)

parameter_sets = Table(
    "parameter_sets",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("parameters", JSON, nullable=False),
)
"""Each set of model parameters a run found leads with, stored once (append-only, migration
0023): a run of 14,000 leads referred to by 14,000 copies of the same parameters before."""

# The queue's indexes (migration 0011): each holds every column the queue filters on, in one of
# its orders (by model, by time; with a status first or without), so that a page and its count
# are read from an index alone, never from the wide rows (evidence, parameters).
_FILTERED = ("dispatch_department", "dispatch_prosecutor", "active")
for _name, _columns in {
    "ix_leads_queue_status_model": ("status", "model_id", "id", *_FILTERED, "created_at"),
    "ix_leads_queue_model": ("model_id", "id", "status", *_FILTERED, "created_at"),
    "ix_leads_queue_status_time": ("status", "created_at", "id", "model_id", *_FILTERED),
    "ix_leads_queue_time": ("created_at", "id", "status", "model_id", *_FILTERED),
    "ix_leads_queue_department": (
        "dispatch_department",
        "status",
        "model_id",
        "dispatch_prosecutor",
        "active",
        "created_at",
    ),
    "ix_leads_queue_prosecutor": (
        "dispatch_prosecutor",
        "status",
        "model_id",
        "created_at",
        "active",
    ),
}.items():
    Index(_name, *(leads.c[c] for c in _columns))

# Running counts of the leads (migration 0012), kept by the database's own triggers on `leads` in
# the transaction that changes a lead, whatever the writer: a count of a queue or a statistic
# adds up a few thousand tally rows instead of a million index entries. A lead is counted under
# where it is dispatched ('' while it waits undispatched) and the Beijing month it was first
# found; a decided lead (成案, 不成案) also under the Beijing month of its decision.
NOT_DISPATCHED = ""
"""`dispatch_department` / `dispatch_prosecutor` of a tally row of leads waiting undispatched."""

lead_tallies = Table(
    "lead_tallies",
    metadata,
    Column("model_id", String(128), primary_key=True),
    Column("status", String(16), primary_key=True),
    Column("active", Boolean, primary_key=True),
    Column("dispatch_department", String(64), primary_key=True),
    Column("dispatch_prosecutor", String(128), primary_key=True),
    Column("found_month", String(7), primary_key=True),
    Column("n", Integer, nullable=False),
)

lead_decision_tallies = Table(
    "lead_decision_tallies",
    metadata,
    Column("model_id", String(128), primary_key=True),
    Column("status", String(16), primary_key=True),
    Column("dispatch_department", String(64), primary_key=True),
    Column("dispatch_prosecutor", String(128), primary_key=True),
    Column("decided_month", String(7), primary_key=True),
    Column("n", Integer, nullable=False),
)

lead_events = Table(
    "lead_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("lead_id", Integer, ForeignKey("leads.id"), nullable=False, index=True),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("actor", String(128), nullable=False, default="system"),
    Column("detail", JSON, nullable=False, default=dict),
)

lead_dispatches = Table(
    "lead_dispatches",
    metadata,
    Column("lead_id", Integer, ForeignKey("leads.id"), primary_key=True),
    Column("department", String(64), nullable=False, index=True),
    Column("prosecutor", String(128), nullable=False, index=True),
    Column("dispatched_at", DateTime(timezone=True), nullable=False),
    Column("actor", String(128), nullable=False),
)
"""The department and prosecutor a lead is dispatched (分派) to now, when and by whom; its history
is in `lead_events` (kind `dispatched`, or `assigned` for events written before migration 0004).
`leads.dispatch_department` / `dispatch_prosecutor` say the same, written in the same transaction
(`leads.triage.dispatch`)."""
