"""督促监护令, 训诫 and 家庭教育指导: their tables in the case store (migration 0015).

* `guardianship_orders` — each 督促监护令 issued: its 文号 (unique; entered from the
  统一业务应用系统 or taken from the platform's counter), the minor, the guardian it is addressed
  to and their relation, the issue date, the follow-up schedule (months after issue) fixed at
  issue, the document's content and wording template as issued, and the file's place and SHA-256.
  Written once when the number is reserved; only the file's hash (or the render error) is filled
  in after it, exactly like `recommendations`.
* `order_follow_ups` — each follow-up visit (回访) recorded against one scheduled visit of an
  order: the day, the outcome, what was found, by whom. Append-only: a visit recorded again is a
  new row, the newest row of a scheduled visit stands and the earlier ones are its history.
* `guardian_reprimands` — each 训诫 of a guardian: the day, the guardian, the ground (家庭教育促进法
  art. 49 / 预防未成年人犯罪法 art. 61 / 未成年人保护法 art. 118), by whom. Append-only.
* `guidance_sessions` — each 家庭教育指导 session: the day, the guardian(s) attending, the minor,
  the form (线下 / 线上), the content, by whom, optionally the order it follows. Append-only.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
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

guardianship_orders = Table(
    "guardianship_orders",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("number", String(64), nullable=False, unique=True),
    Column("numbering", String(16), nullable=False),
    Column("procuratorate", String(128), nullable=False),
    Column("year", Integer, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("id_card", String(32), nullable=False, index=True),
    Column("guardian", String(64), nullable=False),
    Column("relation", String(32), nullable=False),
    Column("issued_on", Date, nullable=False, index=True),
    Column("follow_up_months", JSON, nullable=False),
    Column("content", JSON, nullable=False),
    Column("template_text", Text, nullable=False),
    Column("template_sha256", String(64), nullable=False),
    Column("document", Text, nullable=False),
    Column("document_sha256", String(64)),
    Column("render_error", Text),
    Column("actor", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

order_follow_ups = Table(
    "order_follow_ups",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_id", Integer, ForeignKey("guardianship_orders.id"), nullable=False, index=True),
    Column("visit", Integer, nullable=False),
    Column("visited_on", Date, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("note", Text, nullable=False),
    Column("by_whom", String(128), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

guardian_reprimands = Table(
    "guardian_reprimands",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("id_card", String(32), nullable=False, index=True),
    Column("guardian", String(64), nullable=False),
    Column("relation", String(32), nullable=False),
    Column("on_date", Date, nullable=False),
    Column("ground", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("order_id", Integer, ForeignKey("guardianship_orders.id")),
    Column("by_whom", String(128), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

guidance_sessions = Table(
    "guidance_sessions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("id_card", String(32), nullable=False, index=True),
    Column("guardians", JSON, nullable=False),
    Column("on_date", Date, nullable=False, index=True),
    Column("form", String(8), nullable=False),
    Column("content", Text, nullable=False),
    Column("order_id", Integer, ForeignKey("guardianship_orders.id")),
    Column("by_whom", String(128), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

APPEND_ONLY = ("order_follow_ups", "guardian_reprimands", "guidance_sessions")
"""Histories: the triggers of migration 0015 refuse UPDATE and DELETE on them."""
