"""Province scale: the city workload × N, imported, every model on DuckDB and on Spark local[2].

    uv run python bench/province.py --scale 0.05          # a quick check (one city at 5 %)
    uv run python bench/province.py --scale 1             # the city benchmark's workload
    nice uv run python bench/province.py --scale 10       # a province of ten cities
    nice uv run python bench/province.py --scale 10 --datasets venues,hotel_checkins
                                                          # only those datasets, the models reading them

The province is written city by city (`generate.City`: each city its own seed, its own region
codes for its people's ID numbers, its own credit-code prefix, its own centre and running
numbers, so that record keys stay unique across cities), each city in its own process: the
province is never held in memory, only one city at a time. Each file is then imported through
the platform's importer in its own process, and each model runs in its own process on each
engine, on its own copy of the imported workspace (Parquet files hard-linked): DuckDB with its
memory limit (`[models] max_memory_mb`) and a spill folder (`[engine.duckdb] temp_directory`),
Spark `local[2]` with its driver memory and `spark.local.dir`.

Every process is measured from outside: wall seconds and peak memory, the latter two ways —
the peak of the process tree's summed resident memory sampled every 0.25 s (Spark's JVM is a
child of the Python process), and `ru_maxrss` of `wait4` (the largest single process of the
tree, exact). A model that fails or passes `--timeout` is reported as such.

`--datasets` writes and imports only the datasets listed (the others are still drawn, so the
files written are byte for byte those of a full run); `--unchecked-after N` imports each
dataset's files after the Nth without the check for events already stored (`UNCHECKED`).

Phases resume: a city already written, an import already done and the models already measured
(`figures.json`) are not redone; `--redo-models` measures the models again. Data stays in
`--out` (default /tmp/shujian-province; never in the repository). Prints its tables; the
figures are in OUT/scale-N/figures.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402  (bench/generate.py: the datasets a city is written as)
import run  # noqa: E402  (bench/run.py: the import child's code, a workspace's fresh copy)

AS_OF = "2026-06-30"
PAGE = os.sysconf("SC_PAGE_SIZE")


# --- measuring a child process ------------------------------------------------------------


def _tree_rss(root: int) -> int:
    """Summed resident bytes of `root` and its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
            with open(f"/proc/{entry}/statm", "rb") as f:
                resident = int(f.read().split()[1])
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2 :].split()
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = resident * PAGE
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return total


def measure(argv: list[str], timeout: float | None, log: Path) -> dict[str, Any]:
    """Run `argv` (stdout's last line is a JSON result) in its own session; wall seconds,
    peak tree memory (sampled), ru_maxrss, the result, or why there is none."""
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with open(log, "wb") as err:
        proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=err, cwd=ROOT, start_new_session=True
        )
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _tree_rss(proc.pid))
                done.wait(0.25)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        out: list[bytes] = []
        reader = threading.Thread(target=lambda: out.append(proc.stdout.read()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if timeout is not None and time.perf_counter() - started > timeout:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)  # the session this child leads
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.1)
        proc.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
        reader.join(5)
    wall = time.perf_counter() - started
    figures: dict[str, Any] = {
        "wall_seconds": round(wall, 2),
        "peak_tree_mib": round(peak[0] / 2**20),
        "maxrss_mib": round(usage.ru_maxrss / 1024),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
    }
    if timed_out:
        figures["status"] = f"timeout after {timeout:.0f} s"
        return figures
    if proc.returncode != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-3:]
        figures["status"] = f"exit {proc.returncode}: " + " | ".join(tail)[-300:]
        return figures
    lines = b"".join(out).decode().strip().splitlines()
    figures["status"] = "ok"
    figures["result"] = json.loads(lines[-1]) if lines else {}
    return figures


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def mib(figures: dict[str, Any]) -> str:
    return f"{figures['peak_tree_mib']:,}/{figures['maxrss_mib']:,}"


# --- generating the province city by city -------------------------------------------------


def fractions(scale: float) -> list[float]:
    """One city-sized chunk per whole city, the rest a smaller last one (0.05: one at 5 %)."""
    whole = math.floor(scale + 1e-9)
    rest = round(scale - whole, 6)
    return [1.0] * whole + ([rest] if rest > 0 else [])


