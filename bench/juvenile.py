"""The juvenile register at city scale: 420,000 minors and 2,700,000 visits (not part of the tests).

    uv run python bench/juvenile.py            # generate and import (once), then time the pages
    uv run python bench/juvenile.py --fresh    # regenerate and re-import
    uv run python bench/juvenile.py --entered 2000   # and 2,000 visits recorded in the platform

The files go through the real importer (as the 护苗 system's exports would), in several batches
per dataset so that the newest-row-per-key choice of the snapshot datasets has work to do. Then
every register service a page calls is timed as the web application calls it (a helper account's
grants included). Data stays in bench/out/juvenile/ (ignored by git).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import time
from pathlib import Path

import numpy as np
import polars as pl
from generate import id_numbers, names

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "juvenile"
WS = OUT / "ws"
TODAY = dt.date(2026, 6, 15)

CATEGORIES = np.array(
    ["single_parent", "care_gap", "idle_after_school", "misconduct", "serious_misconduct",
     "corrections"]
)  # fmt: skip
CATEGORY_SHARE = np.array([0.30, 0.33, 0.08, 0.13, 0.135, 0.025])
TARGETS = np.array(["本人", "家庭", "学校", "社区"])
HELP = np.array(["帮学业", "帮技能", "帮法治", "帮安全", "帮习惯"])
TOWNS = [f"第{i}镇" for i in range(1, 25)]
UNITS = [f"{t}{kind}" for t in TOWNS for kind in ("派出所", "妇联", "中心学校", "司法所")]


def minors(rng: np.random.Generator, n: int) -> pl.DataFrame:
    ids = np.unique(id_numbers(rng, int(n * 1.05), 2008, 2021))
    rng.shuffle(ids)
    ids = ids[:n]
    town = rng.integers(0, len(TOWNS), n)
    village = rng.integers(1, 21, n)
    first = rng.choice(len(CATEGORIES), n, p=CATEGORY_SHARE)
    second = np.where(rng.random(n) < 0.08, rng.choice(len(CATEGORIES), n, p=CATEGORY_SHARE), -1)
    base = pl.DataFrame(
        {
            "姓名": names(rng, n),
            "公民身份号码": ids,
            "所属乡镇（街道）": np.array(TOWNS)[town],
            "村（社区）": np.char.add(
                np.array(TOWNS)[town], np.char.add(village.astype(str), "村")
            ),
            "就读学校": np.where(rng.random(n) < 0.8, np.array(TOWNS)[town] + "中学", ""),
            "监护人姓名": names(rng, n),
        }
    )
    rows = []
    for cats in (first, second):
        keep = cats >= 0
        part = base.filter(pl.Series(keep)).with_columns(
            pl.Series("类别", CATEGORIES[cats[keep]]),
            pl.Series(
                "认定日期",
                (
                    np.datetime64("2022-01-01")
                    + rng.integers(0, 4 * 365, int(keep.sum())).astype("timedelta64[D]")
                ).astype(str),
            ),
        )
        rows.append(part)
    return pl.concat(rows).unique(["公民身份号码", "类别"], keep="first")


def write_csv(frame: pl.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(path)
    return path


def generate(rng: np.random.Generator) -> dict[str, list[Path]]:
    register = minors(rng, 420_000)
    # the second file: 5 % of the rows come back with a 退出日期 (a newer row of the same key)
    withdrawn = register.sample(fraction=0.05, seed=1).with_columns(
        pl.lit("2026-03-31").alias("退出日期"), pl.lit("转出本县").alias("退出原因")
    )
    ids = register.select("公民身份号码").unique(maintain_order=True)["公民身份号码"].to_numpy()
    n = len(ids)
    assignments = pl.DataFrame(
        {
            "公民身份号码": ids,
            "包保单位": np.array(UNITS)[rng.integers(0, len(UNITS), n)],
            "包保责任人": names(rng, n),
            "包保方式": np.where(rng.random(n) < 0.8, "一对一", "多对一"),
            "开始日期": "2024-01-01",
        }
    )
    serious = register.filter(pl.col("类别") == "serious_misconduct")["公民身份号码"].to_numpy()
    # 57,000 serious_misconduct minors × 12 months × four targets × 92 % ≈ 2,700,000 visits
    months = [dt.date(2025, m, 1) for m in range(7, 13)] + [
        dt.date(2026, m, 1) for m in range(1, 7)
    ]
    visit_files = []
    for i in range(3):
        parts = []
        for month in months[i * 4 : (i + 1) * 4]:
            k = len(serious)
            for target in TARGETS:
                # about one visit in twelve is never made: the due and late lists have work
                made = rng.random(k) < 0.92
                day = rng.integers(0, 28, int(made.sum()))
                parts.append(
                    pl.DataFrame(
                        {
                            "公民身份号码": serious[made],
                            "走访日期": [str(month + dt.timedelta(days=int(d))) for d in day],
                            "走访对象": target,
                            "走访人": names(rng, int(made.sum())),
                            "帮扶内容": HELP[rng.integers(0, len(HELP), int(made.sum()))],
                        }
                    )
                )
        visit_files.append(write_csv(pl.concat(parts), OUT / "files" / f"minor_visits-{i}.csv"))
    conduct = pl.DataFrame(
        {
            "姓名": names(rng, 200_000),
            "公民身份号码": rng.choice(ids, 200_000),
            "行为日期": (
                np.datetime64("2023-01-01")
                + rng.integers(0, 3 * 365, 200_000).astype("timedelta64[D]")
            ).astype(str),
            "行为类别": np.where(rng.random(200_000) < 0.7, "不良行为", "严重不良行为"),
            "行为": np.where(rng.random(200_000) < 0.5, "逃学", "盗窃"),
        }
    ).unique(["公民身份号码", "行为日期", "行为"])
    return {
        "key_minors": [
            write_csv(register, OUT / "files" / "key_minors-0.csv"),
            write_csv(withdrawn, OUT / "files" / "key_minors-1.csv"),
        ],
        "minor_assignments": [write_csv(assignments, OUT / "files" / "minor_assignments.csv")],
        "minor_visits": visit_files,
        "minor_conduct": [write_csv(conduct, OUT / "files" / "minor_conduct.csv")],
    }


def build() -> None:
    from shujian.data.importer import ImportOptions, import_file
    from shujian.data.warehouse import Warehouse
    from shujian.users import User, departments_of
    from shujian.users.accounts import add_user
    from shujian.workspace import Region, init_workspace

    shutil.rmtree(OUT, ignore_errors=True)
    files = generate(np.random.default_rng(20260615))
    ws = init_workspace(WS, region=Region(province="贵州省", city="六盘水市", county="青岚县"))
    warehouse = Warehouse(ws.warehouse_dir, ws.store)
    for dataset, paths in files.items():
        for path in paths:
            started = time.perf_counter()
            r = import_file(
                warehouse, ws.reports_dir, ws.datasets()[dataset], path, ImportOptions()
            )
            print(
                f"imported {dataset:<18} {r.imported:>9,} rows "
                f"({r.rejected} rejected) in {time.perf_counter() - started:.1f} s"
            )
    admin = User("管理员", ws.region.procuratorate_name, None, frozenset({"admin"}))
    add_user(ws.store, admin, "管理员", None, ["admin"], departments_of(ws))
    add_user(ws.store, admin, "未检检察官", "未成年人检察部", ["prosecutor"], departments_of(ws))
    add_user(ws.store, admin, "帮扶员", None, ["helper"], departments_of(ws), unit=UNITS[0])


def enter_visits(count: int) -> None:
    """`count` visits recorded in the platform, one batch each (as the visit form does)."""
    from shujian.juvenile import service, visits
    from shujian.users.accounts import resolve
    from shujian.workspace import open_workspace

    ws = open_workspace(WS)
    helper = resolve(ws.store, "帮扶员", ws.region.procuratorate_name)
    register = service.Register(ws)
    mine = register.with_grants(helper, TODAY)
    ids = [g for _, g in sorted(mine.grants)][:count]
    started = time.perf_counter()
    for i in range(count):
        visits.record_visit(
            register,
            mine,
            ids[i % len(ids)],
            visits.VisitForm(
                visited_on=TODAY - dt.timedelta(days=i % 14),
                targets=("本人",),
                visitor=f"帮扶员{i}",
                help_content=("帮学业",),
            ),
            today=TODAY,
        )
    print(f"recorded {count} visits in {time.perf_counter() - started:.1f} s")


def timed(label: str, call, repeat: int = 5) -> object:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    print(
        f"{label:<44} median {statistics.median(times) * 1000:7.0f} ms"
        f"   (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})"
    )
    return result


def pages() -> None:
    from shujian.juvenile import service
    from shujian.juvenile.register import Month
    from shujian.users.accounts import resolve
    from shujian.workspace import open_workspace

    ws = open_workspace(WS)
    register = service.Register(ws)
    chief = resolve(ws.store, "未检检察官", ws.region.procuratorate_name)
    helper = resolve(ws.store, "帮扶员", ws.region.procuratorate_name)
    month = Month.of(TODAY)
    service.forget()
    timed("counts, first view of a new batch set", lambda: register.counts(chief, TODAY), repeat=1)
    counts = timed("counts per category × town × village", lambda: register.counts(chief, TODAY))
    print(f"  {sum(r['minors'] for r in counts.rows):,} minor-category pairs active")  # type: ignore[attr-defined]
    listed = timed("list, first page of 50", lambda: register.minors(chief, TODAY, limit=50))
    print(f"  {listed.total:,} minors active")  # type: ignore[attr-defined]
    timed(
        "list, one town, page 20",
        lambda: register.minors(chief, TODAY, town=TOWNS[3], offset=950, limit=50),
    )
    timed(
        "list, serious_misconduct in one village",
        lambda: register.minors(
            chief, TODAY, category="serious_misconduct", town=TOWNS[3], village=f"{TOWNS[3]}7村"
        ),
    )
    someone = register.resolve_ref(chief, listed[0]["ref"])  # type: ignore[index]
    timed("one minor's file", lambda: register.minor_file(chief, someone, TODAY))
    service.forget()
    timed(
        "a reference resolved (not yet shown)",
        lambda: register.resolve_ref(chief, listed[-1]["ref"]),
        repeat=1,
    )  # type: ignore[index]
    due = timed("due this month, first page", lambda: register.due(chief, month, TODAY, limit=50))
    print(f"  {due.total:,} minors due with targets missing")  # type: ignore[attr-defined]
    late = timed(
        "late (3 complete months), first page", lambda: register.late(chief, TODAY, limit=50)
    )
    print(f"  {late.total:,} minor-months late")  # type: ignore[attr-defined]
    service.forget()
    timed("a helper's grants (uncached)", lambda: register.with_grants(helper, TODAY), repeat=1)
    mine = timed("a helper's grants (cached)", lambda: register.with_grants(helper, TODAY))
    print(f"  {len(mine.grants):,} minors assigned to {helper.unit}")  # type: ignore[attr-defined]
    timed("a helper's list", lambda: register.minors(mine, TODAY, limit=50))
    timed("a helper's due list", lambda: register.due(mine, month, TODAY, limit=50))
    from shujian.models.runner import run_models
    from shujian.models.spec import load_library

    report = timed(
        "juvenile.visit_missing run (3 months)",
        lambda: run_models(ws, load_library(), ["juvenile.visit_missing"], TODAY),
        repeat=1,
    )
    print(f"  {len(report.outcomes[0].findings):,} warnings")  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--entered", type=int, default=0)
    args = parser.parse_args()
    if args.fresh or not (WS / "shujian.toml").exists():
        build()
    pages()
    if args.entered:
        enter_visits(args.entered)
        print(f"-- after {args.entered} more visits recorded in the platform (a batch each):")
        pages()


if __name__ == "__main__":
    main()
