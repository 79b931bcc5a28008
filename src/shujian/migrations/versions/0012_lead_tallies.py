"""Running counts of the leads, kept by the database: a queue's count and the lead statistics
add up a few thousand tally rows instead of a million index entries.

- `leads.decided_at`: when the lead was last decided (成案 or 不成案); filled here from its last
  `accepted` / `dismissed` event, written from now on with the decision (`leads.triage.dismiss`,
  `cases.service`).
- `lead_tallies`: how many leads there are per model, status, 不再命中 or not, where they are
  dispatched ('' while waiting undispatched) and the Beijing month they were first found.
- `lead_decision_tallies`: how many decided leads (成案, 不成案) per model, status, dispatch and
  Beijing month of the decision.
- Triggers on `leads` keep both in the transaction that inserts, changes or deletes a lead,
  whoever writes it (a run, a triage, a bulk load), so the counts are exact. An update that
  changes none of the counted columns (a run refreshing a lead's evidence) does not fire them.

With a million leads a prosecutor's 全部状态 list counted 630,000 index entries on every page
(350–550 ms) and the first statistics after a change took 15–24 s on SQLite.

A later migration that rebuilds `leads` on SQLite (alembic's batch mode copies the table) drops
its triggers: it must create them again (`create_triggers`).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-13
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

KEY = ("model_id", "status", "active", "dispatch_department", "dispatch_prosecutor")
DECISION_KEY = ("model_id", "status", "dispatch_department", "dispatch_prosecutor")
COUNTED = (
    "model_id",
    "status",
    "active",
    "dispatch_department",
    "dispatch_prosecutor",
    "created_at",
    "decided_at",
)
"""The columns of a lead the tallies depend on."""


def month(dialect: str, column: str) -> str:
    """The Beijing month (YYYY-MM) of a stored instant, in SQL (stores keep UTC)."""
    if dialect == "postgresql":
        return f"to_char({column} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')"
    return f"strftime('%Y-%m', {column}, '+8 hours')"


def _keys(dialect: str, row: str) -> tuple[dict[str, str], dict[str, str]]:
    """Column → its value for a lead row (`NEW` or `OLD`), in `lead_tallies` and in
    `lead_decision_tallies`."""
    common = {
        "model_id": f"{row}.model_id",
        "status": f"{row}.status",
        "dispatch_department": f"COALESCE({row}.dispatch_department, '')",
        "dispatch_prosecutor": f"COALESCE({row}.dispatch_prosecutor, '')",
    }
    tally = {
        **common,
        "active": f"{row}.active",
        "found_month": month(dialect, f"{row}.created_at"),
    }
    decision = {**common, "decided_month": month(dialect, f"{row}.decided_at")}
    return tally, decision


def _decided(row: str) -> str:
    return f"{row}.status IN ('accepted', 'dismissed') AND {row}.decided_at IS NOT NULL"


def _add(dialect: str, row: str) -> list[str]:
    """Count the lead of `row` in (upsert)."""
    out = []
    for table, key, when in zip(
        ("lead_tallies", "lead_decision_tallies"),
        _keys(dialect, row),
        ("true", _decided(row)),
        strict=True,
    ):
        own = f"{table}.n" if dialect == "postgresql" else "n"
        columns = ", ".join(key)
        out.append(
            f"INSERT INTO {table} ({columns}, n) SELECT {', '.join(key.values())}, 1 "
            f"WHERE {when} ON CONFLICT ({columns}) DO UPDATE SET n = {own} + 1"
        )
    return out


def _take(dialect: str, row: str) -> list[str]:
    """Count the lead of `row` out."""
    out = []
    for table, key, when in zip(
        ("lead_tallies", "lead_decision_tallies"),
        _keys(dialect, row),
        (None, _decided(row)),
        strict=True,
    ):
        match = " AND ".join(f"{c} = {v}" for c, v in key.items())
        out.append(f"UPDATE {table} SET n = n - 1 WHERE {match}" + (f" AND {when}" if when else ""))
    return out


def _changed(dialect: str) -> str:
    differs = "IS DISTINCT FROM" if dialect == "postgresql" else "IS NOT"
    return " OR ".join(f"OLD.{c} {differs} NEW.{c}" for c in COUNTED)


def create_triggers(dialect: str) -> None:
    """The triggers that keep the tallies, for the store's dialect."""
    if dialect == "postgresql":
        body = "\n".join(
            (
                "BEGIN",
                "  IF TG_OP IN ('UPDATE', 'DELETE') THEN",
                *(f"    {s};" for s in _take(dialect, "OLD")),
                "  END IF;",
                "  IF TG_OP IN ('UPDATE', 'INSERT') THEN",
                *(f"    {s};" for s in _add(dialect, "NEW")),
                "  END IF;",
                "  RETURN NULL;",
                "END;",
            )
        )
        op.execute(
            "CREATE OR REPLACE FUNCTION leads_tally() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"{body}\n$$"
        )
        op.execute(
            "CREATE TRIGGER leads_tally_insert_delete AFTER INSERT OR DELETE ON leads "
            "FOR EACH ROW EXECUTE FUNCTION leads_tally()"
        )
        op.execute(
            "CREATE TRIGGER leads_tally_update AFTER UPDATE ON leads FOR EACH ROW "
            f"WHEN ({_changed(dialect)}) EXECUTE FUNCTION leads_tally()"
        )
        return
    added = "".join(f"  {s};\n" for s in _add(dialect, "NEW"))
    taken = "".join(f"  {s};\n" for s in _take(dialect, "OLD"))
    op.execute(f"CREATE TRIGGER leads_tally_insert AFTER INSERT ON leads BEGIN\n{added}END")
    op.execute(f"CREATE TRIGGER leads_tally_delete AFTER DELETE ON leads BEGIN\n{taken}END")
    op.execute(
        f"CREATE TRIGGER leads_tally_update AFTER UPDATE OF {', '.join(COUNTED)} ON leads "
        f"WHEN {_changed(dialect)} BEGIN\n{taken}{added}END"
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column("leads", sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE leads SET decided_at = (SELECT e.at FROM lead_events e WHERE e.lead_id = leads.id "
        "AND e.kind IN ('accepted', 'dismissed') ORDER BY e.id DESC LIMIT 1) "
        "WHERE status IN ('accepted', 'dismissed')"
    )
    op.create_table(
        "lead_tallies",
        sa.Column("model_id", sa.String(128), primary_key=True),
        sa.Column("status", sa.String(16), primary_key=True),
        sa.Column("active", sa.Boolean, primary_key=True),
        sa.Column("dispatch_department", sa.String(64), primary_key=True),
        sa.Column("dispatch_prosecutor", sa.String(128), primary_key=True),
        sa.Column("found_month", sa.String(7), primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
    )
    op.create_table(
        "lead_decision_tallies",
        sa.Column("model_id", sa.String(128), primary_key=True),
        sa.Column("status", sa.String(16), primary_key=True),
        sa.Column("dispatch_department", sa.String(64), primary_key=True),
        sa.Column("dispatch_prosecutor", sa.String(128), primary_key=True),
        sa.Column("decided_month", sa.String(7), primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
    )
    dispatched = "COALESCE(dispatch_department, ''), COALESCE(dispatch_prosecutor, '')"
    found = month(dialect, "created_at")
    op.execute(
        f"INSERT INTO lead_tallies ({', '.join(KEY)}, found_month, n) "
        f"SELECT model_id, status, active, {dispatched}, {found}, COUNT(*) FROM leads "
        f"GROUP BY model_id, status, active, {dispatched}, {found}"
    )
    decided = month(dialect, "decided_at")
    op.execute(
        f"INSERT INTO lead_decision_tallies ({', '.join(DECISION_KEY)}, decided_month, n) "
        f"SELECT model_id, status, {dispatched}, {decided}, COUNT(*) FROM leads "
        "WHERE status IN ('accepted', 'dismissed') AND decided_at IS NOT NULL "
        f"GROUP BY model_id, status, {dispatched}, {decided}"
    )
    create_triggers(dialect)


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