GENERATE = """
import json, sys
from pathlib import Path
sys.path.insert(0, {here!r})
import generate
from shujian.data.fields.regions import region_codes

k, fraction, only = {k!r}, {fraction!r}, {only!r}
if k == 0:
    regions = generate.CITY.regions
else:
    # other counties' codes (Guizhou's first), six per city, none of the city benchmark's
    codes = sorted((c for c in region_codes() if not c.endswith("00")
                    and c not in set(generate.REGIONS)), key=lambda c: (c[:2] != "52", c))
    regions = tuple(codes[6 * (k - 1): 6 * k])
city = generate.City(
    regions=regions,
    uscc_prefix=f"91{{520203 + 100 * k}}",
    centre=(generate.CENTRE[0] + (k % 5) * 1.0, generate.CENTRE[1] + (k // 5) * 1.0),
    first=2_000_000 * k,
    fraction=fraction,
)
files = generate.write_all(Path({out!r}), seed=1 + k, city=city,
                           only=None if only is None else frozenset(only))
print(json.dumps({{d: [str(p) for p in ps] for d, ps in files.items()}}))
"""


def generate_cities(
    data: Path, scale: float, logs: Path, datasets: tuple[str, ...]
) -> tuple[list[dict], list[dict]]:
    """Each city in its own process; the manifests (`datasets` only) and figures.

    A city's datasets already written are not written again: a city lacking some of
    `datasets` is generated again (the whole city is drawn, the same as before, since every
    dataset draws from one random generator in turn) and only the missing ones are written."""
    manifests, figures = [], []
    for k, fraction in enumerate(fractions(scale)):
        folder = data / f"city-{k:02d}-{fraction:g}"
        manifest = folder / "files.json"
        have = json.loads(manifest.read_text()) if manifest.exists() else {}
        missing = [d for d in datasets if d not in have]
        if missing:
            if not have:
                shutil.rmtree(folder, ignore_errors=True)
            only = None if len(missing) == len(generate.DATASETS) else missing
            got = measure(
                python(
                    GENERATE.format(
                        here=str(HERE), k=k, fraction=fraction, only=only, out=str(folder)
                    )
                ),
                None,
                logs / f"generate-{k:02d}.log",
            )
            if got["status"] != "ok":
                sys.exit(f"generating city {k} failed: {got['status']}")
            have |= got.pop("result")
            have = {d: have[d] for d in generate.DATASETS if d in have}
            manifest.write_text(json.dumps(have))
            got["city"] = k
            got["datasets"] = missing
            got["bytes"] = sum(Path(p).stat().st_size for d in missing for p in have[d])
            figures.append(got)
            print(
                f"generated city {k} ({fraction:g}, {len(missing)} datasets) in "
                f"{got['wall_seconds']:.0f} s, peak {mib(got)} MiB, "
                f"{got['bytes'] / 2**30:.1f} GiB of CSV",
                flush=True,
            )
        manifests.append({d: have[d] for d in datasets})
    return manifests, figures


# --- importing ----------------------------------------------------------------------------

# Prefixed to the import child with --unchecked-after: the import does not compare the file's
# events with the events already stored (it reads no stored record keys), so a file costs
# what the first did. A shortcut of this benchmark only, to reach a province's volume when the
# check's cost (which grows with every stored batch of the same period) would not let it
# finish: it is right only when the files share no event, as the generated cities' do (the
# stored total is checked against the files' rows; `unchecked` in the figures).
UNCHECKED = """
import polars as _pl
from shujian.data.warehouse import Warehouse as _Warehouse
def _no_stored_keys(self, dataset, keys, **kw):
    return _pl.Series("_record_key", [], dtype=_pl.Utf8)
_Warehouse.stored_keys = _no_stored_keys
"""


def settings(out: Path, timeout: int, memory_mb: int, spark_memory: str) -> str:
    """What the benchmark's workspace says in shujian.toml: the limits, the spill folders,
    Spark local[2]."""
    return (
        f"\n[models]\nmax_seconds = {timeout}\nmax_memory_mb = {memory_mb}\n"
        f'\n[engine.duckdb]\ntemp_directory = "{out / "duckdb-tmp"}"\n'
        f'\n[engine.spark]\nmaster = "local[2]"\ndriver_memory = "{spark_memory}"\n'
        f'\n[engine.spark.conf]\n"spark.local.dir" = "{out / "spark-tmp"}"\n'
    )


