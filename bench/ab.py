"""Two versions of the code, alternated on the same workload: model runs against their scan floor.

    git archive <commit> src | tar -x -C /tmp/before     # the version to compare with
    uv run python bench/ab.py --before /tmp/before/src --rounds 3
    uv run python bench/ab.py --before /tmp/before/src --models campus.entertainment wage.deposit_missing
    uv run python bench/ab.py --before /tmp/before/src --again   # the next day's run of each model

Each round runs, for every model, the version before and this one (in that order, then the other
way round on the next round), each in its own process on a fresh copy of the imported city
workspace (`bench/run.py` makes it), then the model's scan floor (`bench/run.py`'s FLOOR). It
prints per model the median whole run of each version, each as a ratio to the median floor, and
after ÷ before. The machine is shared, so only ratios measured in the same rounds mean much.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run as bench  # noqa: E402


def timed_run(model: str, before: str | None, ws: Path, again: bool = False) -> tuple[float, float]:
    """One whole run of `model` on a fresh copy of the imported workspace, by the code at
    `before` (a `src` directory) or by this checkout (None); with `again`, the second run on
    that copy (the next day's: every lead found again), the first untimed."""
    saved = os.environ.get("PYTHONPATH")
    try:
        if before is not None:
            os.environ["PYTHONPATH"] = before
        else:
            os.environ.pop("PYTHONPATH", None)
        bench.fresh_copy(bench.IMPORTED, ws)
        run = bench.RUN.format(ws=str(ws), model=model, as_of=bench.AS_OF)
        if again:
            bench.child(run)
        res, _, _ = bench.child(run)
    finally:
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved
    return float(res["run_seconds"]), float(res["cpu_seconds"])


def floor_seconds(model: str, before: str) -> tuple[float, float]:
    """The model's scan floor on the imported workspace itself (read only), measured by the
    code at `before`, whose schema that store has (the floor is DuckDB reading Parquet files:
    the same in both versions)."""
    wanted = bench.read_columns(model, bench.IMPORTED)
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = before
    try:
        floor, _, _ = bench.child(bench.FLOOR.format(ws=str(bench.IMPORTED), wanted=wanted))
    finally:
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved
    return float(floor["seconds"]), float(floor["cpu_seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", required=True, help="the src directory of the other version")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--models", nargs="*", help="only these models (default: all)")
    parser.add_argument(
        "--again", action="store_true", help="time each model's second run (every lead found again)"
    )
    args = parser.parse_args()
    if not (bench.IMPORTED / "shujian.toml").is_file():
        sys.exit("no imported city workspace yet: run bench/run.py once")
    from shujian.models.spec import load_library

    models = args.models or list(load_library())
    ws = bench.OUT / "ws-ab"
    print(
        f"{'model':<34}{'floor s':>8}{'before s':>9}{'after s':>8}{'before÷floor':>13}"
        f"{'after÷floor':>12}{'after÷before':>13}   CPU s: floor, before, after, after÷floor",
        flush=True,
    )
    for model in models:
        times: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
        floors = []
        for r in range(args.rounds):
            order = ("before", "after") if r % 2 == 0 else ("after", "before")
            for which in order:
                code = args.before if which == "before" else None
                times[which].append(timed_run(model, code, ws, args.again))
            floors.append(floor_seconds(model, args.before))
        f, fc = (statistics.median(x) for x in zip(*floors, strict=True))
        b, bc = (statistics.median(x) for x in zip(*times["before"], strict=True))
        a, ac = (statistics.median(x) for x in zip(*times["after"], strict=True))
        ratios = f"{b / f:>13.1f}{a / f:>12.1f}" if f > 0 else f"{'—':>13}{'—':>12}"
        cpu = f"{fc:>9.2f}{bc:>8.2f}{ac:>7.2f}" + (f"{ac / fc:>8.1f}" if fc > 0 else f"{'—':>8}")
        print(f"{model:<34}{f:>8.2f}{b:>9.2f}{a:>8.2f}{ratios}{a / b:>13.2f}   {cpu}", flush=True)


if __name__ == "__main__":
    main()
