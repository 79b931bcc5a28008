"""Copy every row of a case store into another store of the same schema revision.

Used three ways: a PostgreSQL store into the backup's SQLite file (in the caller's snapshot
transaction), a backup's SQLite file into a new PostgreSQL store (restore, moving to
PostgreSQL), and by the tests to compare two stores table by table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, DateTime, Integer, Table, delete, func, insert, select, text

from shujian.store import metadata, register_tables

DERIVED = ("lead_tallies", "lead_decision_tallies")
"""Kept by the database's own triggers on `leads` (migration 0012): inserting the leads rebuilds
them, and copying them as well would count every lead twice."""

CHUNK = 2000


def tables() -> list[Table]:
    """Every declared table, parents before children."""
    register_tables()
    return list(metadata.sorted_tables)


def copied_tables() -> list[Table]:
    return [t for t in tables() if t.name not in DERIVED]


def _key(table: Table) -> list[Any]:
    return list(table.primary_key.columns) or list(table.columns)


def rows(conn: Connection, table: Table) -> Iterator[dict[str, Any]]:
    """The table's rows in key order, datetimes of zone-aware columns as aware UTC (SQLite keeps
    them as naive UTC), so rows of two kinds of store compare equal."""
    zoned = [c.name for c in table.columns if isinstance(c.type, DateTime) and c.type.timezone]
    result = conn.execution_options(stream_results=True).execute(
        select(table).order_by(*_key(table))
    )
    for row in result.mappings():
        out = dict(row)
        for name in zoned:
            out[name] = as_utc(out[name])
        yield out


def as_utc(value: Any) -> Any:
    if not isinstance(value, dt.datetime):
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _for(dialect: str, table: Table, row: dict[str, Any]) -> dict[str, Any]:
    if dialect != "sqlite":
        return row
    # SQLite's DateTime stores the wall time and drops the zone: write UTC, as the platform does
    return {
        k: (v.astimezone(dt.UTC).replace(tzinfo=None) if isinstance(v, dt.datetime) else v)
        for k, v in row.items()
    }


def copy_rows(src: Connection, dst: Connection) -> dict[str, int]:
    """Copy every table of `src` into `dst` (a store made by the migrations, no data yet: rows
    the migrations seeded, such as the audit heads, are replaced). Returns rows per table."""
    counts: dict[str, int] = {}
    dialect = dst.dialect.name
    for table in copied_tables():
        if dst.execute(select(func.count()).select_from(table)).scalar_one():
            dst.execute(delete(table))
        n = 0
        chunk: list[dict[str, Any]] = []
        for row in rows(src, table):
            chunk.append(_for(dialect, table, row))
            if len(chunk) >= CHUNK:
                dst.execute(insert(table), chunk)
                n += len(chunk)
                chunk = []
        if chunk:
            dst.execute(insert(table), chunk)
            n += len(chunk)
        counts[table.name] = n
    if dialect == "postgresql":
        _advance_sequences(dst)
    return counts


def _advance_sequences(conn: Connection) -> None:
    """Rows were inserted with their ids: move each id sequence past the highest, or the next
    row written would take an id already used."""
    for table in copied_tables():
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        column = keys[0].name
        conn.execute(
            text(
                "SELECT setval(s, m) FROM (SELECT pg_get_serial_sequence(:t, :c) AS s, "
                f'(SELECT max("{column}") FROM "{table.name}") AS m) AS x '
                "WHERE s IS NOT NULL AND m IS NOT NULL"
            ),
            {"t": table.name, "c": column},
        )


def counts(conn: Connection) -> dict[str, int]:
    """Rows per copied table (the manifest's record, and restore's check). The tallies are left
    out: their triggers keep a count that fell to zero as a row, which a copy does not make."""
    return {
        t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
        for t in copied_tables()
    }