def import_all(
    ws: Path, manifests: list[dict], logs: Path, config: str, unchecked_after: int | None = None
) -> list[dict]:
    """Every file of every city (of the manifests' datasets), each in its own process; figures
    per dataset, and per file (`per_file`: how a file's import cost grows with the batches
    stored before it).

    An import stopped half way resumes: a dataset's first files, as many as it has batches
    already, are not imported again (a file being imported when it stopped committed nothing),
    and the figures are those of the files imported this time (`earlier_files` counts the rest).
    With `unchecked_after`, a dataset's files after that many are imported without the check
    for events already stored (`UNCHECKED`).
    """
    from shujian.data.warehouse import Warehouse
    from shujian.workspace import CONFIG_NAME, init_workspace, open_workspace

    if not (ws / CONFIG_NAME).exists():
        shutil.rmtree(ws, ignore_errors=True)
        init_workspace(ws).store.dispose()
        with open(ws / CONFIG_NAME, "a", encoding="utf-8") as f:
            f.write(config)
    opened = open_workspace(ws)
    warehouse = Warehouse(opened.warehouse_dir, opened.store)
    earlier = {d: len(warehouse.sources(d).batches) for d in manifests[0]}
    opened.store.dispose()
    datasets = list(manifests[0])
    rows = []
    print(
        f"\n{'import (dataset, files)':<36}{'rows':>13}{'rejected':>10}{'import s':>10}"
        f"{'wall s':>9}{'rows/s':>10}{'peak MiB':>15}",
        flush=True,
    )
    for dataset in datasets:
        paths = [p for m in manifests for p in m[dataset]]
        row = {"dataset": dataset, "files": len(paths), "rows": 0, "rejected": 0}
        row |= {"import_seconds": 0.0, "wall_seconds": 0.0, "peak_tree_mib": 0, "maxrss_mib": 0}
        row["earlier_files"] = earlier[dataset]
        row["per_file"] = []
        for i, path in enumerate(paths):
            if i < earlier[dataset]:
                continue
            unchecked = unchecked_after is not None and i >= unchecked_after
            got = measure(
                python(
                    (UNCHECKED if unchecked else "")
                    + run.PEAK
                    + run.IMPORT.format(ws=str(ws), dataset=dataset, file=path)
                ),
                None,
                logs / f"import-{dataset}-{i:03d}.log",
            )
            if got["status"] != "ok":
                sys.exit(f"importing {path} failed: {got['status']}")
            row["rows"] += got["result"]["imported"]
            row["rejected"] += got["result"]["rejected"]
            row["import_seconds"] += got["result"]["seconds"]
            row["wall_seconds"] += got["wall_seconds"]
            row["peak_tree_mib"] = max(row["peak_tree_mib"], got["peak_tree_mib"])
            row["maxrss_mib"] = max(row["maxrss_mib"], got["maxrss_mib"])
            row["per_file"].append(
                {
                    "file": i + 1,
                    "rows": got["result"]["imported"],
                    "import_seconds": round(got["result"]["seconds"], 2),
                    "wall_seconds": got["wall_seconds"],
                    "peak_tree_mib": got["peak_tree_mib"],
                    "load": round(os.getloadavg()[0], 1),
                    "unchecked": unchecked,
                }
            )
            print(
                f"  {dataset} file {i + 1}/{len(paths)}: {got['result']['seconds']:.1f} s "
                f"({got['wall_seconds']:.1f} s process, {got['peak_tree_mib']:,} MiB, "
                f"load {os.getloadavg()[0]:.1f}){' unchecked' if unchecked else ''}",
                flush=True,
            )
        rows.append(row)
        print(
            f"{dataset + f' ({len(paths)})':<36}{row['rows']:>13,}{row['rejected']:>10,}"
            f"{row['import_seconds']:>10.1f}{row['wall_seconds']:>9.1f}"
            f"{row['rows'] / max(row['import_seconds'], 1e-9):>10,.0f}{mib(row):>15}"
            + (f"  ({earlier[dataset]} files imported before)" if earlier[dataset] else ""),
            flush=True,
        )
    return rows


# --- running the models -------------------------------------------------------------------

RUN = """
import json, datetime, time
from pathlib import Path
from shujian.workspace import open_workspace
from shujian.models.spec import load_library
from shujian.models.runner import run_models
ws = open_workspace(Path({ws!r}))
t0 = time.perf_counter()
rep = run_models(ws, load_library(), [{model!r}], datetime.date.fromisoformat({as_of!r}),
                 engine={engine!r})
o = rep.outcomes[0]
print(json.dumps({{"query_seconds": o.seconds, "run_seconds": time.perf_counter() - t0,
                  "leads": o.counts.found, "rows": o.rows, "empty": list(o.empty_datasets),
                  "failed": o.failed.code if o.failed is not None else None,
                  "refused": o.refused or None}}))
"""


