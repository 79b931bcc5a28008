"""附条件不起诉's tables in the case store (migration 0017).

* `probations` — one minor suspect's 附条件不起诉: the facts of 审查 (charge, sentence, hearings,
  objection), the decision (day, months, last day, 考察机关, 帮教人员, measures), service, and
  how it ended (不起诉, 撤销 with its ground, 起诉). Its current state is kept on the row, changed
  only together with an event (as `supervision_items`).
* `probation_events` — every step (opened, facts, decided, served, report, violation, opinion,
  ended, revoked, prosecuted), append-only: rows are added, never updated or deleted (triggers).
* `probation_opinions` — each 考察意见书 issued: its 文号 from the kind's own counter and the
  content it was rendered from (so the .docx is rendered again identically); written once.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, DateTime, ForeignKey, Integer, String, Table, Text

from shujian.store import metadata

probations = Table(
    "probations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("id_card", String(32), nullable=False, index=True),
    Column("name", String(64), nullable=False),
    Column("act_on", Date),
    Column("charge", String(128)),
    Column("article", String(16)),
    Column("chapter", Integer),
    Column("facts", JSON, nullable=False),
    Column("state", String(16), nullable=False, index=True),
    Column("decided_on", Date),
    Column("months", Integer),
    Column("ends_on", Date, index=True),
    Column("service_due", Date),
    Column("served_on", Date),
    Column("agency", String(128)),
    Column("mentor", String(128)),
    Column("measures", JSON),
    Column("closed_on", Date),
    Column("ground", String(32)),
    Column("opened_on", Date, nullable=False),
    Column("opened_by", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

probation_events = Table(
    "probation_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("probation_id", Integer, ForeignKey("probations.id"), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("on_date", Date, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("text", Text, nullable=False),
    Column("detail", JSON, nullable=False),
)

probation_opinions = Table(
    "probation_opinions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("probation_id", Integer, ForeignKey("probations.id"), nullable=False, unique=True),
    Column("number", String(64), nullable=False, unique=True),
    Column("year", Integer, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("content", JSON, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

APPEND_ONLY = ("probation_events", "probation_opinions")
"""Histories of 附条件不起诉: the triggers of migration 0017 refuse UPDATE and DELETE on them."""
