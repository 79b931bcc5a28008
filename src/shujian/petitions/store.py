"""12309 信访's tables in the case store (migration 0021).

* `petitions` — one petition: how and when it came in, who sent it (name, ID number, contact,
  whether a minor), what it is about, the department it is routed to, both replies' due dates and
  the days they were made, 办结, the petitioner's feedback, the leader who took it (领导包案) and
  the reception day it was received on. Its current state is kept on the row, changed only
  together with an event.
* `petition_events` — every step (received, routed, procedural reply, result or progress reply,
  领导包案, feedback), with its text: append-only (triggers).
* `reception_days` — each 检察长接待日: the day, the leader receiving, where; append-only (a
  visit received that day names it).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
)

from shujian.store import metadata

reception_days = Table(
    "reception_days",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("on_date", Date, nullable=False, index=True),
    Column("leader", String(128), nullable=False),
    Column("place", String(256), nullable=False),
    Column("note", Text, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

petitions = Table(
    "petitions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("received_on", Date, nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    Column("category", String(16), nullable=False),
    Column("name", String(64), nullable=False),
    Column("id_card", String(32)),
    Column("contact", String(128), nullable=False),
    Column("minor", Boolean, nullable=False),
    Column("no_contact", Boolean, nullable=False),
    Column("matter", Text, nullable=False),
    Column("state", String(16), nullable=False, index=True),
    Column("department", String(64), index=True),
    Column("handler", String(128)),
    Column("procedural_due", Date, nullable=False),
    Column("procedural_on", Date),
    Column("procedural_outcome", String(16)),
    Column("result_due", Date, nullable=False),
    Column("result_on", Date),
    Column("closed_on", Date),
    Column("feedback", String(16)),
    Column("feedback_on", Date),
    Column("leader", String(128)),
    Column("leader_on", Date),
    Column("reception_day_id", Integer, ForeignKey("reception_days.id")),
    Column("registered_by", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

petition_events = Table(
    "petition_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("petition_id", Integer, ForeignKey("petitions.id"), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("on_date", Date, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("text", Text, nullable=False),
    Column("detail", JSON, nullable=False),
)

APPEND_ONLY = ("petition_events", "reception_days")
"""Histories of 信访: the triggers of migration 0021 refuse UPDATE and DELETE on them."""
