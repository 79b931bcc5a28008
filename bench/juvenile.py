"""The juvenile work at city scale: its six datasets, six models and the register's pages (not
part of the tests).

    uv run python bench/juvenile.py --fresh          # generate, import, run the six models, time the pages
    uv run python bench/juvenile.py                  # the models and pages again on the same workspace
    uv run python bench/juvenile.py --entered 2000   # and 2,000 visits recorded in the platform

The workload (numpy, seeded): 420,000 registered minors (445,000 rows, a second file withdrawing
5 %), their assignments, about 2,700,000 visits of the 56,500 serious-misconduct minors over a
year (three files), 200,000 conduct records, 20,000 dropouts (two files, the second a later
re-export with the returns since) and 5,000,000 net-café logins (five files of a month or so each,
overlapping by two days as real exports do, about 0.5 % of them by minors). Each model has
planted cases at city scale: minors with no assignment or an ended one, serious conduct of minors
not registered for it, dropouts never returned or returned late, minors admitted to net cafés,
some of them four days or more in a month.

Every file goes through the real importer in its own process (import seconds, rows per second,
the process's peak memory), beside a plain polars read of the same CSV for scale. Every model
runs as of 2026-06-15 through the real run path (`run_models`, leads written to the case store)
in its own process (`--repeat N`: N times), timed in parts: the views (each dataset's current
rows; the first reader of a snapshot of several batches finds its replaced rows and keeps them),
the DuckDB query, the findings (rows into leads, in Python) and the whole run with the leads
written; its peak memory; and beside it the **scan floor**: DuckDB (two threads, as the engine)
reading every column the model's query names (and `_batch`, `_row`) from the same Parquet files,
by which views + query are divided. Then the register's services are timed as the web pages call
them.

With `--entered N`, N visits are recorded through the platform's own path (a batch each) with
the automatic compaction off, so that N loose batches are read; visit_missing and the pages are
timed, the batches compacted (`Warehouse.compact`, what `shujian datasets compact` does) and
timed again.

Data stays in bench/out/juvenile/ (ignored by git).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
from generate import id_numbers, names, usccs
from run import FLOOR, IMPORT, child, read_columns

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "juvenile"
WS = OUT / "ws"
FILES = OUT / "files"
TODAY = dt.date(2026, 6, 15)
AS_OF = TODAY.isoformat()

CATEGORIES = np.array(
    ["single_parent", "care_gap", "idle_after_school", "misconduct", "serious_misconduct",
     "corrections"]
)  # fmt: skip
CATEGORY_SHARE = np.array([0.30, 0.33, 0.08, 0.13, 0.135, 0.025])
TARGETS = np.array(["本人", "家庭", "学校", "社区"])
HELP = np.array(["帮学业", "帮技能", "帮法治", "帮安全", "帮习惯"])
TOWNS = [f"第{i}镇" for i in range(1, 25)]
UNITS = [f"{t}{kind}" for t in TOWNS for kind in ("派出所", "妇联", "中心学校", "司法所")]
MODELS = (
    "juvenile.visit_missing",
    "juvenile.unassigned",
    "juvenile.escalation",
    "juvenile.dropout_not_returned",
    "netcafe.minor_admitted",
    "juvenile.netcafe_frequent",
)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.1f} / {five:.1f} / {fifteen:.1f}"


def dates(rng: np.random.Generator, start: str, span: int, n: int) -> np.ndarray:
    return (np.datetime64(start) + rng.integers(0, span, n).astype("timedelta64[D]")).astype(str)


def minors(rng: np.random.Generator, n: int) -> pl.DataFrame:
    ids = np.unique(id_numbers(rng, int(n * 1.05), 2008, 2021))
    rng.shuffle(ids)
    ids = ids[:n]
    town = rng.integers(0, len(TOWNS), n)
    village = rng.integers(1, 21, n)
    first = rng.choice(len(CATEGORIES), n, p=CATEGORY_SHARE)
    second = np.where(rng.random(n) < 0.08, rng.choice(len(CATEGORIES), n, p=CATEGORY_SHARE), -1)
    # 80 % at a school; the others' 就读学校 empty, or a placeholder as registers write it
    school = np.where(
        rng.random(n) < 0.8,
        np.array(TOWNS)[town] + "中学",
        np.array(["", "", "无", "辍学"])[rng.integers(0, 4, n)],
    )
    base = pl.DataFrame(
        {
            "姓名": names(rng, n),
            "公民身份号码": ids,
            "所属乡镇（街道）": np.array(TOWNS)[town],
            "村（社区）": np.char.add(
                np.array(TOWNS)[town], np.char.add(village.astype(str), "村")
            ),
            "就读学校": school,
            "监护人姓名": names(rng, n),
        }
    )
    rows = []
    for cats in (first, second):
        keep = cats >= 0
        part = base.filter(pl.Series(keep)).with_columns(
            pl.Series("类别", CATEGORIES[cats[keep]]),
            pl.Series("认定日期", dates(rng, "2022-01-01", 4 * 365, int(keep.sum()))),
        )
        rows.append(part)
    return pl.concat(rows).unique(["公民身份号码", "类别"], keep="first", maintain_order=True)


def write_csv(frame: pl.DataFrame, name: str) -> Path:
    path = FILES / f"{name}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(path)
    return path


def assignments(rng: np.random.Generator, ids: np.ndarray) -> pl.DataFrame:
    """One assignment per minor from 2024-01-01 — except 1.5 % never assigned (unassigned's
    planted cases) and 0.5 % whose assignment ended on 2026-03-31 with no other since."""
    n = len(ids)
    fate = rng.random(n)
    kept = fate >= 0.015
    ended = (fate >= 0.015) & (fate < 0.02)
    return pl.DataFrame(
        {
            "公民身份号码": ids,
            "包保单位": np.array(UNITS)[rng.integers(0, len(UNITS), n)],
            "包保责任人": names(rng, n),
            "包保方式": np.where(rng.random(n) < 0.8, "一对一", "多对一"),
            "开始日期": "2024-01-01",
            "结束日期": np.where(ended, "2026-03-31", ""),
        }
    ).filter(pl.Series(kept))


def visits(rng: np.random.Generator, serious: np.ndarray) -> list[pl.DataFrame]:
    """A year of 四访 of the serious-misconduct minors (July 2025 – June 2026) in three files:
    57,000 minors × 12 months × four targets × 92 % ≈ 2,700,000 visits; about one in twelve is
    never made, so the due and late lists and visit_missing have work."""
    months = [dt.date(2025, m, 1) for m in range(7, 13)] + [
        dt.date(2026, m, 1) for m in range(1, 7)
    ]
    files = []
    for i in range(3):
        parts = []
        for month in months[i * 4 : (i + 1) * 4]:
            k = len(serious)
            for target in TARGETS:
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
        files.append(pl.concat(parts))
    return files


def conduct(rng: np.random.Generator, registered: pl.DataFrame, n: int = 200_000) -> pl.DataFrame:
    """The police's records from 2025 to the run date: 70 % of minors on the register (mostly
    the misconduct categories), 30 % of minors the register does not know (escalation's cases)."""
    troubled = registered.filter(pl.col("类别").is_in(["misconduct", "serious_misconduct"]))[
        "公民身份号码"
    ].to_numpy()
    others = registered["公民身份号码"].to_numpy()
    unknown = id_numbers(rng, 40_000, 2009, 2014)
    pick = rng.random(n)
    ids = np.where(
        pick < 0.5,
        troubled[rng.integers(0, len(troubled), n)],
        np.where(
            pick < 0.7, others[rng.integers(0, len(others), n)], unknown[rng.integers(0, 40_000, n)]
        ),
    )
    serious = rng.random(n) < 0.3
    return pl.DataFrame(
        {
            "姓名": names(rng, n),
            "公民身份号码": ids,
            "行为日期": dates(rng, "2025-01-01", 530, n),
            "行为类别": np.where(serious, "严重不良行为", "不良行为"),
            "行为": np.where(
                serious,
                np.array(["盗窃", "寻衅滋事", "故意伤害"])[rng.integers(0, 3, n)],
                np.array(["逃学", "夜不归宿", "沉迷网络", "吸烟、饮酒"])[rng.integers(0, 4, n)],
            ),
            "处置措施": np.where(rng.random(n) < 0.6, "训诫", ""),
            "处置单位": np.array(UNITS[::4])[rng.integers(0, len(UNITS) // 4, n)],
        }
    ).unique(["公民身份号码", "行为日期", "行为"], maintain_order=True)


def dropouts(rng: np.random.Generator, n: int = 20_000) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The 控辍保学 ledger: pupils who left school from September 2025, sent in March and again
    (those who left since February, with the returns made since) in June. 75 % returned within
    30 days, 10 % later, 15 % not at all; pupils aged 15 and over are past the age limit at times."""
    ids = np.unique(id_numbers(rng, n, 2010, 2019))
    n = len(ids)
    left = np.datetime64("2025-09-01") + rng.integers(0, 280, n).astype("timedelta64[D]")
    fate = rng.random(n)
    after = np.where(
        fate < 0.75, rng.integers(1, 31, n), np.where(fate < 0.85, rng.integers(31, 90, n), -1)
    )
    returned = np.where(after > 0, (left + after.astype("timedelta64[D]")).astype(str), "")
    born = np.array([int(i[6:10]) for i in ids])
    frame = pl.DataFrame(
        {
            "姓名": names(rng, n),
            "公民身份号码": ids,
            "学校": np.array(TOWNS)[rng.integers(0, len(TOWNS), n)]
            + np.where(born >= 2014, "小学", "中学"),
            "学段": np.where(born >= 2014, "小学", "初中"),
            "离校日期": left.astype(str),
            "劝返日期": returned,
            "原因": np.array(["厌学", "外出务工", "家庭困难", "疾病"])[rng.integers(0, 4, n)],
        }
    )
    left_s = pl.col("离校日期")
    march = frame.filter(left_s < "2026-03-01").with_columns(
        pl.when(pl.col("劝返日期") < "2026-03-01").then(pl.col("劝返日期")).otherwise(pl.lit(""))
    )
    june = frame.filter((left_s >= "2026-02-01") & (left_s <= AS_OF)).with_columns(
        pl.when(pl.col("劝返日期") <= AS_OF).then(pl.col("劝返日期")).otherwise(pl.lit(""))
    )
    return march, june


def logins(
    rng: np.random.Generator, registered: np.ndarray, total: int = 5_000_000
) -> list[pl.DataFrame]:
    """Net-café logins, January to 14 June 2026, in five files each overlapping the one before by
    two days: 1,500 cafés; 400,000 adults, a few of them nearly every day; 6,000 minors (half on
    the register) with one to three logins, and 1,200 of them on four to eight days of one or two
    months (netcafe_frequent's cases)."""
    cafes = usccs(rng, 1500)
    cafe_names = np.array([f"{TOWNS[i % len(TOWNS)]}{i}号网吧" for i in range(len(cafes))])
    scale = total / 5_000_000
    adults = id_numbers(rng, max(1000, int(400_000 * scale)), 1965, 2007)
    adult_names = names(rng, len(adults))
    young = np.concatenate(
        [
            rng.choice(registered, min(3000, len(registered) // 2), replace=False),
            id_numbers(rng, 3000, 2009, 2012),
        ]
    )
    young_names = names(rng, len(young))
    start = np.datetime64("2026-01-01T00:00")
    span = (np.datetime64("2026-06-15T00:00") - start).astype(int)  # minutes
    # minors: one to three logins anywhere in the period
    once = rng.integers(1, 4, len(young))
    who = np.repeat(np.arange(len(young)), once)
    at = rng.integers(0, span, len(who))
    # 1,200 frequent: four to eight days of a month (March, April or May), in one or two months
    often = rng.choice(len(young), min(1200, len(young) // 4), replace=False)
    extra_who, extra_at = [], []
    for person in often:
        for month in rng.choice([2, 3, 4], rng.integers(1, 3), replace=False):
            first = np.datetime64(f"2026-{month + 1:02d}-01T00:00")
            days = rng.choice(28, rng.integers(4, 9), replace=False)
            extra_who.append(np.full(len(days), person))
            extra_at.append(
                (first - start).astype(int) + days * 1440 + rng.integers(600, 1320, len(days))
            )
    who = np.concatenate([who, *extra_who])
    at = np.concatenate([at, *extra_at])
    minors_frame = pl.DataFrame(
        {"who": who, "at": at, "id": young[who], "name": young_names[who]}
    ).with_columns(pl.lit(True).alias("minor"))
    # adults: skewed, a few regulars and many occasional visitors
    n = total - minors_frame.height
    weights = 1.0 / np.arange(1, len(adults) + 1) ** 0.6
    person = rng.choice(len(adults), n, p=weights / weights.sum())
    adults_frame = pl.DataFrame(
        {
            "who": person,
            "at": rng.integers(0, span, n),
            "id": adults[person],
            "name": adult_names[person],
        }
    ).with_columns(pl.lit(False).alias("minor"))
    both = pl.concat([adults_frame, minors_frame])
    cafe = rng.integers(0, len(cafes), both.height)
    stay = rng.integers(30, 360, both.height)
    frame = (
        both.with_columns(
            pl.Series("cafe", cafe),
            (pl.lit(start) + pl.duration(minutes=pl.col("at"))).alias("in"),
        )
        .with_columns((pl.col("in") + pl.duration(minutes=pl.Series(stay))).alias("out"))
        .select(
            pl.Series("场所名称", cafe_names[cafe]),
            pl.Series("场所统一社会信用代码", cafes[cafe]),
            pl.col("name").alias("姓名"),
            pl.col("id").alias("公民身份号码"),
            pl.col("in").dt.strftime("%Y-%m-%d %H:%M:%S").alias("上机时间"),
            pl.col("out").dt.strftime("%Y-%m-%d %H:%M:%S").alias("下机时间"),
            pl.col("in"),
        )
        .unique(["场所统一社会信用代码", "公民身份号码", "上机时间"], maintain_order=True)
        .sort("in", maintain_order=True)
    )
    bounds = ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01", "2026-06-15"]
    files = []
    for i in range(5):
        lo = dt.datetime.fromisoformat(bounds[i]) - dt.timedelta(days=2 if i else 0)
        hi = dt.datetime.fromisoformat(bounds[i + 1])
        files.append(frame.filter((pl.col("in") >= lo) & (pl.col("in") < hi)).drop("in"))
    return files


def generate(rng: np.random.Generator, scale: float = 1.0) -> dict[str, list[Path]]:
    register = minors(rng, int(420_000 * scale))
    # the second file: 5 % of the rows come back with a 退出日期 (a newer row of the same key)
    withdrawn = register.sample(fraction=0.05, seed=1).with_columns(
        pl.lit("2026-03-31").alias("退出日期"), pl.lit("转出本县").alias("退出原因")
    )
    ids = register.select("公民身份号码").unique(maintain_order=True)["公民身份号码"].to_numpy()
    serious = register.filter(pl.col("类别") == "serious_misconduct")["公民身份号码"].to_numpy()
    files: dict[str, list[Path]] = {
        "key_minors": [
            write_csv(register, "key_minors-0"),
            write_csv(withdrawn, "key_minors-1"),
        ],
        "minor_assignments": [write_csv(assignments(rng, ids), "minor_assignments")],
        "minor_visits": [
            write_csv(f, f"minor_visits-{i}") for i, f in enumerate(visits(rng, serious))
        ],
        "minor_conduct": [write_csv(conduct(rng, register, int(200_000 * scale)), "minor_conduct")],
    }
    march, june = dropouts(rng, int(20_000 * scale))
    files["school_dropouts"] = [
        write_csv(march, "school_dropouts-0"),
        write_csv(june, "school_dropouts-1"),
    ]
    teen = ids[np.array([int(i[6:10]) for i in ids]) <= 2012]
    files["netcafe_logins"] = [
        write_csv(f, f"netcafe_logins-{i}")
        for i, f in enumerate(logins(rng, teen, int(5_000_000 * scale)))
    ]
    return files


RAW = """
import json, time
import polars as pl
t0 = time.perf_counter()
frame = pl.read_csv({file!r}, infer_schema=False)
print(json.dumps({{"rows": frame.height, "seconds": time.perf_counter() - t0,
                  "peak_mib": _peak_mib()}}))
"""


def build(scale: float = 1.0) -> None:
    from shujian.users import User, departments_of
    from shujian.users.accounts import add_user
    from shujian.workspace import Region, init_workspace, open_workspace

    shutil.rmtree(OUT, ignore_errors=True)
    started = time.perf_counter()
    files = generate(np.random.default_rng(20260615), scale)
    (OUT / "files.json").write_text(
        json.dumps({k: [str(p) for p in v] for k, v in files.items()}, ensure_ascii=False)
    )
    print(f"generated the juvenile workload in {time.perf_counter() - started:.0f} s ({load()})")
    init_workspace(WS, region=Region(province="贵州省", city="六盘水市", county="青岚县"))
    print(
        f"\n{'import (csv, each file in its own process)':<40}{'rows':>11}{'import s':>10}"
        f"{'rows/s':>10}{'read s':>8}{'× read':>8}{'process s':>11}{'peak MiB':>10}"
    )
    for dataset, paths in files.items():
        for path in paths:
            res, wall, peak = child(IMPORT.format(ws=str(WS), dataset=dataset, file=str(path)))
            raw, _, _ = child(RAW.format(file=str(path)))
            print(
                f"{path.name:<40}{res['imported']:>11,}{res['seconds']:>10.1f}"
                f"{res['imported'] / res['seconds']:>10,.0f}{raw['seconds']:>8.2f}"
                f"{res['seconds'] / raw['seconds']:>8.1f}{wall:>11.1f}{peak:>10.0f}",
                flush=True,
            )
            if res["rejected"]:
                print(f"  {res['rejected']} rows rejected")
    print(f"({load()})")
    ws = open_workspace(WS)
    admin = User("管理员", ws.region.procuratorate_name, None, frozenset({"admin"}))
    add_user(ws.store, admin, "管理员", None, ["admin"], departments_of(ws))
    add_user(ws.store, admin, "未检检察官", "未成年人检察部", ["prosecutor"], departments_of(ws))
    add_user(ws.store, admin, "帮扶员", None, ["helper"], departments_of(ws), unit=UNITS[0])
    ws.store.dispose()


# ----------------------------------------------------------------------------- the models

RUN = """
import json, datetime, time
from pathlib import Path
from shujian.engine import duckdb as engine
from shujian.models.runner import run_models
from shujian.models.spec import load_library
from shujian.workspace import open_workspace

# the run path as it is; its two DuckDB steps timed from outside: the views (the current rows of
# each dataset, the replaced rows found when not kept yet) and the query
spent = {{"views": 0.0, "query": 0.0}}
def timing(name, method):
    def timed(self, *args):
        t0 = time.perf_counter()
        try:
            return method(self, *args)
        finally:
            spent[name] += time.perf_counter() - t0
    return timed
engine.DuckDBEngine.register = timing("views", engine.DuckDBEngine.register)
engine.DuckDBEngine.query = timing("query", engine.DuckDBEngine.query)
ws = open_workspace(Path({ws!r}))
lib = load_library()
t0 = time.perf_counter()
rep = run_models(ws, lib, [{model!r}], datetime.date.fromisoformat({as_of!r}))
o = rep.outcomes[0]
print(json.dumps({{"views": spent["views"], "query": spent["query"],
                  "findings": o.seconds - spent["query"], "run_seconds": time.perf_counter() - t0,
                  "leads": o.counts.found, "new": o.counts.new, "rows": o.rows,
                  "peak_mib": _peak_mib()}}))
"""


def run_models(models: tuple[str, ...] = MODELS, repeat: int = 1) -> None:
    """Each model in its own process, `repeat` times, then its scan floor in another.

    On a fresh workspace a model's first run inserts every lead, later runs refresh them. The
    first model reading a snapshot of several batches finds its replaced rows and keeps them
    (its views' time); later runs and models read them (`engine/superseded.py`)."""
    print(
        f"\n{'model (as of ' + AS_OF + ')':<31}{'leads':>7}{'views s':>8}{'query s':>8}"
        f"{'finds s':>8}{'run s':>7}{'proc s':>7}{'peak MiB':>9}{'floor s':>8}{'÷ floor':>8}"
        f"{'rows read':>11}"
    )
    for model in models:
        floor, _, _ = child(FLOOR.format(ws=str(WS), wanted=read_columns(model, WS)))
        for _ in range(repeat):
            res, wall, peak = child(RUN.format(ws=str(WS), model=model, as_of=AS_OF))
            duckdb_s = res["views"] + res["query"]
            print(
                f"{model:<31}{res['leads']:>7,}{res['views']:>8.2f}{res['query']:>8.2f}"
                f"{res['findings']:>8.2f}{res['run_seconds']:>7.2f}{wall:>7.1f}{peak:>9.0f}"
                f"{floor['seconds']:>8.2f}{duckdb_s / floor['seconds']:>8.1f}{floor['rows']:>11,}",
                flush=True,
            )
    print(f"({load()})")


# ----------------------------------------------------------------------------- visits entered


def enter_visits(count: int) -> None:
    """`count` visits recorded in the platform, one batch each (as the visit form does), with
    the automatic compaction off: `count` loose batches."""
    from shujian.data import warehouse
    from shujian.juvenile import service, visits
    from shujian.users.accounts import resolve
    from shujian.workspace import open_workspace

    warehouse.COMPACT_LOOSE = count + 1  # off for this process: the loose batches are measured
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
    print(f"recorded {count} visits in {time.perf_counter() - started:.1f} s ({load()})")


def compact() -> None:
    from shujian.data.warehouse import Warehouse
    from shujian.workspace import open_workspace

    ws = open_workspace(WS)
    started = time.perf_counter()
    done = Warehouse(ws.warehouse_dir, ws.store).compact("minor_visits", everything=True)
    print(
        f"compacted {done.batches if done else 0} batches ({done.rows if done else 0} rows) "
        f"in {time.perf_counter() - started:.2f} s"
    )


# ----------------------------------------------------------------------------- the pages


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

    print(f"\nthe register's services as the pages call them ({load()})")
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
        lambda: register.resolve_ref(chief, listed[-1]["ref"]),  # type: ignore[index]
        repeat=1,
    )
    timed(
        "due this month, first view of the visits",
        lambda: register.due(chief, month, TODAY, limit=50),
        repeat=1,
    )
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
    register.close()
    ws.store.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fresh", action="store_true", help="regenerate and re-import")
    parser.add_argument("--entered", type=int, default=0, help="visits to record in the platform")
    parser.add_argument("--skip-models", action="store_true")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each model")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="a fraction of the city, to try the script out"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    print(f"bench/juvenile.py on {os.cpu_count()} cores, {load()}")
    if args.fresh or not (WS / "shujian.toml").exists():
        build(args.scale)
    if not args.skip_models:
        run_models(repeat=args.repeat)
    if not args.skip_pages:
        pages()
    if args.entered:
        enter_visits(args.entered)
        print(f"-- {args.entered} more visits recorded in the platform, a loose batch each:")
        run_models(("juvenile.visit_missing",), args.repeat)
        if not args.skip_pages:
            pages()
        compact()
        print(f"-- the {args.entered} batches compacted:")
        run_models(("juvenile.visit_missing",), args.repeat)
        if not args.skip_pages:
            pages()


if __name__ == "__main__":
    main()
