"""Sealing's tables in the case store (migration 0018).

* `sealed_records` — one per sealed offence record: its identity (`record_key`, the person's
  name and ID number, offence, outcome, dates, sentence, document number), the batch it came in
  and why and when it was sealed. Written once, never changed: whether it is sealed now is its
  events' answer.
* `sealed_record_events` — sealed, viewed (with the reason given), unsealed (with the ground of
  规则第四百八十五条 and the new sentence): append-only, triggers refuse UPDATE and DELETE.
* `sealing_requests` — a query request (查询申请): the unit, its basis, the person asked about,
  the day received and the day it is due. Written once.
* `sealing_answers` — the answer to a request (granted with what was given, or refused with the
  reason): one per request, append-only.
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

sealed_records = Table(
    "sealed_records",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_key", String(64), nullable=False, unique=True),
    Column("id_card", String(32), nullable=False, index=True),
    Column("name", String(128), nullable=False),
    Column("offence", Text, nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("decided_on", Date, nullable=False),
    Column("act_date", Date),
    Column("sentence", String(64)),
    Column("document_no", String(128)),
    Column("batch_id", Integer),
    Column("ground", String(32), nullable=False),
    Column("sealed_on", Date, nullable=False),
    Column("sealed_by", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

sealed_record_events = Table(
    "sealed_record_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_id", Integer, ForeignKey("sealed_records.id"), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("reason", Text, nullable=False),
    Column("detail", JSON, nullable=False),
)

sealing_requests = Table(
    "sealing_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_id", Integer, ForeignKey("sealed_records.id"), nullable=False, index=True),
    Column("unit", String(128), nullable=False),
    Column("judicial", Boolean, nullable=False),
    Column("basis", Text, nullable=False),
    Column("purpose", Text, nullable=False),
    Column("received_on", Date, nullable=False),
    Column("due_on", Date, nullable=False, index=True),
    Column("actor", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

sealing_answers = Table(
    "sealing_answers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("request_id", Integer, ForeignKey("sealing_requests.id"), nullable=False, unique=True),
    Column("answered_on", Date, nullable=False),
    Column("granted", Boolean, nullable=False),
    Column("text", Text, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

APPEND_ONLY = ("sealed_records", "sealed_record_events", "sealing_requests", "sealing_answers")
"""Sealing's records and histories: the triggers of migration 0018 refuse UPDATE and DELETE."""
