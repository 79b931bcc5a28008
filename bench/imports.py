"""A CSV import against a raw read of the same file, two versions of the code alternated.

    git archive <commit> src | tar -x -C /tmp/before
    uv run python bench/imports.py --before /tmp/before/src --rounds 2 --double \
        bench/out/data/benefit_payments-00.csv benefit_payments

Each round runs, each in its own process: polars reading the file with every column as text
(the floor of issue 14's target 2: an import within 3× of it); the stored-format floor (`FLOOR`:
the same read, each row's md5 and every cell written twice with the key as lz4 Parquet, nothing
checked); the import by the code at `--before` and the import by this checkout, each into a new
workspace. It prints the medians of wall and CPU seconds, each one's ratio to the raw read and
to the stored-format floor, and peak memory (VmHWM; target 5: under 2 GiB).

With `--double` (benefit payments only), the same again for a file twice as long (twice the
people, as `generate.benefits` makes them; written once to bench/out/data): an import whose
memory stays flat as files grow peaks about as high for it as for the first file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run as bench  # noqa: E402

RAW = """
import json, time
import polars as pl
t0, c0 = time.perf_counter(), time.process_time()
frame = pl.read_csv({file!r}, infer_schema=False)
print(json.dumps({{"seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0,
                  "rows": frame.height, "peak_mib": _peak_mib()}}))
"""

FLOOR = """
import json, time
import duckdb
import polars as pl
t0, c0 = time.perf_counter(), time.process_time()
frame = pl.read_csv({file!r}, infer_schema=False)
con = duckdb.connect()
keys = []
for start in range(0, frame.height, 500_000):
    joined = frame.slice(start, 500_000).select(pl.concat_str(pl.all().fill_null("\\x00"), separator="\\x1f").alias("k"))
    con.register("joined", joined)
    keys.append(con.sql("SELECT md5(k) || '#1' AS h FROM joined").pl()["h"])
    con.unregister("joined")
stored = frame.with_columns(
    *[pl.col(c).alias(c + "__raw") for c in frame.columns],
    pl.int_range(2, frame.height + 2).alias("_row"),
    pl.concat(keys).alias("_record_key"),
)
stored.write_parquet({out!r}, compression="lz4")
print(json.dumps({{"seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0,
                  "rows": frame.height, "peak_mib": _peak_mib()}}))
"""
"""The floor of what an import stores, with nothing checked: the file read as text, each row's
content digested (DuckDB's md5, 500,000 rows at a time) and every cell written twice (the value
and the agency's text beside it) with the row number and the key, as lz4 Parquet."""

IMPORT = """
import json, time
from pathlib import Path
from shujian.workspace import init_workspace
from shujian.data.importer import import_file, ImportOptions
from shujian.data.warehouse import Warehouse
ws = init_workspace(Path({ws!r}))
t0, c0 = time.perf_counter(), time.process_time()
r = import_file(Warehouse(ws.warehouse_dir, ws.store), ws.reports_dir, ws.datasets()[{dataset!r}],
                Path({file!r}), ImportOptions())
print(json.dumps({{"seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0,
                  "rows": r.imported, "peak_mib": _peak_mib()}}))
"""


def with_code(src: str | None, code: str) -> tuple[dict, float, float]:
    saved = os.environ.get("PYTHONPATH")
    if src is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = src
    try:
        return bench.child(code)
    finally:
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", required=True, help="the src directory of the other version")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--double", action="store_true", help="also a file twice as long")
    parser.add_argument("file")
    parser.add_argument("dataset")
    args = parser.parse_args()
    peaks = {"1×": compare(args.before, args.rounds, args.file, args.dataset)}
    if args.double:
        peaks["2×"] = compare(args.before, args.rounds, str(double_file()), args.dataset)
        print("\npeak MiB, 2× file ÷ 1× file:", end="")
        for which in WHICH:
            print(f"  {which} {peaks['2×'][which] / peaks['1×'][which]:.2f}", end="")
        print()


def double_file() -> Path:
    """Benefit payments of twice the people `generate.write_all` gives them (12 M rows)."""
    import generate
    import numpy as np

    path = bench.DATA / "benefit_payments-2x.csv"
    if not path.exists():
        rng = np.random.default_rng(3)
        people = generate.id_numbers(rng, 3_000_000)
        generate.benefits(rng, people, n_people=500_000).write_csv(path)
    return path


WHICH = ("raw", "floor", "before", "after")
"""The processes of a round, in order (reversed every other round)."""


def compare(before: str, rounds: int, file: str, dataset: str) -> dict[str, float]:
    """Rounds of the raw read and the two imports of `file`, alternated; the medians printed,
    the median peaks returned."""
    print(f"\n{file}")
    ws = bench.OUT / "ws-imports"
    seen: dict[str, list[tuple[float, float, float]]] = {k: [] for k in WHICH}
    for r in range(rounds):
        order = WHICH if r % 2 == 0 else tuple(reversed(WHICH))
        for which in order:
            shutil.rmtree(ws, ignore_errors=True)
            if which == "raw":
                res, _, peak = with_code(before, RAW.format(file=file))
            elif which == "floor":
                ws.mkdir(parents=True)
                out = str(ws / "floor.parquet")
                res, _, peak = with_code(before, FLOOR.format(file=file, out=out))
            else:
                code = IMPORT.format(ws=str(ws), dataset=dataset, file=file)
                res, _, peak = with_code(before if which == "before" else None, code)
            seen[which].append((res["seconds"], res["cpu_seconds"], peak))
            print(
                f"round {r + 1} {which:<7}{res['seconds']:>8.1f} s{res['cpu_seconds']:>8.1f} CPU s"
                f"{peak:>8.0f} MiB",
                flush=True,
            )
    shutil.rmtree(ws, ignore_errors=True)
    med = {k: [statistics.median(x) for x in zip(*v, strict=True)] for k, v in seen.items()}
    raw, floor = med["raw"], med["floor"]
    print(
        f"\n{'':<8}{'wall s':>8}{'CPU s':>8}{'÷ raw (wall)':>14}{'÷ raw (CPU)':>13}"
        f"{'÷ floor (wall)':>16}{'÷ floor (CPU)':>15}{'peak MiB':>10}"
    )
    for which in WHICH:
        s, c, p = med[which]
        print(
            f"{which:<8}{s:>8.1f}{c:>8.1f}{s / raw[0]:>14.1f}{c / raw[1]:>13.1f}"
            f"{s / floor[0]:>16.1f}{c / floor[1]:>15.1f}{p:>10.0f}"
        )
    return {k: v[2] for k, v in med.items()}


if __name__ == "__main__":
    main()
