"""How fast the command line answers (issue 14, target 4): whole-process times, alternated.

    uv run python bench/startup.py               # builds a demo workspace in bench/out/ once
    uv run python bench/startup.py --runs 20
    uv run python bench/startup.py --workspace W # `leads list` on another workspace as well
        # (e.g. a copy of bench/out/ws-city-imported after its models ran: 48,000 leads and
        # the 221,530 records its offence file sealed)

Each round runs, one after the other, a bare interpreter (`python -c pass`: the floor no
command can beat), `shujian --help` and `shujian leads list` on the demonstration workspace,
then the same from `import` of every command module (what every command cost before the
commands were loaded lazily). It prints the median of each, and each as a ratio to the floor
measured in the same rounds. The target: --help and leads list under 0.5 s whole-process.

Bytecode must be compiled as `make setup` does (`uv sync --compile-bytecode`, `compileall src`);
the first run after an edit pays for compiling the changed modules.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEMO = HERE / "out" / "startup-demo"
SHUJIAN = [sys.executable, "-m", "shujian.cli.main"]
EVERY_MODULE = (
    "from shujian.cli.commands import COMMANDS; import importlib;"
    "[importlib.import_module('shujian.cli.' + c.module) for c in COMMANDS]"
)


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--workspace", type=Path, help="also `leads list` on this workspace")
    args = parser.parse_args()
    workspace = DEMO / "workspace"
    if not (workspace / "shujian.toml").is_file():
        subprocess.run([*SHUJIAN, "demo", str(DEMO)], check=True, stdout=subprocess.DEVNULL)
    os.environ["SHUJIAN_USER"] = "演示检察官"
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "shujian --help": [*SHUJIAN, "--help"],
        "shujian leads list": [*SHUJIAN, "-w", str(workspace), "leads", "list"],
        "import every command module": [sys.executable, "-c", EVERY_MODULE],
    }
    if args.workspace is not None:
        cases[f"shujian leads list ({args.workspace.name})"] = [
            *SHUJIAN, "-w", str(args.workspace), "leads", "list",
        ]  # fmt: skip
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, argv in cases.items():
            times[name].append(timed(argv))
    floor = statistics.median(times["python -c pass"])
    print(f"{'命令':<32}{'中位数 (s)':>12}{'与空解释器之比':>16}{'目标':>10}")
    for name, values in times.items():
        median = statistics.median(values)
        target = "< 0.5 s" if name.startswith("shujian") else ""
        print(f"{name:<32}{median:>12.3f}{median / floor:>16.1f}{target:>10}")


if __name__ == "__main__":
    main()
