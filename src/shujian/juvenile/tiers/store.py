"""分级干预's table in the case store (migration 0016).

* `intervention_tiers` — every change of a minor's intervention tier: the minor (ID number), the
  tier (or `ended`, the end of intervention), the day decided, the reason (items of arts. 28 / 38
  and text), the measures taken, the warning (a lead) it takes up, who decided and when it was
  recorded. Append-only like `lead_events`: a change is a new row, never an UPDATE of the past
  (triggers refuse UPDATE and DELETE). The minor's tier is their newest row.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, DateTime, ForeignKey, Integer, String, Table, Text

from shujian.store import metadata

intervention_tiers = Table(
    "intervention_tiers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("id_card", String(32), nullable=False, index=True),
    Column("tier", String(32), nullable=False),
    Column("decided_on", Date, nullable=False, index=True),
    Column("items", JSON, nullable=False),
    Column("reason", Text, nullable=False),
    Column("measures", JSON, nullable=False),
    Column("lead_id", Integer, ForeignKey("leads.id"), index=True),
    Column("decided_by", String(128), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

APPEND_ONLY = ("intervention_tiers",)
"""The history of tiers: the triggers of migration 0016 refuse UPDATE and DELETE on it."""
