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


def connect_store(url: str) -> Engine:
    """An engine on the case store at `url`, with SQLite's pragmas; nothing is checked."""
    # as many connections as the web server has worker threads (anyio's default, 40): the
    # default pool (5 + 10) made requests beyond 15 wait, and fail after 30 s, under load
    engine = create_engine(url, future=True, pool_size=10, max_overflow=30)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    register_tables()
    return engine


def open_store(url: str) -> Engine:
    """Open the case store at `url`, refusing one whose schema is not this program's.

    Opening creates and changes nothing (the schema belongs to the migrations in
    `shujian.migrations`): a store that is empty, older or newer is refused in Chinese.
    """
    from shujian import migrations

    engine = connect_store(url)
    migrations.check(engine)
    return engine


def create_store(url: str) -> Engine:
    """Open the case store at `url`, creating its tables if it is empty (`shujian init`).

    A store with tables is only checked, never upgraded here: upgrading an existing store is the
    administrator's `shujian db upgrade`, after a backup.
    """
    from shujian import migrations

    engine = connect_store(url)
    with engine.connect() as conn:
        empty = migrations.version(conn).state == "empty"
    if empty:
        migrations.upgrade(engine)
    migrations.check(engine)
    return engine


APPEND_ONLY = ("audit_log", "case_events", "lead_events")
"""Histories: rows are added, never changed or removed — enforced by the database as well
(triggers created by the baseline migration)."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def register_tables() -> None:
    # Importing registers each module's tables on `metadata`.
    from shujian import audit, identity  # noqa: F401
    from shujian.cases import store as _cases  # noqa: F401
    from shujian.data import mappings, warehouse  # noqa: F401
    from shujian.juvenile.supervision import store as _supervision  # noqa: F401
    from shujian.leads import store  # noqa: F401
    from shujian.users import store as _users  # noqa: F401
