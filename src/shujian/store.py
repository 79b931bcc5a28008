"""The case store: one SQLAlchemy database for batches, runs, leads, cases and the audit log.

SQLite by default (a file in the workspace), PostgreSQL by URL. Tables are declared next to the
code that owns them, all on the one `metadata` here.
"""

from __future__ import annotations

import threading
import types
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import (
    Connection,
    Dialect,
    Engine,
    MetaData,
    Table,
    create_engine,
    event,
    exc,
    insert,
    make_url,
)
from sqlalchemy.sql.dml import Insert
from sqlalchemy.types import TypeEngine

from shujian.errors import UserError
from shujian.jsontext import store_serializer

metadata = MetaData()


def now() -> datetime:
    return datetime.now(UTC)


SQLITE_BUSY_MS = 30_000
"""How long a SQLite writer of another process waits for the write lock before giving up."""


def connect_store(url: str, *, busy_ms: int = SQLITE_BUSY_MS) -> Engine:
    """An engine on the case store at `url`, with SQLite's pragmas; nothing is checked.

    On SQLite the engine's write transactions (`engine.begin()`, the only way this program
    writes) take their turn inside the process (`_serialise_writes`); `busy_ms` is how long one
    waits for a writer of another process."""
    # as many connections as the web server has worker threads (anyio's default, 40): the
    # default pool (5 + 10) made requests beyond 15 wait, and fail after 30 s, under load
    try:
        parsed = make_url(url)
        timeout = (
            {"connect_timeout": CONNECT_TIMEOUT_S}
            if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query
            else {}
        )
        engine = create_engine(
            parsed,
            future=True,
            pool_size=10,
            max_overflow=30,
            connect_args=timeout,
            json_serializer=store_serializer,  # evidence encoded ahead by the runner
        )
    except (exc.ArgumentError, exc.NoSuchModuleError, ImportError) as error:
        raise UserError(
            f"案件库地址“{_shown(url)}”无法识别：应为 sqlite:///文件名 或 "
            "postgresql+psycopg://用户@主机:端口/数据库 这样的地址。",
            code="bad_store_url",
        ) from error
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas(busy_ms))
        _serialise_writes(engine)
    register_tables()
    return engine


CONNECT_TIMEOUT_S = 10
"""How long to wait for a PostgreSQL server that does not answer (none: the system's TCP
timeout, minutes on a network that drops packets)."""

UNREACHABLE_REASONS = (
    ("Connection refused", "服务器拒绝连接（地址或端口不对，或数据库服务没有启动）"),
    ("timeout expired", "服务器在规定时间内没有响应"),
    ("timed out", "服务器在规定时间内没有响应"),
    ("does not exist", "数据库或账号不存在"),
    ("password authentication failed", "账号或密码不对"),
    ("no password supplied", "没有提供密码"),
    ("failed to resolve", "主机名无法解析"),
    ("could not translate host name", "主机名无法解析"),
    ("Name or service not known", "主机名无法解析"),
    ("unable to open database file", "数据库文件无法打开（所在目录不存在或没有权限）"),
)
"""The drivers' reasons (English) → Chinese; others read as "无法连接"."""


