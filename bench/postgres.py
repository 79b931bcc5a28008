"""Writes to a PostgreSQL case store, two versions of the code alternated (not a test).

    git archive <commit> src | tar -x -C /tmp/before
    uv run python bench/postgres.py --before /tmp/before/src --rounds 3
    uv run python bench/postgres.py --before /tmp/before/src --model hotel.minor_guest \
        --import offence_records bench/out/data/offence_records-00.csv

Uses the city workload `bench/run.py` generates (bench/out/data) and the PostgreSQL server at
`SHUJIAN_BENCH_PG` (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres), where it
creates and drops databases named shujian_bench_*. For each version it builds a workspace whose
case store is a database of its own, imports the datasets the model reads, and then, each round
and in alternating order, runs the model on a fresh copy (a database made from that one as a
template, the workspace folder copied) twice: first every lead is new, written as a first run
writes them; then every lead is found again, as a next day's run finds most of them.
With `--import`, it also imports the file into a new workspace of each version, alternated the
same way. Prints each run's wall and CPU seconds, the medians and after ÷ before.
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

import run as bench  # noqa: E402  (bench/run.py: its RUN, IMPORT and child)

DATA = bench.DATA
WORK = bench.OUT / "postgres"
ADMIN = os.environ.get("SHUJIAN_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SERVER = ADMIN.rsplit("/", 1)[0] + "/"

INIT = """
import json
from pathlib import Path
from shujian.workspace import init_workspace
init_workspace(Path({ws!r}))
print(json.dumps({{"peak_mib": _peak_mib()}}))
"""
"""A new workspace whose case store is the database `SHUJIAN_STORE_URL` names."""


def admin(sql: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def fresh_database(name: str, template: str | None = None) -> str:
    admin(f'DROP DATABASE IF EXISTS "{name}"')
    admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return SERVER + name


def child(code: str, url: str, src: str | None) -> dict[str, float]:
    """`bench/run.py`'s child, with the case store at `url` and the code at `src` (None: this
    checkout's)."""
    saved = {k: os.environ.get(k) for k in ("SHUJIAN_STORE_URL", "PYTHONPATH")}
    os.environ["SHUJIAN_STORE_URL"] = url
    os.environ.pop("PYTHONPATH", None)
    if src is not None:
        os.environ["PYTHONPATH"] = src
    try:
        result, _, _ = bench.child(code)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return result


def base(version: str, src: str | None, datasets: list[str]) -> Path:
    """A workspace of `version` with the model's datasets imported, its store a database."""
    folder = WORK / f"base-{version}"
    shutil.rmtree(folder, ignore_errors=True)
    url = fresh_database(f"shujian_bench_base_{version}")
    child(INIT.format(ws=str(folder)), url, src)
    for dataset in datasets:
        for file in sorted(DATA.glob(f"{dataset}-*.csv")):
            child(bench.IMPORT.format(ws=str(folder), dataset=dataset, file=str(file)), url, src)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", required=True, help="the src directory of the other version")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--model", default="campus.entertainment")
    parser.add_argument("--import", nargs=2, metavar=("DATASET", "FILE"), dest="imported")
    args = parser.parse_args()
    if not (DATA / "files.json").exists():
        sys.exit("no city workload yet: run bench/run.py once")
    from shujian.models.spec import load_library

    datasets = list(load_library()[args.model].datasets)
    versions: dict[str, str | None] = {"before": args.before, "after": None}
    bases = {v: base(v, src, datasets) for v, src in versions.items()}
    runs: dict[str, list[dict[str, float]]] = {v: [] for v in versions}
    again: dict[str, list[dict[str, float]]] = {v: [] for v in versions}
    imports: dict[str, list[dict[str, float]]] = {v: [] for v in versions}
    for n in range(args.rounds):
        for version in ("before", "after") if n % 2 == 0 else ("after", "before"):
            ws = WORK / "run"
            shutil.rmtree(ws, ignore_errors=True)
            shutil.copytree(bases[version], ws)
            url = fresh_database("shujian_bench_run", f"shujian_bench_base_{version}")
            run = bench.RUN.format(ws=str(ws), model=args.model, as_of=bench.AS_OF)
            got = child(run, url, versions[version])
            runs[version].append(got)
            print(f"round {n + 1} {version:<7} {args.model}: {got['leads']:,.0f} leads, "
                  f"{got['run_seconds']:.2f} s, {got['cpu_seconds']:.2f} CPU s",
                  flush=True)  # fmt: skip
            # the next day's run: every lead found again as it is
            got = child(run, url, versions[version])
            again[version].append(got)
            print(f"round {n + 1} {version:<7} {args.model} again: {got['run_seconds']:.2f} s, "
                  f"{got['cpu_seconds']:.2f} CPU s", flush=True)  # fmt: skip
            if args.imported:
                dataset, file = args.imported
                ws = WORK / "import"
                shutil.rmtree(ws, ignore_errors=True)
                url = fresh_database("shujian_bench_import")
                child(INIT.format(ws=str(ws)), url, versions[version])
                code = bench.IMPORT.format(ws=str(ws), dataset=dataset, file=file)
                got = child(code, url, versions[version])
                got["run_seconds"] = got["seconds"]
                imports[version].append(got)
                print(f"round {n + 1} {version:<7} import {dataset}: {got['imported']:,.0f} rows, "
                      f"{got['seconds']:.2f} s, {got['cpu_seconds']:.2f} CPU s",
                      flush=True)  # fmt: skip
    tables = ((f"run {args.model}", runs), (f"again {args.model}", again), ("import", imports))
    for name, table in tables:
        if not table["after"]:
            continue
        med = {v: statistics.median(r["run_seconds"] for r in table[v]) for v in versions}
        cpu = {v: statistics.median(r["cpu_seconds"] for r in table[v]) for v in versions}
        print(f"{name}: before {med['before']:.2f} s ({cpu['before']:.2f} CPU s), after "
              f"{med['after']:.2f} s ({cpu['after']:.2f} CPU s), after ÷ before "
              f"{med['after'] / med['before']:.2f}")  # fmt: skip
    for name in (
        "shujian_bench_run",
        "shujian_bench_import",
        *(f"shujian_bench_base_{v}" for v in versions),
    ):
        admin(f'DROP DATABASE IF EXISTS "{name}"')
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
