"""A run's new leads counted into the tallies once, grouped, on SQLite as on PostgreSQL.

The tallies (`lead_tallies`, `lead_decision_tallies`, migration 0012) are kept by triggers. On
PostgreSQL an INSERT of many leads is counted once per statement (migration 0026). SQLite has
only row triggers, and a row trigger costs about 27 µs a lead whatever its body does: a run that
finds 14,586 new leads spent 0.4 s in it, a fifth of the run. `counted_at_end` takes the insert
trigger out for one insert, inside the writer's transaction, adds the inserted leads to the
tallies with one grouped upsert per table, as 0026's trigger does, and puts the trigger back as
it was (its own text, from `sqlite_master`). Schema changes are part of SQLite's transaction:
rolled back, the trigger was never gone; no other writer can see the store in between (SQLite
has one writer at a time, and readers see only what is committed).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

INSERT_TRIGGER = "leads_tally_insert"

_DISPATCH = {
    "dispatch_department": "COALESCE(dispatch_department, '')",
    "dispatch_prosecutor": "COALESCE(dispatch_prosecutor, '')",
}
_TALLY = {  # lead_tallies' key, as migration 0012's SQLite trigger computes it
    "model_id": "model_id",
    "status": "status",
    **_DISPATCH,
    "active": "active",
    "found_month": "strftime('%Y-%m', created_at, '+8 hours')",
}
_DECISION = {  # lead_decision_tallies' key
    "model_id": "model_id",
    "status": "status",
    **_DISPATCH,
    "decided_month": "strftime('%Y-%m', decided_at, '+8 hours')",
}
_DECIDED = "status IN ('accepted', 'dismissed') AND decided_at IS NOT NULL"


def _added(table: str, key: dict[str, str], when: str) -> str:
    """Add one model's leads first found by one run (the statement's two parameters) to
    `table`, grouped by `key`."""
    columns = ", ".join(key)
    values = ", ".join(key.values())
    return (
        f"INSERT INTO {table} ({columns}, n) SELECT {values}, COUNT(*) FROM leads "
        f"WHERE model_id = ? AND first_run_id = ? AND {when} GROUP BY {values} "
        f"ON CONFLICT ({columns}) DO UPDATE SET n = {table}.n + excluded.n"
    )


_ADDED = (_added("lead_tallies", _TALLY, "1"), _added("lead_decision_tallies", _DECISION, _DECIDED))


@contextmanager
def counted_at_end(conn: Connection, model_id: str, run_id: int) -> Iterator[None]:
    """Inside, insert the leads run `run_id` finds first for `model_id` (and no other lead);
    they are added to the tallies when the block ends. Nothing changes on PostgreSQL, whose
    trigger already counts a statement at once, or on a store without the trigger."""
    if conn.dialect.name != "sqlite":
        yield
        return
    trigger = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (INSERT_TRIGGER,)
    ).scalar()
    if trigger is None:
        yield
        return
    driver = conn.connection.dbapi_connection
    if driver is not None and not driver.in_transaction:
        # Python's sqlite3 begins a transaction only before a row is written: a DROP first
        # would be committed at once, and a failed insert would leave the store without it
        conn.exec_driver_sql("BEGIN")
    conn.exec_driver_sql(f"DROP TRIGGER {INSERT_TRIGGER}")
    try:
        yield
        for statement in _ADDED:
            conn.exec_driver_sql(statement, (model_id, run_id))
    finally:
        conn.exec_driver_sql(trigger)