def _shown(url: str) -> str:
    """The address with its password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except exc.ArgumentError:
        return url


def ensure_reachable(engine: Engine) -> None:
    """Connect once, so that a store that cannot be reached is refused in Chinese, naming it,
    rather than failing in the first query of whatever command ran."""
    try:
        with engine.connect():
            pass
    except (exc.OperationalError, exc.InterfaceError) as error:
        text = str(error.orig or error)
        reason = next((zh for en, zh in UNREACHABLE_REASONS if en in text), "无法连接")
        engine.dispose()
        raise UserError(
            f"无法连接案件库 {engine.url.render_as_string(hide_password=True)}：{reason}。",
            code="store_unreachable",
        ) from error


_write_locks: dict[str, threading.RLock] = {}
_write_locks_guard = threading.Lock()


def _write_lock(engine: Engine) -> threading.RLock:
    """One lock per SQLite database of the process, shared by every engine on it."""
    key = engine.url.database or ":memory:"
    with _write_locks_guard:
        return _write_locks.setdefault(key, threading.RLock())


def _serialise_writes(engine: Engine) -> None:
    """Make the writers of one SQLite database in this process wait their turn on a lock, in
    the order they came, before they take a connection.

    SQLite has one writer at a time, and a writer that finds the database locked retries on a
    timer: with dozens of threads writing at once (every page view writes its audit entry) an
    unlucky one kept losing and failed after the 30-second busy timeout, under load, with a
    500. Waiting on a lock in the process never fails and wakes as soon as the writer before
    it commits. The lock is re-entrant: a write begun inside another on the same thread
    behaves as it did without it."""
    lock = _write_lock(engine)
    begin = engine.begin

    @contextmanager
    def serial_begin(self: Engine) -> Iterator[Connection]:
        with lock, begin() as conn:
            yield conn

    engine.begin = types.MethodType(serial_begin, engine)  # type: ignore[method-assign]


def open_store(url: str) -> Engine:
    """Open the case store at `url`, refusing one whose schema is not this program's.

    Opening creates and changes nothing (the schema belongs to the migrations in
    `shujian.migrations`): a store that is empty, older or newer is refused in Chinese.
    """
    from shujian import migrations

    engine = connect_store(url)
    ensure_reachable(engine)
    migrations.check(engine)
    return engine


def create_store(url: str) -> Engine:
    """Open the case store at `url`, creating its tables if it is empty (`shujian init`).

    A store with tables is only checked, never upgraded here: upgrading an existing store is the
    administrator's `shujian db upgrade`, after a backup.
    """
    from shujian import migrations

    engine = connect_store(url)
    ensure_reachable(engine)
    with engine.connect() as conn:
        empty = migrations.version(conn).state == "empty"
    if empty:
        migrations.upgrade(engine)
    migrations.check(engine)
    return engine


T = TypeVar("T")

CHUNK = 2000
"""Values per `IN (…)` list: well under the limit on bound parameters (SQLite 32,766, PostgreSQL
65,535), few enough statements for 100,000 leads."""


def chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[list[T]]:
    """`values` in lists of at most `size`, for `IN (…)`."""
    for i in range(0, len(values), size):
        yield list(values[i : i + size])


COPY_FROM = 8
"""Rows from which `insert_many` writes into a PostgreSQL table by COPY: a COPY costs a catalog
read and a round trip of its own, so the few rows of a page's action go as INSERTs."""


