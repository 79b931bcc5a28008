"""kill -9 of the real command line at random points, and every invariant checked after each kill
(not part of the tests; `tests/crash/` keeps a few kill points of each so CI proves the same).

Four commands, each killed `--kills` times (default 30) with SIGKILL after a sleep drawn (seeded)
over the command's own measured duration:

* import       `shujian import hotel_checkins FILE` (a new 20,000-row file each time)
* run          `shujian run --all` on the demonstration county
* recommend    `shujian cases recommend CASE` (本平台编号: the counter)
* upgrade      `shujian db upgrade` of a store of release 0.1.0 (a fresh copy each time)

After each kill: no partial batch (a batch is listed whole with its file, or not at all), no file
kept that no batch lists and no journal names for the next import's sweep, no run without its
models and its end, the audit log verifies, the tallies equal the leads, 文号 1…n used without a
gap and each used number's document either written with its recorded hash or recorded as not
yet written (then `shujian cases render` writes it, same number), no store half-upgraded; then the
command is run again and must succeed. Prints a table of counts.

    uv run python bench/crash.py [--kills 30] [--seed 16] [--only import,run,recommend,upgrade]
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from helpers import hotel_checkins_csv, investigated_cases, numbered_by_counter  # noqa: E402
from kills import (  # noqa: E402
    CLI,
    document_problems,
    kill_at,
    leftovers,
    release_010,
    store_problems,
    table_counts,
    timed,
    upgrade_problems,
    warehouse_problems,
)
from shujian.cases.store import recommendations  # noqa: E402
from shujian.leads.store import leads  # noqa: E402
from shujian.store import connect_store  # noqa: E402
from shujian.workspace import open_workspace  # noqa: E402

USER = "张检察官"


@dataclass
class Tally:
    killed: int = 0
    finished: int = 0
    """The command had finished before the kill came: its result is checked just the same."""
    checked: int = 0
    reruns: int = 0
    problems: list[str] = field(default_factory=list)


def shujian(root: Path, *args: str, user: str = USER) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "-w", str(root), "-u", user, *args], capture_output=True, text=True
    )


# ------------------------------------------------------------------------ the scenarios


def crash_import(tmp: Path, kills: int, rng: random.Random) -> Tally:
    root = tmp / "import-ws"
    subprocess.run([*CLI, "init", str(root)], check=True, capture_output=True)
    first = hotel_checkins_csv(tmp / "first.csv", 20_000)
    duration = timed([*CLI, "-w", str(root), "-u", USER, "import", "hotel_checkins", str(first)])
    tally = Tally()
    for i in range(kills):
        file = hotel_checkins_csv(tmp / f"file-{i}.csv", 20_000, first=(i + 1) * 20_000)
        argv = [*CLI, "-w", str(root), "-u", USER, "import", "hotel_checkins", str(file)]
        alive = kill_at(argv, rng.uniform(0, duration))
        tally.killed += alive
        tally.finished += not alive
        tally.problems += [f"import {i}: {p}" for p in warehouse_problems(root)]
        again = shujian(root, "import", "hotel_checkins", str(file))
        tally.reruns += again.returncode == 0
        if again.returncode != 0:
            tally.problems.append(f"import {i}: re-import failed: {again.stderr}")
        tally.problems += [f"import {i} re-run: {p}" for p in warehouse_problems(root)]
        tally.checked += 1
    return tally


def crash_run(tmp: Path, kills: int, rng: random.Random) -> Tally:
    from shujian.demo.county import AS_OF

    subprocess.run([*CLI, "demo", str(tmp / "demo")], check=True, capture_output=True)
    root = tmp / "demo" / "workspace"
    user = "演示部门负责人"
    argv = [*CLI, "-w", str(root), "-u", user, "run", "--all", "--as-of", AS_OF.isoformat()]
    duration = timed(argv)

    def found() -> set[tuple[str, str, bool]]:
        engine = connect_store(f"sqlite:///{root / 'case_store.sqlite'}")
        with engine.connect() as conn:
            out = {(r.model_id, r.subject, r.active) for r in conn.execute(select(leads))}
        engine.dispose()
        return out

    expected = found()
    tally = Tally()
    for i in range(kills):
        alive = kill_at(argv, rng.uniform(0, duration))
        tally.killed += alive
        tally.finished += not alive
        tally.problems += [f"run {i}: {p}" for p in warehouse_problems(root)]
        if found() != expected:
            tally.problems.append(f"run {i}: leads changed by a killed run")
        again = subprocess.run(argv, capture_output=True, text=True)
        tally.reruns += again.returncode == 0
        if again.returncode != 0:
            tally.problems.append(f"run {i}: re-run failed: {again.stderr}")
        tally.checked += 1
    return tally


def crash_recommend(tmp: Path, kills: int, rng: random.Random) -> Tally:
    from shujian.workspace import init_workspace

    root = tmp / "recommend-ws"
    ws = numbered_by_counter(init_workspace(root))
    cases = investigated_cases(ws, tmp / "cases", kills + 1)
    ws.store.dispose()

    def argv(case: int) -> list[str]:
        return [*CLI, "-w", str(root), "-u", USER, "cases", "recommend", str(case),
                "--recipient", "青岚县文化市场综合行政执法大队", "--on", "2026-05-06"]  # fmt: skip

    duration = timed(argv(cases[0]))
    tally = Tally()
    for i, case in enumerate(cases[1:]):
        alive = kill_at(argv(case), rng.uniform(0, duration))
        tally.killed += alive
        tally.finished += not alive
        problems, unwritten = document_problems(root)
        tally.problems += [f"recommend {i}: {p}" for p in problems]
        ok = True
        for number in unwritten:  # the number stands: its document is written, same number
            again = shujian(root, "cases", "render", number)
            ok &= again.returncode == 0
        ws = open_workspace(root)
        with ws.store.connect() as conn:
            issued = conn.execute(
                select(recommendations.c.id).where(recommendations.c.case_id == case)
            ).first()
        ws.store.dispose()
        if issued is None:  # killed before the number was taken: issuing again works
            ok &= subprocess.run(argv(case), capture_output=True).returncode == 0
        tally.reruns += ok
        if not ok:
            tally.problems.append(f"recommend {i}: could not finish after the kill")
        problems, unwritten = document_problems(root)
        tally.problems += [f"recommend {i} after: {p}" for p in problems]
        if unwritten:
            tally.problems.append(f"recommend {i}: still unwritten {unwritten}")
        tally.problems += [f"recommend {i}: left {p}" for p in leftovers(root)]
        tally.checked += 1
    return tally


def crash_upgrade(tmp: Path, kills: int, rng: random.Random) -> Tally:
    first = release_010(tmp / "upgrade-0")
    before = table_counts(first)
    duration = timed([*CLI, "-w", str(first), "-u", USER, "db", "upgrade"])
    tally = Tally()
    for i in range(kills):
        root = release_010(tmp / f"upgrade-{i + 1}")
        alive = kill_at(
            [*CLI, "-w", str(root), "-u", USER, "db", "upgrade"], rng.uniform(0, duration)
        )
        tally.killed += alive
        tally.finished += not alive
        tally.problems += [f"upgrade {i}: {p}" for p in upgrade_problems(root, before)]
        again = shujian(root, "db", "upgrade")
        tally.reruns += again.returncode == 0
        if again.returncode != 0:
            tally.problems.append(f"upgrade {i}: upgrade again failed: {again.stderr}")
        else:
            ws = open_workspace(root)
            tally.problems += [f"upgrade {i}: {p}" for p in store_problems(ws.store)]
            with ws.store.connect() as conn:
                n = conn.execute(select(func.count()).select_from(leads)).scalar_one()
            ws.store.dispose()
            if n != before["leads"]:
                tally.problems.append(f"upgrade {i}: {n} leads after, {before['leads']} before")
        tally.checked += 1
        shutil.rmtree(root)
    return tally


SCENARIOS: dict[str, Callable[[Path, int, random.Random], Tally]] = {
    "import": crash_import,
    "run": crash_run,
    "recommend": crash_recommend,
    "upgrade": crash_upgrade,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--only", default=",".join(SCENARIOS))
    args = parser.parse_args()
    print(f"{'command':<10} {'kills':>5} {'killed':>6} {'done':>5} {'re-run ok':>9} "
          f"{'problems':>8} {'seconds':>7}")  # fmt: skip
    failed = False
    for name in args.only.split(","):
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix=f"crash-{name}-") as tmp:
            tally = SCENARIOS[name](Path(tmp), args.kills, random.Random(f"{args.seed}-{name}"))
        print(f"{name:<10} {tally.checked:>5} {tally.killed:>6} {tally.finished:>5} "
              f"{tally.reruns:>9} {len(tally.problems):>8} {time.monotonic() - started:>7.0f}",
              flush=True)  # fmt: skip
        for problem in tally.problems[:20]:
            print(f"    {problem}")
        failed |= bool(tally.problems)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
