"""`shujian run --all` on the demonstration's workspace, whole process, two versions alternated.

    uv run shujian demo bench/out/demo-rerun             # once: the workspace to run on
    git archive <commit> src | tar -x -C /tmp/before
    uv run python bench/rerun.py --before /tmp/before/src --rounds 5

Each round runs every model, as a prosecutor's daily `shujian run --all` does, once by each
version (order alternating), each on the same workspace: this version twice, first with its kept
model checks removed (`.cache/model-checks`: the first run after an upgrade) and then with them
(every later run). Prints each run's wall and CPU seconds (user + system, the process's own) and
the medians. The leads are the same each time (the run finds them unchanged); only the run's
audit entry and run record are added.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORKSPACE = HERE / "out" / "demo-rerun" / "workspace"


def once(src: str | None, cold: bool) -> tuple[float, float]:
    env = dict(os.environ, SHUJIAN_USER="演示检察官")
    env.pop("PYTHONPATH", None)
    if src is not None:
        env["PYTHONPATH"] = src
    if cold:
        shutil.rmtree(WORKSPACE / ".cache", ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "shujian.cli.main",
            "-w",
            str(WORKSPACE),
            "run",
            "--all",
            "--as-of",
            "2026-10-20",
        ],
        stdout=subprocess.DEVNULL,
        check=True,
        env=env,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the src directory of the other version")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not WORKSPACE.is_dir():
        sys.exit(f"no workspace at {WORKSPACE}: run `uv run shujian demo {WORKSPACE.parent}` first")
    runs: dict[str, list[tuple[float, float]]] = {"before": [], "cold": [], "warm": []}
    for r in range(args.rounds):
        order = ("before", "cold", "warm") if r % 2 == 0 else ("cold", "warm", "before")
        for way in order:
            wall, cpu = once(args.before if way == "before" else None, cold=way == "cold")
            runs[way].append((wall, cpu))
            print(f"round {r + 1} {way:<7} {wall:6.2f} s {cpu:6.2f} CPU s", flush=True)
    labels = {
        "before": "before",
        "cold": "now, checks not kept",
        "warm": "now, checks kept",
    }
    base = statistics.median(c for _, c in runs["before"])
    for way, label in labels.items():
        wall = statistics.median(w for w, _ in runs[way])
        cpu = statistics.median(c for _, c in runs[way])
        print(f"{label:<22} median {wall:.2f} s, {cpu:.2f} CPU s ({cpu / base:.2f} of before)")


if __name__ == "__main__":
    main()
