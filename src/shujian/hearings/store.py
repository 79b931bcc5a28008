"""公开听证's tables in the case store (migration 0022).

* `hearings` — one hearing (听证会) attached to a case of any kind: the matter heard, public or
  not, place, host, the day it is set for, the day the participants were told (and the public
  notice of a public hearing), then the day held and its record (笔录), then the decision —
  whether it follows the 听证员's majority and, if not, the 检察长's consent. Current state on the
  row, changed only together with an event.
* `hearing_members` — its 听证员, fixed when the hearing is set (written once).
* `hearing_events` — every step (scheduled, held, opinion, decided, cancelled), append-only; an
  听证员's opinion is an event, so a corrected opinion is a later one and the first is kept.
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
    UniqueConstraint,
)

from shujian.store import metadata

hearings = Table(
    "hearings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("matter", Text, nullable=False),
    Column("public", Boolean, nullable=False),
    Column("place", String(128), nullable=False),
    Column("host", String(128), nullable=False),
    Column("scheduled_on", Date, nullable=False),
    Column("notified_on", Date, nullable=False),
    Column("announced_on", Date),
    Column("state", String(16), nullable=False, index=True),
    Column("held_on", Date, index=True),
    Column("record", Text),
    Column("decision", Text),
    Column("decided_on", Date),
    Column("follows_majority", Boolean),
    Column("chief_consent", Text),
    Column("created_by", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

hearing_members = Table(
    "hearing_members",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hearing_id", Integer, ForeignKey("hearings.id"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("name", String(64), nullable=False),
    Column("identity", String(32), nullable=False),
    Column("born_on", Date, nullable=False),
    UniqueConstraint("hearing_id", "seq"),
)

hearing_events = Table(
    "hearing_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hearing_id", Integer, ForeignKey("hearings.id"), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("on_date", Date, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("detail", JSON, nullable=False),
)
