"""SQLite writers of one process take their turn on a lock instead of racing for the database's
write lock: under load (every page view writes its audit entry) a writer that kept losing the
race failed after the busy timeout with a 500. The busy timeout is made short here so that the
race, if it were still run, would fail within the test."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import OperationalError

from shujian import audit
from shujian.store import connect_store, create_store

SHORT_MS = 200
HELD_S = 1.0


def _hold_the_write_lock(engine: Engine, holding: threading.Event) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_head SET seq = seq WHERE id = 1"))  # takes the lock
        holding.set()
        time.sleep(HELD_S)


def _views(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(audit.audit_views)).scalar_one())


@pytest.mark.parametrize("same_engine", [True, False], ids=["same engine", "second engine"])
def test_a_writer_waits_for_the_writer_before_it_however_long(
    tmp_path: Path, same_engine: bool
) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    create_store(url).dispose()
    first = connect_store(url, busy_ms=SHORT_MS)
    second = first if same_engine else connect_store(url, busy_ms=SHORT_MS)
    holding = threading.Event()
    holder = threading.Thread(target=_hold_the_write_lock, args=(first, holding))
    holder.start()
    assert holding.wait(5)
    started = time.monotonic()
    audit.record_view(second, "张检察官", "lead", 1)  # would fail after 0.2 s without its turn
    waited = time.monotonic() - started
    holder.join()
    assert waited > SHORT_MS / 1000
    assert _views(second) == 1


def test_another_process_still_gets_the_busy_timeout(tmp_path: Path) -> None:
    """The turn is taken inside one process: against a writer of another process (here a
    connection that does not go through the engine) the busy timeout still applies."""
    import sqlite3

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    create_store(url).dispose()
    engine = connect_store(url, busy_ms=SHORT_MS)
    other = sqlite3.connect(tmp_path / "store.sqlite", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(OperationalError, match="locked"):
            audit.record_view(engine, "张检察官", "lead", 1)
    finally:
        other.execute("ROLLBACK")
        other.close()
    audit.record_view(engine, "张检察官", "lead", 1)
    assert _views(engine) == 1


def test_many_threads_writing_at_once_all_succeed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    create_store(url).dispose()
    engine = connect_store(url, busy_ms=SHORT_MS)
    failures: list[BaseException] = []

    def views() -> None:
        try:
            for i in range(15):
                audit.record_view(engine, "张检察官", "lead", i)
        except BaseException as e:  # collected and asserted below
            failures.append(e)

    threads = [threading.Thread(target=views) for _ in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert _views(engine) == 30 * 15
    assert audit.verify(engine).ok
