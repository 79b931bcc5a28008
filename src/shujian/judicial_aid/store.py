"""国家司法救助's table in the case store (migrations 0022, 0025).

* `judicial_aid_decisions` — each 国家司法救助决定书 issued: the case, its 文号 from the kind's
  own counter, the content it was rendered from (so the .docx is rendered again identically) and
  its archived file's place under the workspace and SHA-256 (since 0025: rendered before the row
  is written, so both are known then; NULL on a decision issued before); written once
  (append-only triggers). The case itself, its steps and fields are the case
  machinery's (`cases`, `case_events`).
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, DateTime, ForeignKey, Integer, String, Table

from shujian.store import metadata

judicial_aid_decisions = Table(
    "judicial_aid_decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, unique=True),
    Column("number", String(64), nullable=False, unique=True),
    Column("year", Integer, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("content", JSON, nullable=False),
    Column("document", String(512), nullable=True),
    Column("document_sha256", String(64), nullable=True),
    Column("actor", String(128), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