def insert_many(conn: Connection, into: Table | Insert, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert `rows` (every one with the keys of the first) into a table, or through an INSERT
    with literal values of its own: what `conn.execute(insert(table), rows)` stores, value for
    value, for a fraction of its cost.

    SQLAlchemy builds each row's parameters anew and converts every value by its column's type
    (on SQLite a date or time is formatted per row): about 13 µs a row of fourteen columns,
    most of the cost of sealing a million-row export's records or writing a run's ten thousand
    leads. Here the statement is compiled once, each column's conversion is made once per
    distinct value, and the rows go to the driver's own executemany — on PostgreSQL, `COPY_FROM`
    rows or more into a table as one COPY (psycopg's executemany still sends every row as a
    statement of its own: about 25 µs a row)."""
    if not rows:
        return
    statement = insert(into) if isinstance(into, Table) else into
    table = statement.table
    assert isinstance(table, Table)
    names = list(rows[0])
    dialect = conn.dialect
    compiled = statement.compile(dialect=dialect, column_keys=names)
    unknown = set(compiled.binds) - set(names)
    if unknown:  # a Python-side default or a bound value of the statement's own
        raise ValueError(f"insert_many: parameters not given by the rows: {sorted(unknown)}")
    converters = [_converter(table.c[name].type, dialect) for name in names]
    if isinstance(into, Table) and dialect.name == "postgresql" and len(rows) >= COPY_FROM:
        _copy(conn, table, names, converters, rows)
        return
    if compiled.positional:
        at = {name: i for i, name in enumerate(names)}
        order = list(compiled.positiontup or ())
        ordered = [converters[at[name]] for name in order]
        params: list[Any] = list(_positional(rows, order, ordered))
    else:
        pairs = list(zip(names, converters, strict=True))
        params = [{name: c(row[name]) for name, c in pairs} for row in rows]
    conn.exec_driver_sql(compiled.string, params)


def _positional(
    rows: Sequence[Mapping[str, Any]],
    order: list[str],
    converters: list[Callable[[Any], Any]],
) -> Iterator[tuple[Any, ...]]:
    """Each row's values in `order`, converted, one row at a time: the values fetched at once
    (`itemgetter`), and only the columns whose type converts anything called (a text or
    integer column's values go as they are): half the cost of a call per value."""
    if not order:
        yield from (() for _ in rows)
        return
    fetch = itemgetter(*order)
    converting = [(i, c) for i, c in enumerate(converters) if c is not _same]
    if len(order) == 1:
        (convert,) = converters
        yield from ((convert(fetch(row)),) for row in rows)
    elif not converting:
        yield from (fetch(row) for row in rows)
    else:
        for row in rows:
            values = list(fetch(row))
            for i, convert in converting:
                values[i] = convert(values[i])
            yield tuple(values)


def _copy(
    conn: Connection,
    table: Table,
    names: list[str],
    converters: list[Callable[[Any], Any]],
    rows: Sequence[Mapping[str, Any]],
) -> None:
    """`rows` into `table` by PostgreSQL's COPY, on the connection's own transaction: what an
    INSERT of each row stores (psycopg adapts each converted value as it would a parameter;
    row triggers fire for COPY as for INSERT)."""
    quote = conn.dialect.identifier_preparer
    name_of_table = quote.format_table(table)
    columns = ", ".join(quote.quote(name) for name in names)
    # each value is written as its column's type reads it (True into an integer column is 1,
    # as an INSERT casts it), by the types the table has in the database
    oids: dict[str, int] = dict(
        conn.exec_driver_sql(
            "SELECT attname, atttypid::int FROM pg_attribute"
            " WHERE attrelid = %(table)s::regclass AND attnum > 0 AND NOT attisdropped",
            {"table": name_of_table},
        ).all()
    )
    driver = conn.connection.driver_connection
    assert driver is not None
    with (
        driver.cursor() as cursor,
        cursor.copy(f"COPY {name_of_table} ({columns}) FROM STDIN") as copy,
    ):
        copy.set_types([oids[name] for name in names])
        for values in _positional(rows, names, converters):
            copy.write_row(values)


def _converter(column_type: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any]:
    """The column type's conversion of a Python value for the driver, made once per distinct
    value where equal values convert alike (`_KEPT`, keyed by type: True == 1, and a JSON
    column would store either); a time is kept apart by its zone as well (two equal instants in
    different zones are written as different local times on SQLite). A JSON dict or list is
    converted once per object (a detail shared by many rows), while the rows are converted."""
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return _same
    made: dict[tuple[Any, ...], Any] = {}
    same_object: dict[int, tuple[Any, Any]] = {}

    def convert(value: Any) -> Any:
        kind = type(value)
        if kind is datetime:
            key: tuple[Any, ...] = (kind, value, value.tzinfo, value.fold)
        elif kind in _KEPT:
            key = (kind, value)
        elif kind is dict or kind is list:  # a JSON value: the same object converts alike
            seen = same_object.get(id(value))
            if seen is None:  # the value is held with its conversion: its id stays its own
                seen = same_object[id(value)] = (value, process(value))
            return seen[1]
        else:  # a float (-0.0 == 0.0), a Decimal (12.30 == 12.3)
            return process(value)
        try:
            return made[key]
        except KeyError:
            converted = made[key] = process(value)
            return converted

    return convert


_KEPT = (str, int, bool, type(None), date)
"""Exact types whose equal values every column type converts alike."""


def _same(value: Any) -> Any:
    return value


APPEND_ONLY = ("audit_log", "case_events", "lead_events")
"""Histories: rows are added, never changed or removed — enforced by the database as well
(triggers created by the baseline migration)."""


SQLITE_CACHE_KIB = 64 * 1024
"""SQLite's page cache per connection (its default is 2 MiB), taken only as pages are read or
written. Rows written in thousands land all over the indexes (a record key, an ID number):
sealing 221,530 records (`bench/sqlite_cache.py`, three rounds alternated) took 9.8 s with the
default cache and 8.1 s with this one; their INSERT alone, into a bare table of the same
columns and indexes, 2.8 s and 1.5 s."""


def _sqlite_pragmas(busy_ms: int) -> Any:
    def pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()

    return pragmas


def register_tables() -> None:
    # Importing registers each module's tables on `metadata`.
    from shujian import audit, identity  # noqa: F401
    from shujian.cases import store as _cases  # noqa: F401
    from shujian.data import mappings, warehouse  # noqa: F401
    from shujian.hearings import store as _hearings  # noqa: F401
    from shujian.judicial_aid import store as _judicial_aid  # noqa: F401
    from shujian.juvenile.guardianship import store as _guardianship  # noqa: F401
    from shujian.juvenile.probation import store as _probation  # noqa: F401
    from shujian.juvenile.sealing import store as _sealing  # noqa: F401
    from shujian.juvenile.supervision import store as _supervision  # noqa: F401
    from shujian.juvenile.tiers import store as _tiers  # noqa: F401
    from shujian.leads import store  # noqa: F401
    from shujian.petitions import store as _petitions  # noqa: F401
    from shujian.users import store as _users  # noqa: F401
