"""`shujian demo`, whole process, two versions of the code alternated (issue 14: under 6 s).

    git archive <commit> src | tar -x -C /tmp/before
    uv run python bench/demo.py --before /tmp/before/src --rounds 3

Prints each run's wall seconds and CPU seconds (the process and what it waited for: LibreOffice
rendering the PDF preview), and the medians. The machine is shared: CPU seconds say what the
demonstration costs, wall seconds what it took on the machine as it was.
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
TARGET = HERE / "out" / "demo-ab"


def once(src: str | None) -> tuple[float, float]:
    shutil.rmtree(TARGET, ignore_errors=True)
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if src is not None:
        env["PYTHONPATH"] = src
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "shujian.cli.main", "demo", str(TARGET)],
        stdout=subprocess.DEVNULL,
        check=True,
        env=env,
        cwd=HERE.parent,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", required=True, help="the src directory of the other version")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    seen: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
    for r in range(args.rounds):
        order = ("before", "after") if r % 2 == 0 else ("after", "before")
        for which in order:
            wall, cpu = once(args.before if which == "before" else None)
            seen[which].append((wall, cpu))
            print(f"round {r + 1} {which:<7}{wall:>7.1f} s{cpu:>7.1f} CPU s", flush=True)
    shutil.rmtree(TARGET, ignore_errors=True)
    for which, runs in seen.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"{which:<7} median {wall:.1f} s, {cpu:.1f} CPU s")


if __name__ == "__main__":
    main()
