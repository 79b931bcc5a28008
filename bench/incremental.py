"""The cost of importing a file must depend on the file, not on the history (issue 14, target 3).

    uv run python bench/incremental.py                  # 100 daily files of 27,400 check-ins
    uv run python bench/incremental.py --days 365 --rows 27400
    uv run python bench/incremental.py --same-period --days 40 --rows 250000   # a province's cities

A city's hotels register about 10,000,000 check-ins a year: 27,400 a day. This writes one CSV
per day (seeded), imports them in order into a fresh workspace through the real importer, and
prints the import time of the first and last files and their ratio, measured in the same run.
Then, on the last file, it reads the stored keys the two ways the duplicate check can: every
stored event (as before), and only the stored events of the file's own period (now), alternated.

`--same-period`: every file spreads its rows over the same span of days, as the files of a
province's cities for the same year do, so the period cannot narrow the comparison. The last
file's duplicate check is then measured three ways, alternated: holding every stored key of the
period and testing the new keys against them (the first way), streaming the stored keys past
the new ones and holding only those found (`Warehouse.read_column(..., among=)`, the second),
and looking the new keys up in each stored batch's key index, reading only the batches where
one is found (`Warehouse.stored_keys`, now), with the peak memory each adds (measured in a
child process each).
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


def day_file(
    rng: np.random.Generator, people, hotels, day: np.datetime64, n: int, path: Path, days: int = 1
):
    minutes = rng.integers(0, 24 * 60 * days, n).astype("timedelta64[m]")
    start = day.astype("datetime64[m]") + minutes
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
    parser.add_argument(
        "--same-period", action="store_true", help="every file spans the same days (a province)"
    )
    parser.add_argument(
        "--imports-only", action="store_true", help="no comparison of the checks (older code)"
    )
    parser.add_argument("--check", nargs=3, help=argparse.SUPPRESS)  # a child: ws file way
    args = parser.parse_args()
    if args.check:
        check_once(*args.check)
        return

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
        if args.same_period:
            day_file(rng, people, hotels, first, args.rows, path, days=args.days)
        else:
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
        f"\n{args.days} {'same-period' if args.same_period else 'daily'} files of "
        f"{args.rows:,} check-ins ({args.days * args.rows:,} in all)"
    )
    print(f"import, median of files 1–5:            {head:.3f} s")
    print(f"import, median of the last 5 files:     {tail:.3f} s")
    print(f"ratio last / first:                     {tail / head:.2f}   (target: flat, ≤ 1.5)")

    if args.imports_only:
        return
    if args.same_period:
        compare_checks(ws.root, paths[-1], args.repeat)
        return
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


def _file_keys(ws_root: Path, path: Path):  # type: ignore[no-untyped-def]
    """The last file as the duplicate check sees it: its period and its record keys."""
    from shujian.data.steps import _record_key, event_period
    from shujian.workspace import open_workspace

    dataset = open_workspace(ws_root).datasets()["hotel_checkins"]
    raw = pl.read_csv(path, infer_schema=False)
    table = pl.DataFrame(
        {
            c.id: raw[c.label] if c.label in raw.columns else pl.Series([None] * raw.height)
            for c in dataset.columns
        }
    ).with_columns(pl.col("checked_in_at").str.to_datetime("%Y-%m-%d %H:%M"))
    return dataset, event_period(table, dataset), _record_key(table, dataset)


def check_once(ws: str, file: str, way: str) -> None:
    """A child: one duplicate check of `file` against the batches stored before it, one of
    `WAYS`; prints seconds, the memory it added (peak RSS over the RSS before it) and the rows
    found new."""
    import resource

    from shujian.data.warehouse import Warehouse
    from shujian.workspace import open_workspace

    workspace = open_workspace(Path(ws))
    warehouse = Warehouse(workspace.warehouse_dir, workspace.store)
    dataset, period, keys = _file_keys(Path(ws), Path(file))
    # the check as the last file's import made it: against every batch stored before it
    last = warehouse.batches(dataset.id)[-1].id
    with open("/proc/self/statm") as f:
        before = int(f.read().split()[1]) * 4096
    t = time.perf_counter()
    if way == "hold":
        stored = warehouse.read_column(dataset.id, "_record_key", within=period, excluding=last)
        fresh = keys.filter(~keys.is_in(stored.implode()))
    elif way == "stream":
        found = warehouse.read_column(
            dataset.id, "_record_key", within=period, among=keys, excluding=last
        )
        fresh = keys.filter(~keys.is_in(found.implode()))
    else:
        found = warehouse.stored_keys(dataset.id, keys, within=period, excluding=last)
        fresh = keys.filter(~keys.is_in(found.implode()))
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"{seconds:.3f} {(peak - before) / 2**20:.0f} {fresh.len()}")


WAYS = {
    "hold": "hold every stored key",
    "stream": "stream past the new keys",
    "index": "look up the key indexes",
}


def compare_checks(ws: Path, last: Path, repeat: int) -> None:
    import subprocess

    figures: dict[str, list[tuple[float, float]]] = {way: [] for way in WAYS}
    for r in range(repeat):
        for way in list(WAYS) if r % 2 == 0 else list(reversed(WAYS)):
            done = subprocess.run(
                [sys.executable, __file__, "--check", str(ws), str(last), way],
                capture_output=True,
                text=True,
                check=True,
            )
            seconds, added, fresh = done.stdout.split()
            figures[way].append((float(seconds), float(added)))
    print(f"\nthe last file's duplicate check (median of {repeat}, alternated, each in a child):")
    medians = {}
    for way, label in WAYS.items():
        medians[way] = statistics.median(x for x, _ in figures[way])
        m = statistics.median(y for _, y in figures[way])
        print(f"  {label:<26} {medians[way]:.2f} s, +{m:,.0f} MiB")
    for way in ("hold", "stream"):
        print(
            f"  {WAYS[way]} ÷ {WAYS['index']}: {medians[way] / medians['index']:.1f}×"
            f"  ({fresh} new rows every way)"
        )


if __name__ == "__main__":
    main()
