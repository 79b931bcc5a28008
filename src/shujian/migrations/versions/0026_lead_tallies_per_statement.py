"""PostgreSQL counts the leads an INSERT adds to the tallies once per statement, not once per row.

Migration 0012's trigger ran a PL/pgSQL function for every lead inserted: two upserts into
`lead_tallies` and `lead_decision_tallies` each, about 100 µs a lead — half of a run's time on
PostgreSQL when it finds 14,586 new leads (1.5 of 3.0 s). Now an INSERT (or a COPY) of many
leads fires one statement-level trigger that reads the statement's new rows (a transition table)
and adds them to the tallies grouped by what they count under: one upsert per table. A statement
that inserts one lead costs what it did.

Deleting a lead and changing one keep 0012's row triggers (PostgreSQL allows a transition table
only on a trigger of one event, and none on one that names its columns, as the update trigger's
`WHEN` must): the same `leads_tally()` function, now fired for DELETE and UPDATE only. SQLite's
triggers are unchanged (SQLite has no statement-level triggers). The tallies themselves are not
touched: they are exact before and after (`tests/leads/test_tallies.py`).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

DISPATCH = {
    "dispatch_department": "COALESCE(dispatch_department, '')",
    "dispatch_prosecutor": "COALESCE(dispatch_prosecutor, '')",
}
TALLY = {  # lead_tallies' key: 0012's, for a row of the new leads
    "model_id": "model_id",
    "status": "status",
    **DISPATCH,
    "active": "active",
    "found_month": "to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')",
}
DECISION = {  # lead_decision_tallies' key
    "model_id": "model_id",
    "status": "status",
    **DISPATCH,
    "decided_month": "to_char(decided_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')",
}
DECIDED = "status IN ('accepted', 'dismissed') AND decided_at IS NOT NULL"


def _added(table: str, key: dict[str, str], when: str) -> str:
    """Add the statement's new leads (`added`) to `table`, grouped by `key`."""
    columns = ", ".join(key)
    values = ", ".join(key.values())
    return (
        f"INSERT INTO {table} ({columns}, n) SELECT {values}, COUNT(*) FROM added "
        f"WHERE {when} GROUP BY {values} "
        f"ON CONFLICT ({columns}) DO UPDATE SET n = {table}.n + EXCLUDED.n"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    body = "\n".join(
        (
            "BEGIN",
            f"  {_added('lead_tallies', TALLY, 'true')};",
            f"  {_added('lead_decision_tallies', DECISION, DECIDED)};",
            "  RETURN NULL;",
            "END;",
        )
    )
    op.execute(
        f"CREATE FUNCTION leads_tally_added() RETURNS trigger LANGUAGE plpgsql AS $$\n{body}\n$$"
    )
    op.execute("DROP TRIGGER leads_tally_insert_delete ON leads")
    op.execute(
        "CREATE TRIGGER leads_tally_insert AFTER INSERT ON leads REFERENCING NEW TABLE AS added "
        "FOR EACH STATEMENT EXECUTE FUNCTION leads_tally_added()"
    )
    op.execute(
        "CREATE TRIGGER leads_tally_delete AFTER DELETE ON leads "
        "FOR EACH ROW EXECUTE FUNCTION leads_tally()"
    )


def downgrade() -> None:
    raise NotImplementedError("the case store is never downgraded: restore a backup instead")