def model_status(got: dict[str, Any]) -> str:
    if got["status"] != "ok":
        return got["status"]
    result = got["result"]
    if result["failed"]:
        return f"failed: {result['failed']}"
    if result["refused"]:
        return f"refused: {result['refused']}"
    return "ok"


def unready(ws: Path, model: str, expected: dict[str, int]) -> list[str]:
    """The model's datasets not yet wholly imported into `ws` (fewer batches than files)."""
    from shujian.data.warehouse import Warehouse
    from shujian.models.spec import load_library
    from shujian.workspace import open_workspace

    opened = open_workspace(ws)
    warehouse = Warehouse(opened.warehouse_dir, opened.store)
    try:
        return [
            d
            for d in load_library()[model].datasets
            if len(warehouse.sources(d).batches) < expected.get(d, 0)
        ]
    finally:
        opened.store.dispose()


def consistent_store(source: Path, copy: Path) -> None:
    """Replace the copy's SQLite case store by SQLite's own online backup of the source's."""
    import sqlite3

    name = "case_store.sqlite"
    for extra in ("-wal", "-shm"):
        (copy / (name + extra)).unlink(missing_ok=True)
    (copy / name).unlink()
    with sqlite3.connect(source / name) as live, sqlite3.connect(copy / name) as target:
        live.backup(target)
    run.upgrade_store(copy)


def run_models_on(
    engine: str,
    imported: Path,
    work: Path,
    models: list[str],
    timeout: int,
    logs: Path,
    expected: dict[str, int] | None = None,
) -> dict[str, dict]:
    """Each model in its own process, on its own fresh copy of the imported workspace (the
    copy is not timed). With `expected` (files per dataset), the import may still be running:
    a model whose datasets are not all imported in the copy is left out."""
    figures = {}
    for model in models:
        ws = run.fresh_copy(imported, work / f"ws-{engine}")
        if expected is not None:
            # the import may be committing: a file copy of a SQLite store in WAL mode can be torn
            # (its audit head behind its audit log), so the store is copied by SQLite itself
            consistent_store(imported, ws)
        if expected is not None and (missing := unready(ws, model, expected)):
            print(f"{engine:<7}{model:<34}not yet imported: {', '.join(missing)}", flush=True)
            continue
        got = measure(
            python(RUN.format(ws=str(ws), model=model, as_of=AS_OF, engine=engine)),
            timeout + 120,  # the run's own limit stops the query first; this is the backstop
            logs / f"run-{engine}-{model}.log",
        )
        got["status"] = model_status(got)
        figures[model] = got
        result = got.get("result", {})
        print(
            f"{engine:<7}{model:<34}{got['status'][:40]:<42}"
            f"{result.get('leads', 0):>9,}{result.get('query_seconds', 0):>9.1f}"
            f"{got['wall_seconds']:>9.1f}{mib(got):>15}",
            flush=True,
        )
    shutil.rmtree(work / f"ws-{engine}", ignore_errors=True)
    return figures


