"""`store.insert_many` stores what SQLAlchemy's own executemany stores, value for value, on SQLite
and PostgreSQL, for every column type the case store declares."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    create_engine,
    insert,
    literal_column,
    select,
    text,
)

from shujian.store import COPY_FROM, insert_many, metadata, register_tables


def _table(name: str, meta: MetaData) -> Table:
    return Table(
        name,
        meta,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("n", Integer),
        Column("flag", Boolean),
        Column("day", Date),
        Column("at", DateTime(timezone=True)),
        Column("ratio", Float),
        Column("amount", Numeric(18, 2)),
        Column("label", String(64)),
        Column("body", Text),
        Column("detail", JSON),
        Column("fixed", JSON),
    )


BEIJING = dt.timezone(dt.timedelta(hours=8))
AT = dt.datetime(2026, 12, 7, 2, 40, 25, 123456, tzinfo=dt.UTC)

SHARED = {"ground": "sentence", "batch": 3}

FIRST: dict[str, Any] = {
    "n": 1,
    "flag": True,
    "day": dt.date(2026, 1, 1),
    "at": AT,
    "ratio": 0.1,
    "amount": Decimal("12.30"),
    "label": "盗窃罪",
    "body": "有期徒刑一年",
    "detail": SHARED,
}

ROWS: list[dict[str, Any]] = [
    # every value repeated somewhere below: the conversions are kept per value
    FIRST,
    dict(FIRST),
    # True == 1 and 1 == 1.0: a JSON column keeps them apart
    {
        "n": True,
        "flag": 1,
        "day": dt.date(2024, 2, 29),
        "at": AT.astimezone(BEIJING),
        "ratio": 1,
        "amount": Decimal("0.00"),
        "label": "",
        "body": "",
        "detail": True,
    },
    {
        "n": 0,
        "flag": False,
        "day": dt.date(1, 1, 1),
        "at": dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
        "ratio": -2.5e-300,
        "amount": Decimal("-99.99"),
        "label": "a'b\"c%d?",
        "body": "%(x)s ?",
        "detail": 1,
    },
    dict.fromkeys(FIRST),  # every value None
    {
        "n": 2,
        "flag": False,
        "day": dt.date(9999, 12, 31),
        "at": AT,
        "ratio": 1.0,
        "amount": Decimal("1"),
        "label": "x" * 64,
        "body": "行\n二",
        "detail": [1, "二", None],
    },
    # equal values written differently: a Decimal's places, -0.0 in JSON
    {**FIRST, "n": 4, "ratio": -0.0, "amount": Decimal("12.3"), "detail": -0.0},
    {**FIRST, "n": 5, "ratio": 0.0, "detail": 0.0},
    {**FIRST, "n": 3, "detail": 1.0},
]


def _stored(engine: Engine, table: Table) -> list[tuple[Any, ...]]:
    """Each row as Python reads it and as the database holds it (text, and SQLite's own type)."""
    names = [c.name for c in table.columns if c.name != "id"]
    with engine.connect() as conn:
        read = [
            tuple(r)
            for r in conn.execute(select(*[table.c[n] for n in names]).order_by(table.c.id))
        ]
        if engine.dialect.name == "sqlite":
            raw_sql = ", ".join(f"typeof({n}), CAST({n} AS TEXT)" for n in names)
        else:
            raw_sql = ", ".join(f"{n}::text" for n in names)
        raw = [
            tuple(r) for r in conn.execute(text(f"SELECT {raw_sql} FROM {table.name} ORDER BY id"))
        ]
    return [(*a, *b) for a, b in zip(read, raw, strict=True)]


def _compare(engine: Engine) -> None:
    """SQLAlchemy's executemany against `insert_many` through a statement with a literal of its
    own, as leads were written, and into the table itself (on PostgreSQL, a COPY), with the
    literal's value given as a value (JSON null)."""
    assert len(ROWS) >= COPY_FROM  # enough rows for the COPY on PostgreSQL
    meta = MetaData()
    ours, copied, theirs = _table("ours", meta), _table("copied", meta), _table("theirs", meta)
    meta.create_all(engine)
    fixed = literal_column("'null'")
    with engine.begin() as conn:
        conn.execute(insert(theirs).values(fixed=fixed), ROWS)
        insert_many(conn, insert(ours).values(fixed=fixed), ROWS)
        insert_many(conn, copied, [{**row, "fixed": None} for row in ROWS])
        insert_many(conn, ours, [])  # nothing to insert: nothing happens
    expected = _stored(engine, theirs)
    assert len(expected) == len(ROWS)
    assert _stored(engine, ours) == expected
    assert _stored(engine, copied) == expected


def test_sqlite_stores_what_sqlalchemy_stores(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    _compare(engine)
    engine.dispose()


def test_postgresql_stores_what_sqlalchemy_stores(pg_url: str) -> None:
    engine = create_engine(pg_url)
    _compare(engine)
    engine.dispose()


def test_the_table_covers_every_column_type_the_store_declares() -> None:
    register_tables()
    tested = {type(c.type) for c in _table("probe", MetaData()).columns}
    declared = {type(c.type) for t in metadata.tables.values() for c in t.columns}
    assert declared <= tested


def test_a_parameter_the_rows_do_not_give_is_refused(tmp_path: Path) -> None:
    meta = MetaData()
    table = Table(
        "t", meta, Column("id", Integer, primary_key=True), Column("n", Integer, default=7)
    )
    engine = create_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    meta.create_all(engine)
    with engine.begin() as conn, pytest.raises(ValueError, match="not given by the rows"):
        insert_many(conn, table, [{"id": 1}])
    engine.dispose()


@pytest.mark.parametrize(
    "names",
    [("n",), ("day",), ("label", "n", "body"), ("n", "at", "label", "detail")],
    ids=["one column", "one converted column", "nothing converted", "some converted"],
)
def test_rows_of_some_columns_store_what_sqlalchemy_stores(tmp_path: Path, names) -> None:
    """The rows' values are fetched together and only converting columns are called: one
    column, none converted, some converted."""
    engine = create_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    meta = MetaData()
    ours, theirs = _table("ours", meta), _table("theirs", meta)
    meta.create_all(engine)
    rows = [{name: row[name] for name in names} for row in ROWS]
    with engine.begin() as conn:
        conn.execute(insert(theirs), rows)
        insert_many(conn, ours, rows)
    assert _stored(engine, ours) == _stored(engine, theirs)
    engine.dispose()
