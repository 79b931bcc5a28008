"""Hostile files through the real import, many more than CI runs (not part of the tests).

Makes files with the strategies of tests/hostile.py (CSV bytes in every encoding and line end,
stray quotes, huge fields; xlsx with mangled parts, cells far out, bombs, liars, broken zips),
imports each into one workspace with `import_file` (what `shujian import` calls) and counts
what came of it. A traceback, a refusal not in Chinese or not naming the file, a refused import
that changed the workspace, or a file taking longer than --max-seconds is a failure: the
script prints them and exits 1.

    uv run python bench/fuzz.py --cases 20000
    uv run python bench/fuzz.py --bomb      # the 1 GB zip bomb with the default bounds
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hostile import Outcome, bomb_xlsx, hostile_files, import_once
from shujian.data.limits import DEFAULT_LIMITS
from shujian.workspace import init_workspace, open_workspace


def fuzz(cases: int, random_seed: int, max_seconds: float, keep: Path | None) -> int:
    with tempfile.TemporaryDirectory(prefix="shujian-fuzz-") as tmp:
        ws = init_workspace(Path(tmp) / "ws")
        folder = Path(tmp) / "files"
        folder.mkdir()
        outcomes: Counter[tuple[str, str]] = Counter()
        failures: list[str] = []
        slowest = Outcome("accepted", "", "", 0.0)
        started = time.perf_counter()

        @settings(
            max_examples=cases,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @seed(random_seed)
        @given(case=hostile_files)
        def run(case: tuple[str, bytes]) -> None:
            nonlocal slowest
            name, data = case
            try:
                outcome = import_once(ws, folder, name, data)
            except AssertionError as error:  # a refusal as it must not be
                outcomes[("failed", "")] += 1
                failures.append(f"{name} ({len(data)} B): {error}"[:400])
                print("  失败：" + failures[-1], flush=True)
                return
            outcomes[(outcome.kind, outcome.code)] += 1
            if outcome.kind == "traceback" or outcome.seconds > max_seconds:
                failures.append(f"{name} ({len(data)} B): {outcome}"[:400])
                print("  失败：" + failures[-1], flush=True)
                if keep is not None:
                    (keep / f"{len(failures)}-{name}").write_bytes(data)
            if outcome.seconds > slowest.seconds:
                slowest = outcome
            done = sum(outcomes.values())
            if done % 1000 == 0:
                bad = sum(n for (k, _), n in outcomes.items() if k in ("traceback", "failed"))
                print(
                    f"  {done} 份，{time.perf_counter() - started:.0f} 秒，异常或不合要求 {bad}，"
                    f"最长 {slowest.seconds:.2f} 秒",
                    flush=True,
                )

        try:
            run()
        except KeyboardInterrupt:
            print("（中途停止：以下是已运行的部分）")
        total = sum(outcomes.values())
        print(f"文件数：{total}（用时 {time.perf_counter() - started:.0f} 秒）")
        print(f"导入：{sum(n for (k, _), n in outcomes.items() if k == 'accepted')}")
        for (kind, code), n in sorted(outcomes.items(), key=lambda kv: -kv[1]):
            if kind == "refused":
                print(f"拒绝 {code}：{n}")
        print(
            f"Python 异常（traceback）：{sum(n for (k, _), n in outcomes.items() if k == 'traceback')}"
        )
        print(f"不合要求的拒绝：{outcomes[('failed', '')]}")
        print(f"单个文件最长用时：{slowest.seconds:.2f} 秒（{slowest.kind} {slowest.code}）")
        print(f"峰值内存（RSS）：{peak_mb()} MB")
        for failure in failures[:20]:
            print("  失败：" + failure)
        return 1 if failures else 0


def bomb() -> int:
    """The red team's 1 GB zip bomb (and one lying about its size), each imported with the
    default bounds in a fresh process, whose time and peak memory are what is measured."""
    ok = True
    with tempfile.TemporaryDirectory(prefix="shujian-bomb-") as tmp:
        init_workspace(Path(tmp) / "ws").store.dispose()
        for liar in (False, True):
            path = Path(tmp) / ("谎报大小的压缩炸弹.xlsx" if liar else "压缩炸弹.xlsx")
            path.write_bytes(bomb_xlsx(1 << 30, liar=liar, level=9))
            child = subprocess.run(
                [sys.executable, __file__, "--import-one", str(path), "--workspace", tmp],
                capture_output=True,
                text=True,
                check=False,
            )
            print(
                f"{path.name}：文件 {path.stat().st_size / 1e6:.2f} MB，解压后 1 GiB；"
                + child.stdout
            )
            ok = ok and child.returncode == 0
    return 0 if ok else 1


def peak_mb() -> int:
    """This process's peak resident memory (VmHWM; ru_maxrss would carry the parent's peak
    across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def import_one(path: Path, root: Path) -> int:
    """Import one file with the default bounds; print the outcome, its time and peak RSS."""
    ws = open_workspace(root / "ws")
    data = path.read_bytes()
    outcome = import_once(ws, root, "导入-" + path.name, data, DEFAULT_LIMITS)
    print(f"{outcome.kind} {outcome.code}，{outcome.seconds:.2f} 秒，进程峰值内存 {peak_mb()} MB")
    print(f"  提示：{outcome.message}")
    return 0 if outcome.kind == "refused" and outcome.seconds < 5 else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--max-seconds", type=float, default=30.0)
    parser.add_argument("--bomb", action="store_true", help="只运行 1 GB 压缩炸弹")
    parser.add_argument("--keep", type=Path, help="把出了异常的文件存到这个目录")
    parser.add_argument("--import-one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--workspace", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_one:
        sys.exit(import_one(args.import_one, args.workspace))
    sys.exit(bomb() if args.bomb else fuzz(args.cases, args.seed, args.max_seconds, args.keep))


if __name__ == "__main__":
    main()
