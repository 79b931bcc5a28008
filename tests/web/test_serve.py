"""`shujian serve`: refuses in Chinese what would leave nobody able to use the pages, and serves
the workspace until Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from shujian.cli.main import cli
from shujian.web import assets
from shujian.workspace import Workspace, init_workspace


def test_serve_refuses_without_the_front_end_files(
    web_ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assets, "VENDOR", tmp_path / "empty")
    result = CliRunner().invoke(cli, ["-w", str(web_ws.root), "serve"])
    assert result.exit_code == 2, result.output
    assert "前端文件缺失" in result.output and "make setup" in result.output
    assert "htmx.min.js" in result.output


def test_serve_refuses_a_workspace_nobody_can_sign_in_to(tmp_path: Path) -> None:
    root = init_workspace(tmp_path / "ws").root
    result = CliRunner().invoke(cli, ["-w", str(root), "serve"])
    assert result.exit_code == 2 and "还没有账号" in result.output
    assert "users add" in result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_serves_until_interrupted(web_ws: Workspace) -> None:
    port = _free_port()
    env = {**os.environ, "SHUJIAN_WORKSPACE": str(web_ws.root)}
    process = subprocess.Popen(
        [sys.executable, "-m", "shujian.cli.main", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60  # a loaded CI machine starts Python slowly
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as r:
                    page = r.read().decode()
                    headers = r.headers
                break
            except OSError:
                assert process.poll() is None, process.stdout.read()  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "shujian serve did not answer"
                time.sleep(0.2)
        assert "登录" in page and "青岚县人民检察院" in page
        assert "server" not in {k.lower() for k in headers}
        process.send_signal(signal.SIGINT)  # Ctrl-C
        out, _ = process.communicate(timeout=20)
        assert process.returncode == 0, out
        assert f"http://127.0.0.1:{port}/" in out and "已停止" in out
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
