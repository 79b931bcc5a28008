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
    from shujian.audit import ensure_head

    ensure_head(engine)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _import_table_modules() -> None:
    # Importing registers each module's tables on `metadata`.
    from shujian import audit  # noqa: F401
    from shujian.cases import store as _cases  # noqa: F401
    from shujian.data import warehouse  # noqa: F401
    from shujian.leads import store  # noqa: F401
