"""Sealing a large export's records into the case store with SQLite's default page cache
(2 MiB) and with the store's own (`store.SQLITE_CACHE_KIB`), alternated.

    uv run python bench/sqlite_cache.py --rows 221530 --rounds 3

Each round seals the same generated offence records (`seal_rows`, the import hook's own call)
into two new workspaces, one with each cache size, in the same process: the record key and the
ID number are indexed, so rows written in thousands land all over both indexes. It prints the
median seconds of each and their ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import event, text

from shujian import store
from shujian.juvenile.sealing.records import seal_rows
from shujian.workspace import init_workspace


def rows(n: int) -> list[dict[str, object]]:
    """Minors' offence records the rule seals: born 2010, decided 2026, sentenced to a year."""
    rng = random.Random(1)
    made = []
    for i in range(n):
        body = f"520203{2010:04d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{i % 1000:03d}"
        made.append(
            {
                "id_card": body + str(rng.randint(0, 9)),
                "outcome": "有罪判决",
                "decided_on": dt.date(2026, 3, 1),
                "act_date": dt.date(2025, 6, 1),
                "sentence": "有期徒刑一年",
                "offence": "盗窃",
                "document_no": f"青刑初〔2026〕{i}号",
                "name": "张三",
            }
        )
    return made


def seal(records: list[dict[str, object]], cache_kib: int | None) -> float:
    """Seconds to seal `records` in a new workspace; `cache_kib` None is SQLite's default."""
    folder = Path(tempfile.mkdtemp(prefix="shujian-cache-"))
    try:
        ws = init_workspace(folder / "ws")
        engine = ws.store
        if cache_kib is None:
            event.listen(engine, "connect", lambda c, _r: c.execute("PRAGMA cache_size=-2000"))
            engine.dispose()  # the next connection takes the default again
        started = time.perf_counter()
        with engine.begin() as conn:
            size = conn.execute(text("PRAGMA cache_size")).scalar_one()
            sealed = seal_rows(conn, records, None, "bench", dt.date(2026, 12, 7))
        seconds = time.perf_counter() - started
        assert len(sealed) == len(records), (len(sealed), len(records))
        print(f"  cache {-int(size):>6} KiB: {seconds:6.2f} s", flush=True)
        return seconds
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=221_530)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    records = rows(args.rows)
    seen: dict[str, list[float]] = {"default": [], "store": []}
    for r in range(args.rounds):
        order = ("default", "store") if r % 2 == 0 else ("store", "default")
        for which in order:
            seen[which].append(
                seal(records, None if which == "default" else store.SQLITE_CACHE_KIB)
            )
    default, ours = statistics.median(seen["default"]), statistics.median(seen["store"])
    print(
        f"\nmedian: default {default:.2f} s, store's cache {ours:.2f} s, ratio {ours / default:.2f}"
    )


if __name__ == "__main__":
    main()
