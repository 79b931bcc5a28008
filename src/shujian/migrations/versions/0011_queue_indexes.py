"""The lead queue answered from indexes: where a lead is dispatched, on the lead itself.

- `leads.dispatch_department`, `leads.dispatch_prosecutor`: the department and prosecutor the
  lead is dispatched (分派) to now, NULL while it waits undispatched — the same as its
  `lead_dispatches` row (which keeps when and by whom), written in the same transaction by
  `leads.triage.dispatch`. Filled here from `lead_dispatches`.
- Six indexes that hold every column the queue filters on (status, model, department,
  prosecutor, 不再命中, date), in the queue's two orders (by model, by time), with and without a
  status first, and by department and by prosecutor (a scope's count adds up their ranges): a
  page and its count are read from an index, never from the wide lead rows (evidence,
  parameters), and without a join. With a million leads a page took seconds before.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-11
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_leads_queue_status_model": (
        "status", "model_id", "id", "dispatch_department", "dispatch_prosecutor", "active",
        "created_at",
    ),
    "ix_leads_queue_model": (
        "model_id", "id", "status", "dispatch_department", "dispatch_prosecutor", "active",
        "created_at",
    ),
    "ix_leads_queue_status_time": (
        "status", "created_at", "id", "model_id", "dispatch_department", "dispatch_prosecutor",
        "active",
    ),
    "ix_leads_queue_time": (
        "created_at", "id", "status", "model_id", "dispatch_department", "dispatch_prosecutor",
        "active",
    ),
    "ix_leads_queue_department": (
        "dispatch_department", "status", "model_id", "dispatch_prosecutor", "active",
        "created_at",
    ),
    "ix_leads_queue_prosecutor": (
        "dispatch_prosecutor", "status", "model_id", "created_at", "active",
    ),
}  # fmt: skip
"""As `leads.store` declares them."""


def upgrade() -> None:
    op.add_column("leads", sa.Column("dispatch_department", sa.String(64), nullable=True))
    op.add_column("leads", sa.Column("dispatch_prosecutor", sa.String(128), nullable=True))
    op.execute(
        "UPDATE leads SET "
        "dispatch_department = (SELECT d.department FROM lead_dispatches d "
        "WHERE d.lead_id = leads.id), "
        "dispatch_prosecutor = (SELECT d.prosecutor FROM lead_dispatches d "
        "WHERE d.lead_id = leads.id) "
        "WHERE id IN (SELECT lead_id FROM lead_dispatches)"
    )
    for name, columns in INDEXES.items():
        op.create_index(name, "leads", list(columns))


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
