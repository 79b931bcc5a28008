"""Every command with every hostile value of every parameter (not part of the tests: the tests
walk a deterministic sample of the same cases, `tests/cli/test_hostile_args.py`).

    uv run python bench/hostile_args.py                    # builds a demonstration workspace
    uv run python bench/hostile_args.py --workspace DIR    # on a copy of one already built

The cases come from the real click tree (`tests/hostile_args.py`); each runs in-process against
a copy of the demonstration workspace. Printed: commands, cases, answers by exit code, and every
failure (a traceback, exit 70, an internal-error log, an English or a wordless refusal).
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hostile_args import cases, failure, invoke, leaves
from shujian.demo.showcase import build_demo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workspace", type=Path, help="a demonstration workspace to copy")
    parser.add_argument("--match", default="", help="only cases whose id contains this")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="hostile-"))
    os.chdir(scratch)
    os.environ.pop("SHUJIAN_WORKSPACE", None)
    started = time.perf_counter()
    if args.workspace:
        workspace = scratch / "workspace"
        shutil.copytree(args.workspace, workspace)
    else:
        workspace = build_demo(scratch / "demo", 2026).workspace.root
    print(f"工作区：{workspace}（{time.perf_counter() - started:.1f} 秒）")
    values = scratch / "values"
    walked = [c for c in cases(values) if args.match in c.id]
    exits: collections.Counter[int] = collections.Counter()
    failures = []
    started = time.perf_counter()
    for case in walked:
        logs = len(list((workspace / "logs").glob("*.log")))
        result = invoke(workspace, values, case)
        exits[result.exit_code] += 1
        why = failure(result, workspace, logs)
        if why:
            failures.append((case, why, result.output.strip().splitlines()[-1:]))
    elapsed = time.perf_counter() - started
    print(f"命令 {len(list(leaves()))} 个，情形 {len(walked)} 个，用时 {elapsed:.1f} 秒")
    print("退出码：" + "，".join(f"{code}：{n}" for code, n in sorted(exits.items())))
    print(f"不合格 {len(failures)} 个")
    for case, why, last in failures:
        print(f"  {case.id}  {' '.join(case.args)}\n      {why}  {' '.join(last)[:200]}")
    shutil.rmtree(scratch, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
