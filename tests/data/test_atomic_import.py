"""A killed or interrupted import leaves the warehouse exactly as it was."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from shujian.data.warehouse import Warehouse
from shujian.workspace import open_workspace

CLI = [sys.executable, "-c", "from shujian.cli.main import main; main()"]


def id_number(i: int) -> str:
    first17 = f"520203{19700101 + (i % 28):08d}{i % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return (
        first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]
    )


def big_checkins(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["旅馆名称", "旅馆统一社会信用代码", "房间号", "姓名", "公民身份号码", "入住时间"]
        )
        for i in range(rows):
            w.writerow(
                [
                    "青岚宾馆",
                    "91110000600037341L",
                    f"{800 + i % 50}",
                    f"旅客{i}",
                    id_number(i),
                    f"2024-05-{1 + i % 28:02d} 21:{i % 60:02d}",
                ]
            )
    return path


def state(root: Path) -> tuple[list[tuple[int, str]], list[str]]:
    ws = open_workspace(root)
    batches = [(b.id, b.file_sha256) for b in Warehouse(ws.warehouse_dir, ws.store).batches()]
    files = sorted(p.name for p in ws.warehouse_dir.rglob("*.parquet"))
    ws.store.dispose()
    return batches, files


def test_killed_or_interrupted_import_changes_nothing(tmp_path):
    root = tmp_path / "ws"
    env = {**os.environ, "SHUJIAN_WORKSPACE": str(root)}
    subprocess.run([*CLI, "init", str(root)], check=True, env=env, capture_output=True)
    small = big_checkins(tmp_path / "small.csv", 10)
    subprocess.run(
        [*CLI, "import", "hotel_checkins", str(small)], check=True, env=env, capture_output=True
    )
    before = state(root)
    big = big_checkins(tmp_path / "big.csv", 300_000)
    # The signals land at fractions of how long the whole import takes on this machine, timed
    # into a workspace of its own: at fixed delays (0.5, 1.5, 1.0, 3.0 s) a machine that
    # imports the file in 1.2 s had finished before the second signal.
    side = tmp_path / "side"
    subprocess.run([*CLI, "init", str(side)], check=True, env=env, capture_output=True)
    started = time.perf_counter()
    subprocess.run(
        [*CLI, "import", "hotel_checkins", str(big)],
        check=True,
        env={**env, "SHUJIAN_WORKSPACE": str(side)},
        capture_output=True,
    )
    whole = time.perf_counter() - started

    interrupted = 0
    for sig, part in (
        (signal.SIGKILL, 0.3),
        (signal.SIGINT, 0.5),
        (signal.SIGKILL, 0.7),
        (signal.SIGKILL, 0.85),
    ):
        delay = whole * part
        proc = subprocess.Popen(
            [*CLI, "import", "hotel_checkins", str(big)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        time.sleep(delay)
        proc.send_signal(sig)
        proc.wait(timeout=60)
        after = state(root)
        if after[0] == before[0]:
            interrupted += 1
            # Only invisible leftovers may remain, and the next import sweeps them.
            assert set(before[1]) <= set(after[1])
        else:  # the import had finished before the signal: the batch is whole
            assert len(after[0]) == len(before[0]) + 1
            break
    assert interrupted >= 2, "the signals came too late to interrupt any import"

    done = subprocess.run(
        [*CLI, "import", "hotel_checkins", str(small)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0 and "已经导入过" in done.stdout
    batches, files = state(root)
    assert batches[: len(before[0])] == before[0]
    assert len(files) == len(batches)