def table(figures: dict[str, Any]) -> None:
    """Both engines side by side, whether their leads agree, which engine is faster."""
    duck, spark = figures.get("duckdb", {}), figures.get("spark", {})
    print(
        f"\n{'model':<34}{'DuckDB s':>9}{'peak MiB':>13}{'leads':>9}"
        f"{'Spark s':>9}{'peak MiB':>13}{'leads':>9}  same  faster"
    )
    for model in sorted(set(duck) | set(spark)):
        cells, leads = [], []
        for got in (duck.get(model), spark.get(model)):
            if got is None:
                cells.append(f"{'—':>9}{'—':>13}{'—':>9}")
                leads.append(None)
            elif got["status"] != "ok":
                cells.append(f"{got['status'][:31]:>31}")
                leads.append(None)
            else:
                n = got["result"]["leads"]
                leads.append(n)
                cells.append(f"{got['wall_seconds']:>9.1f}{mib(got):>13}{n:>9,}")
        same = "—" if None in leads else ("yes" if leads[0] == leads[1] else "NO")
        faster = "—"
        if None not in leads:
            faster = (
                "DuckDB" if duck[model]["wall_seconds"] <= spark[model]["wall_seconds"] else "Spark"
            )
        print(f"{model:<34}{cells[0]}{cells[1]}  {same:<5} {faster}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=10, help="cities (1: the city benchmark)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/shujian-province"))
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per model run")
    parser.add_argument("--memory-mb", type=int, default=4096, help="DuckDB's memory limit")
    parser.add_argument("--spark-memory", default="4g", help="Spark's driver memory (local[2])")
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--models", default="", help="comma-separated; default: every model")
    parser.add_argument(
        "--datasets",
        default="",
        help="comma-separated; generate and import only these (default: every dataset); "
        "the models default to those reading only imported datasets",
    )
    parser.add_argument(
        "--unchecked-after",
        type=int,
        default=None,
        help="import each dataset's files after this many without comparing them with the "
        "events stored (a shortcut: right only for files sharing no event)",
    )
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--redo-models", action="store_true")
    parser.add_argument(
        "--while-importing",
        action="store_true",
        help="run the models whose datasets are imported already, beside a running import "
        "(figures in figures-while-importing.json)",
    )
    args = parser.parse_args()
    out: Path = args.out.resolve()
    if out.is_relative_to(ROOT):
        sys.exit("--out must lie outside the repository")
    work = out / f"scale-{args.scale:g}"
    logs = work / "logs"
    work.mkdir(parents=True, exist_ok=True)
    record = work / "figures.json"
    figures: dict[str, Any] = json.loads(record.read_text()) if record.exists() else {}
    figures |= {"scale": args.scale, "as_of": AS_OF, "memory_mb": args.memory_mb}
    figures["spark_memory"] = args.spark_memory

    def save() -> None:
        record.write_text(json.dumps(figures, ensure_ascii=False, indent=1))

    datasets = tuple(args.datasets.split(",")) if args.datasets else generate.DATASETS
    if unknown := sorted(set(datasets) - set(generate.DATASETS)):
        sys.exit(f"no such dataset in the workload: {', '.join(unknown)}")
    manifests, generated = generate_cities(out / "data", args.scale, logs, datasets)
    if generated:
        figures.setdefault("generate", []).extend(generated)
        save()
    if args.generate_only:
        return

    imported = work / "ws-imported"
    if args.while_importing:
        from shujian.models.spec import load_library

        expected = {d: sum(len(m.get(d, [])) for m in manifests) for d in manifests[0]}
        partial = work / "figures-while-importing.json"

        def measured() -> dict[str, Any]:
            return json.loads(partial.read_text()) if partial.exists() else {}

        models = args.models.split(",") if args.models else list(load_library())
        for engine in args.engines.split(","):
            for model in models:
                if not args.redo_models and model in measured().get(engine, {}):
                    continue
                got = run_models_on(
                    engine, imported, work / "early", [model], args.timeout, logs, expected
                )
                # read again before writing: another run of this mode may have added figures
                early = measured()
                early.setdefault(engine, {}).update(got)
                partial.write_text(json.dumps(early, ensure_ascii=False, indent=1))
        early = measured()
        table(early)
        return
    # imported.json: the datasets wholly imported ("{}", as the first version wrote it: all)
    marker = imported / "imported.json"
    done_datasets = json.loads(marker.read_text()) if marker.exists() else {"datasets": []}
    imported_datasets = done_datasets.get("datasets", list(generate.DATASETS))
    todo_datasets = [d for d in datasets if d not in imported_datasets]
    if todo_datasets:
        config = settings(work, args.timeout, args.memory_mb, args.spark_memory)
        earlier_rows = figures.get("import", [])
        if any(r["dataset"] in todo_datasets for r in earlier_rows):
            # a resumed import: keep the figures of the files before
            figures.setdefault("import_before_resume", []).append(earlier_rows)
        rows = import_all(
            imported,
            [{d: m[d] for d in todo_datasets} for m in manifests],
            logs,
            config,
            args.unchecked_after,
        )
        kept = [r for r in earlier_rows if r["dataset"] not in todo_datasets]
        figures["import"] = kept + rows
        imported_datasets = [
            d for d in generate.DATASETS if d in {*imported_datasets, *todo_datasets}
        ]
        marker.write_text(json.dumps({"datasets": imported_datasets}))
        save()

    from shujian.models.spec import load_library

    library = load_library()
    models = (
        args.models.split(",")
        if args.models
        else [m for m in library if set(library[m].datasets) <= set(imported_datasets)]
    )
    for engine in args.engines.split(","):
        done = figures.setdefault(engine, {})
        todo = [m for m in models if args.redo_models or m not in done]
        if todo:
            print(
                f"\n{'engine':<7}{'model':<34}{'status':<42}{'leads':>9}{'query s':>9}"
                f"{'wall s':>9}{'peak MiB':>15}",
                flush=True,
            )
        for model in todo:
            done |= run_models_on(engine, imported, work, [model], args.timeout, logs)
            save()
    table(figures)
    print(f"\nfigures: {record}  (peak MiB: process tree sampled / largest process)")


if __name__ == "__main__":
    main()
