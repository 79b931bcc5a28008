"""督办's tables in the case store (migration 0013).

* `supervision_items` — a warning (a lead of a juvenile model) taken up as a 督办 item: the minor,
  the responsible unit, the deadline, open or closed (with the closing day and result). One item
  per lead. Its current state is kept on the row, changed only together with an event.
* `supervision_events` — every step of an item (opened, a follow-up, a deadline moved, closed),
  append-only like `lead_events`: rows are added, never updated or deleted (triggers refuse it).
* `spot_checks` — the minors a month's 暗访 sample drew, with the stratum (town or unit) and the
  units assigned on the month's first day; written once when the month is drawn, never changed.
* `spot_check_results` — what each unannounced check found, append-only: the newest row of a
  check is its result, earlier ones its history.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from shujian.store import metadata

supervision_items = Table(
    "supervision_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("lead_id", Integer, ForeignKey("leads.id"), nullable=False, unique=True),
    Column("model_id", String(128), nullable=False),
    Column("id_card", String(32), nullable=False, index=True),
    Column("town", String(64)),
    Column("unit", String(128), nullable=False, index=True),
    Column("opened_on", Date, nullable=False),
    Column("deadline", Date, nullable=False, index=True),
    Column("deadline_basis", String(64), nullable=False),
    Column("state", String(16), nullable=False, index=True),
    Column("closed_on", Date),
    Column("result", Text),
    Column("opened_by", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

supervision_events = Table(
    "supervision_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item_id", Integer, ForeignKey("supervision_items.id"), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("on_date", Date, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("by_whom", String(128), nullable=False),
    Column("text", Text, nullable=False),
    Column("detail", JSON, nullable=False),
)

spot_checks = Table(
    "spot_checks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("month", String(7), nullable=False, index=True),
    Column("id_card", String(32), nullable=False),
    Column("stratum", String(128), nullable=False),
    Column("town", String(64)),
    Column("units", JSON, nullable=False),
    Column("percent", Float, nullable=False),
    Column("minimum", Integer, nullable=False),
    Column("by", String(16), nullable=False),
    Column("drawn_at", DateTime(timezone=True), nullable=False),
    Column("drawn_by", String(128), nullable=False),
    UniqueConstraint("month", "id_card", name="uq_spot_check"),
)

spot_check_results = Table(
    "spot_check_results",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("check_id", Integer, ForeignKey("spot_checks.id"), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("checked_on", Date, nullable=False),
    Column("result", String(16), nullable=False),
    Column("note", Text, nullable=False),
    Column("actor", String(128), nullable=False),
)

APPEND_ONLY = ("supervision_events", "spot_checks", "spot_check_results")
"""Histories of 督办: the triggers of migration 0013 refuse UPDATE and DELETE on them."""
