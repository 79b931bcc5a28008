"""Benchmark: do readers wait on the audit log? 20 readers and 2 writers on PostgreSQL.

Each reader process does audited views (`audit.record_view`) in a loop, as prosecutors opening
leads and lists do. Each writer process does change transactions that append their audit entry
(`audit.record`) and then hold the transaction open for `--hold` seconds, as a real write does
(rendering a document, a bulk assignment). Run for `--seconds`, it prints the readers' latency
(p50 / p95 / max) and the ratio of the longest reader wait to the writers' own transaction
duration (median): under 1 means no reader waited as long as a write lasts.

`--design old` measures, in the same run and on the same database, the single-chain design this
replaced (before migration 0003): every view appended to the change chain, through the one head
row. It is reimplemented here only (`old_record_view`), with today's `audit.record`, which is
exactly what the old `record_view` did.

    SHUJIAN_BENCH_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        uv run python bench/audit_concurrency.py [--seconds 10] [--readers 20] [--writers 2]
        [--hold 0.05] [--think 0.1] [--design both|new|old]

`--think` is the mean pause of a reader between two views (a prosecutor reads the page);
`--think 0` makes every reader a busy loop, which on a 2-core machine measures the CPU.

It creates its own database (`shujian_bench_audit_<random>`) and drops it at the end.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from shujian import audit
from shujian.workspace import init_workspace

ADMIN_URL = os.environ.get(
    "SHUJIAN_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def new_record_view(store: Engine, actor: str, lead_id: int) -> None:
    audit.record_view(store, actor, "lead", lead_id, {"revealed": False})


def old_record_view(store: Engine, actor: str, lead_id: int) -> None:
    """The view path before the split: its own transaction, on the change chain's head row."""
    with store.begin() as conn:
        audit.record(conn, actor, "view", "lead", lead_id, {"revealed": False})


DESIGNS: dict[str, Callable[[Engine, str, int], None]] = {
    "new": new_record_view,
    "old": old_record_view,
}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _reader(
    url: str, design: str, think: float, n: int, start: float, stop: float, out: mp.Queue
) -> None:
    store = create_engine(url, pool_size=1, connect_args={"application_name": "reader"})
    view = DESIGNS[design]
    took: list[float] = []
    time.sleep(max(0.0, start - time.time()))
    i = 0
    while time.time() < stop:
        began = time.perf_counter()
        view(store, f"检察官{n:02d}", i)
        took.append(time.perf_counter() - began)
        i += 1
        time.sleep(think * random.uniform(0.5, 1.5))  # reading the page before the next
    store.dispose()
    out.put(("views", took))


def _writer(url: str, hold: float, n: int, start: float, stop: float, out: mp.Queue) -> None:
    store = create_engine(url, pool_size=1)
    took: list[float] = []
    time.sleep(max(0.0, start - time.time()))
    i = 0
    while time.time() < stop:
        began = time.perf_counter()
        with store.begin() as conn:
            audit.record(conn, f"科长{n}", "assign", "lead", i, {"department": "行政检察部"})
            time.sleep(hold)  # the rest of the write, its entry already appended
        took.append(time.perf_counter() - began)
        i += 1
    store.dispose()
    out.put(("writes", took))


def run(
    url: str, design: str, seconds: float, readers: int, writers: int, hold: float, think: float
) -> dict[str, list[float]]:
    """One process per reader and writer, as a web application's worker processes would be
    (threads would measure Python's GIL as much as the database)."""
    out: mp.Queue = mp.Queue()
    sampler = LockWaits(url)
    start = time.time() + 1.0  # every process connected and waiting before the clock starts
    stop = start + seconds
    procs = [
        mp.Process(target=_reader, args=(url, design, think, n, start, stop, out))
        for n in range(readers)
    ] + [mp.Process(target=_writer, args=(url, hold, n, start, stop, out)) for n in range(writers)]
    for p in procs:
        p.start()
    sampler.start()
    result: dict[str, list[float]] = {"views": [], "writes": []}
    for _ in procs:
        kind, took = out.get()
        result[kind].extend(took)
    for p in procs:
        p.join()
    result["lock_waits"] = sampler.stop()
    return result


class LockWaits(threading.Thread):
    """Samples pg_stat_activity every 5 ms: how long each reader statement seen waiting on a
    lock had been waiting. Wall-clock latency on a busy 2-core machine is mostly waiting for the
    CPU; this is the database's own account of who waited on whom."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.engine = create_engine(url, pool_size=1)
        self.name_ = url.rsplit("/", 1)[1]
        self.halt = threading.Event()
        self.longest: dict[int, float] = {}

    def run(self) -> None:
        sql = text(
            "SELECT pid, extract(epoch FROM clock_timestamp() - query_start) FROM pg_stat_activity "
            "WHERE datname = :n AND application_name = 'reader' AND wait_event_type = 'Lock'"
        )
        with self.engine.connect() as conn:
            while not self.halt.is_set():
                for pid, waited in conn.execute(sql, {"n": self.name_}):
                    self.longest[pid] = max(self.longest.get(pid, 0.0), float(waited))
                conn.commit()
                time.sleep(0.005)

    def stop(self) -> list[float]:
        self.halt.set()
        self.join()
        self.engine.dispose()
        return list(self.longest.values())


def report(design: str, seconds: float, result: dict[str, list[float]]) -> None:
    views, writes = result["views"], result["writes"]
    ms = 1000
    line = (
        f"{design:<4} views {len(views):>6} ({len(views) / seconds:>5.0f}/s)  "
        f"p50 {percentile(views, 50) * ms:>6.1f} ms  p95 {percentile(views, 95) * ms:>6.1f} ms  "
        f"max {max(views) * ms:>7.1f} ms"
    )
    if writes:
        write_p50 = statistics.median(writes)
        line += (
            f" | writes {len(writes):>4}  p50 {write_p50 * ms:>6.1f} ms  "
            f"max {max(writes) * ms:>6.1f} ms | max view / write p50 = {max(views) / write_p50:.2f}"
        )
    waits = result["lock_waits"]
    line += (
        f"\n      readers seen waiting on a lock: {len(waits)} of their connections, longest "
        f"{max(waits, default=0) * ms:.1f} ms"
        + (
            f" = {max(waits) / statistics.median(writes):.2f} × write p50"
            if writes and waits
            else ""
        )
    )
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--hold", type=float, default=0.05, help="seconds a write stays open")
    parser.add_argument(
        "--think", type=float, default=0.1, help="mean seconds a reader waits between views"
    )
    parser.add_argument("--design", choices=["both", "new", "old"], default="both")
    args = parser.parse_args()

    name = f"shujian_bench_audit_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        os.environ["SHUJIAN_STORE_URL"] = url
        init_workspace(Path(tempfile.mkdtemp(prefix="shujian-bench-audit-")) / "ws")
        print(
            f"PostgreSQL, {args.readers} readers, {args.writers} writers holding "
            f"{args.hold * 1000:.0f} ms, readers pausing {args.think * 1000:.0f} ms on average, "
            f"{args.seconds:.0f} s each design",
            flush=True,
        )
        for design in ("old", "new") if args.design == "both" else (args.design,):
            result = run(
                url, design, args.seconds, args.readers, args.writers, args.hold, args.think
            )
            report(design, args.seconds, result)
        store = create_engine(url)
        verified = audit.verify(store)
        print(f"audit verify: {'ok' if verified.ok else verified.problems}, "
              f"{verified.entries} entries")  # fmt: skip
        store.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


if __name__ == "__main__":
    main()
