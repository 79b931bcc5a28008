"""The case store: one SQLAlchemy database for batches, runs, leads, cases and the audit log.

SQLite by default (a file in the workspace), PostgreSQL by URL. Tables are declared next to the
code that owns them, all on the one `metadata` here.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, MetaData, create_engine, event

metadata = MetaData()


def now() -> datetime:
    return datetime.now(UTC)


def open_store(url: str) -> Engine:
    """Open (and create if needed) the case store at `url`."""
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    _import_table_modules()
    metadata.create_all(engine)
    _append_only(engine)
    from shujian.audit import ensure_head

    ensure_head(engine)
    return engine


APPEND_ONLY = ("audit_log", "case_events", "lead_events")
"""Histories: rows are added, never changed or removed — enforced by the database as well."""


def _append_only(engine: Engine) -> None:
    """Triggers that refuse UPDATE and DELETE on the history tables.

    The code never changes a history row; the triggers make an edit through another client fail
    too. Someone who drops them can still edit, which the audit chain then shows (`audit.verify`).
    """
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            for table in APPEND_ONLY:
                for op in ("UPDATE", "DELETE"):
                    conn.exec_driver_sql(
                        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON "
                        f"{table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                    )
        elif engine.dialect.name == "postgresql":
            conn.exec_driver_sql(
                "CREATE OR REPLACE FUNCTION shujian_append_only() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION '%% is append-only', TG_TABLE_NAME; END $$"
            )
            for table in APPEND_ONLY:
                conn.exec_driver_sql(
                    f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE "
                    f"ON {table} FOR EACH ROW EXECUTE FUNCTION shujian_append_only()"
                )


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _import_table_modules() -> None:
    # Importing registers each module's tables on `metadata`.
    from shujian import audit, identity  # noqa: F401
    from shujian.cases import store as _cases  # noqa: F401
    from shujian.data import warehouse  # noqa: F401
    from shujian.leads import store  # noqa: F401
