"""The cost of importing a file must depend on the file, not on the history (issue 14, target 3).

    uv run python bench/incremental.py                  # 100 daily files of 27,400 check-ins
    uv run python bench/incremental.py --days 365 --rows 27400

A city's hotels register about 10,000,000 check-ins a year: 27,400 a day. This writes one CSV
per day (seeded), imports them in order into a fresh workspace through the real importer, and
prints the import time of the first and last files and their ratio, measured in the same run.
Then, on the last file, it reads the stored keys the two ways the duplicate check can: every
stored event (as before), and only the stored events of the file's own period (now), alternated.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import id_numbers, names, usccs  # noqa: E402

OUT = HERE / "out" / "incremental"


def day_file(rng: np.random.Generator, people, hotels, day: np.datetime64, n: int, path: Path):
    start = day.astype("datetime64[m]") + rng.integers(0, 24 * 60, n).astype("timedelta64[m]")
    pl.DataFrame(
        {
            "旅馆名称": "宾馆",
            "旅馆统一社会信用代码": hotels[rng.integers(0, len(hotels), n)],
            "房间号": rng.integers(100, 1000, n).astype(str),
            "姓名": names(rng, n),
            "公民身份号码": people[rng.integers(0, len(people), n)],
            "入住时间": np.char.replace(start.astype(str), "T", " "),
            "监护人联系方式": np.where(rng.random(n) < 0.97, "13800000000", ""),
        }
    ).write_csv(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument("--rows", type=int, default=27_400)
    parser.add_argument("--repeat", type=int, default=5, help="rounds of the key reading")
    args = parser.parse_args()

    from shujian.data.importer import ImportOptions, import_file
    from shujian.data.steps import event_period
    from shujian.data.warehouse import Warehouse
    from shujian.workspace import init_workspace

    shutil.rmtree(OUT, ignore_errors=True)
    files_dir = OUT / "files"
    files_dir.mkdir(parents=True)
    rng = np.random.default_rng(14)
    people, hotels = id_numbers(rng, 300_000), usccs(rng, 600)
    first = np.datetime64("2026-01-01")
    paths = []
    for d in range(args.days):
        path = files_dir / f"checkins-{d + 1:03d}.csv"
        day_file(rng, people, hotels, first + np.timedelta64(d, "D"), args.rows, path)
        paths.append(path)

    ws = init_workspace(OUT / "ws")
    warehouse = Warehouse(ws.warehouse_dir, ws.store)
    dataset = ws.datasets()["hotel_checkins"]
    seconds = []
    for i, path in enumerate(paths):
        t = time.perf_counter()
        result = import_file(warehouse, ws.reports_dir, dataset, path, ImportOptions())
        seconds.append(time.perf_counter() - t)
        assert result.imported == args.rows and result.duplicates == 0, result
        if (i + 1) % 25 == 0:
            print(f"  imported {i + 1} files", flush=True)

    head, tail = statistics.median(seconds[:5]), statistics.median(seconds[-5:])
    print(
        f"\n{args.days} daily files of {args.rows:,} check-ins ({args.days * args.rows:,} in all)"
    )
    print(f"import, median of files 1–5:            {head:.3f} s")
    print(f"import, median of the last 5 files:     {tail:.3f} s")
    print(f"ratio last / first:                     {tail / head:.2f}   (target: flat, ≤ 1.5)")

    # the duplicate check's read on the last file, both ways, alternated
    table = pl.read_csv(paths[-1], infer_schema=False).with_columns(
        pl.col("入住时间").str.to_datetime("%Y-%m-%d %H:%M").alias("checked_in_at")
    )
    period = event_period(table, dataset)
    every, window, kept = [], [], 0
    for _ in range(args.repeat):
        t = time.perf_counter()
        keys = warehouse.read_column(dataset.id, "_record_key")
        every.append(time.perf_counter() - t)
        t = time.perf_counter()
        kept = warehouse.read_column(dataset.id, "_record_key", within=period).len()
        window.append(time.perf_counter() - t)
    e, w = statistics.median(every), statistics.median(window)
    print(f"\nstored keys read for the last file (median of {args.repeat}, alternated):")
    print(f"  every stored event:       {e:.3f} s  ({keys.len():,} keys)")
    print(f"  the file's own period:    {w:.3f} s  ({kept:,} keys)")
    print(f"  ratio:                    {e / w:.1f}×")


if __name__ == "__main__":
    main()
