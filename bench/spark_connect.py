"""Every catalogue model on the demonstration county: DuckDB and a Spark Connect server give the
same leads.

    nice -n 10 uv run python bench/spark_connect.py                 # builds the county in /tmp
    nice -n 10 uv run python bench/spark_connect.py --workspace WS --as-of 2026-10-20

Starts a Spark Connect server from the installed pyspark (`spark-submit --class
org.apache.spark.sql.connect.service.SparkConnectServer`, `local[2]`, driver 2g, under
`nice -n 10`) on a free port of the loopback, its log in /tmp; builds the demonstration county
(generated and imported as in tests/engine/test_spark_differential.py, in /tmp) unless
`--workspace` is given; runs every model on DuckDB and through `sc://127.0.0.1:PORT` (the
process's Spark session is the Connect one: `engine.spark.session`), compares the findings
as the differential test does (`comparable`: subjects, titles, evidence and its figures, row
counts, deciding facts), prints each model's seconds on both and 相同/不同, stops the server.
Exits 1 on any difference or failed model.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))

SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, log: Path, timeout: float = 300.0) -> subprocess.Popen[bytes]:
    """A Spark Connect server from the installed pyspark, listening on 127.0.0.1:`port`."""
    import pyspark

    home = Path(pyspark.__file__).parent
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1"}
    command = [
        "nice", "-n", "10", str(home / "bin" / "spark-submit"),
        "--class", SERVER_CLASS,
        "--master", "local[2]",
        "--driver-memory", "2g",
        "--name", "shujian-bench-connect",
        "--conf", f"spark.connect.grpc.binding.port={port}",
        "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
        "--conf", "spark.ui.enabled=false",
    ]  # fmt: skip
    with log.open("wb") as out:
        server = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"Spark Connect 服务未能启动（退出码 {server.returncode}），见 {log}")
        if "Spark Connect server started" in log.read_text(errors="replace"):
            return server
        time.sleep(0.5)
    stop_server(server)
    raise SystemExit(f"Spark Connect 服务 {timeout:.0f} 秒内未启动，见 {log}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """The server's process group (spark-submit execs java: one process), SIGTERM then SIGKILL."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def build_county(root: Path) -> tuple[Any, dt.date]:
    """The demonstration county, generated and imported (tests/engine/test_spark_differential)."""
    from shujian.demo.generate import DEFAULT_SEED, generate_county
    from shujian.demo.showcase import import_county
    from shujian.workspace import Region, init_workspace

    manifest = generate_county(root / "files", DEFAULT_SEED)
    ws = init_workspace(
        root / "ws", region=Region(province="贵州省", city="六盘水市", county=manifest.county)
    )
    import_county(ws, root / "files", manifest)
    return ws, manifest.as_of


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, help="a workspace with imported data")
    parser.add_argument("--as-of", help="YYYY-MM-DD (with --workspace)")
    parser.add_argument("--port", type=int, default=0, help="the server's port (default: free)")
    args = parser.parse_args()

    from engine.test_spark_differential import comparable  # the differential test's comparison
    from shujian.engine.spark import SparkSettings, session
    from shujian.models.runner import evaluate
    from shujian.models.spec import load_library
    from shujian.workspace import open_workspace

    port = args.port or free_port()
    log = Path(f"/tmp/shujian-connect-{port}.log")
    started = time.perf_counter()
    server = start_server(port, log)
    spark: Any = None
    print(
        f"Spark Connect 服务：127.0.0.1:{port}，启动 {time.perf_counter() - started:.1f} s，日志 {log}"
    )
    try:
        if args.workspace:
            if not args.as_of:
                parser.error("--workspace 须同时给出 --as-of")
            ws, as_of = open_workspace(args.workspace), dt.date.fromisoformat(args.as_of)
        else:
            root = Path(tempfile.mkdtemp(prefix="shujian-connect-county-", dir="/tmp"))
            t = time.perf_counter()
            ws, as_of = build_county(root)
            print(f"演示县：{root}（生成并导入 {time.perf_counter() - t:.1f} s），基准日 {as_of}")
        library = load_library()
        specs = [library[m] for m in sorted(library)]
        datasets = ws.datasets()

        t = time.perf_counter()
        on_duckdb = evaluate(ws, datasets, specs, as_of, "duckdb")
        duckdb_seconds = time.perf_counter() - t
        t = time.perf_counter()
        spark = session(SparkSettings(master=f"sc://127.0.0.1:{port}", shuffle_partitions=4))
        connect_start = time.perf_counter() - t
        t = time.perf_counter()
        on_connect = evaluate(ws, datasets, specs, as_of, "spark")
        connect_seconds = time.perf_counter() - t

        print(f"\n{'模型':<34}{'DuckDB s':>10}{'Connect s':>11}{'线索':>6}{'证据行':>8}  结果")
        different = []
        for a, b in zip(on_duckdb, on_connect, strict=True):
            ran = a.ran and b.ran
            same = ran and comparable(a.findings) == comparable(b.findings) and a.rows == b.rows
            if not same:
                different.append(a.model.id)
            verdict = "相同" if same else ("不同" if ran else "运行出错")
            print(
                f"{a.model.id:<36}{a.seconds:>8.2f}{b.seconds:>11.2f}"
                f"{len(a.findings):>7}{a.rows:>10}  {verdict}"
            )
        print(
            f"\n合计 {len(specs)} 个模型：DuckDB {duckdb_seconds:.1f} s；Spark Connect 会话建立 "
            f"{connect_start:.1f} s，查询 {connect_seconds:.1f} s；"
            f"线索 {sum(len(o.findings) for o in on_duckdb)} / "
            f"{sum(len(o.findings) for o in on_connect)} 条"
        )
        print("全部相同" if not different else f"不同：{'、'.join(different)}")
        return 1 if different else 0
    finally:
        if spark is not None:
            spark.stop()  # releases its session on the server, which is stopped next
        stop_server(server)
        print("Spark Connect 服务已停止")


if __name__ == "__main__":
    sys.exit(main())
