"""Spark Connect (`[engine.spark] master = "sc://host:port"`) without a server: the address, a
server that cannot be reached, and what a lost connection tells the user.

No JVM here: the Connect client is pure Python, and the test run's one Spark session
(`spark` in conftest.py) is a local one. Models run through a real Connect server in
bench/spark_connect.py (every catalogue model, DuckDB's leads compared)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import grpc
import pytest
from click.testing import CliRunner
from pyspark.errors.exceptions.connect import SparkConnectGrpcException

from shujian.cli.main import cli
from shujian.engine.connect import (
    DEFAULT_PORT,
    ConnectAddress,
    connect_address,
    unreachable,
    without_secrets,
)
from shujian.engine.spark import connect_failure, connection_lost


def closed_port() -> int:
    """A port of the loopback nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_address_gives_its_host_and_port_the_default_port_when_none_is_written():
    assert connect_address("sc://10.1.2.3:15003") == ConnectAddress("10.1.2.3", 15003)
    assert connect_address("sc://spark-head") == ConnectAddress("spark-head", DEFAULT_PORT)
    assert connect_address("sc://[::1]:15002/;use_ssl=true").endpoint == "[::1]:15002"
    with pytest.raises(ValueError, match="缺少主机名"):
        connect_address("sc://:15002")


def test_a_token_is_never_shown():
    shown = without_secrets("sc://h:15002/;token=s3cret;user_id=zhang;use_ssl=true")
    assert shown == "sc://h:15002/;token=…;user_id=…;use_ssl=true"


def test_a_closed_port_is_told_at_once():
    started = time.perf_counter()
    assert "连接被拒绝" in unreachable(ConnectAddress("127.0.0.1", closed_port()))
    assert time.perf_counter() - started < 5


def test_a_run_against_a_closed_port_says_so_in_chinese(tmp_path: Path):
    root = tmp_path / "ws"
    assert CliRunner().invoke(cli, ["init", str(root)]).exit_code == 0
    port = closed_port()
    config = root / "shujian.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + f'\n[engine.spark]\nmaster = "sc://127.0.0.1:{port}/;token=s3cret"\n',
        encoding="utf-8",
    )
    # a fresh interpreter: this test process may hold the test run's local Spark session,
    # which a run in it would reuse
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", "from shujian.cli.main import main; main()", "-w", str(root), "run", "--all",
         "--as-of", "2026-06-01", "--engine", "spark"],
        capture_output=True, text=True, env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        timeout=120,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert f"无法连接 Spark Connect 服务 127.0.0.1:{port}：连接被拒绝" in output
    assert "start-connect-server.sh" in output
    for leak in ("Traceback", "s3cret", "grpc", "UNAVAILABLE", "RETRIES_EXCEEDED"):
        assert leak not in output
    assert seconds < 60  # pyspark's client alone would retry for ten minutes or more


def test_a_server_gone_stops_the_run_with_a_chinese_message():
    gone = SparkConnectGrpcException(
        message="failed to connect to all addresses", grpc_status_code=grpc.StatusCode.UNAVAILABLE
    )
    assert connection_lost(gone)
    message = connect_failure(gone, "10.1.2.3:15002").message
    assert message.startswith("与 Spark Connect 服务 10.1.2.3:15002 的连接中断")
    assert "没有写入任何线索" in message


def test_a_query_error_is_no_lost_connection_and_a_refused_login_names_the_token():
    failed = SparkConnectGrpcException(
        message="[CAST_INVALID_INPUT] …",
        errorClass="CAST_INVALID_INPUT",
        messageParameters={},
        grpc_status_code=grpc.StatusCode.INTERNAL,
    )
    assert not connection_lost(failed)
    refused = SparkConnectGrpcException(
        message="denied", grpc_status_code=grpc.StatusCode.UNAUTHENTICATED
    )
    assert not connection_lost(refused)
    assert "token" in connect_failure(refused, "h:15002").message
