"""A reader that stops early (`shujian leads list | head -1`) is not an internal error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers import AS_OF, LIBRARY, load_fixture_data
from shujian.models.runner import run_models


def test_a_closed_pipe_ends_the_command_quietly(workspace, tmp_path: Path) -> None:
    for model in ("campus.internet_cafe", "tattoo.scope", "kindergarten.name"):
        folder = tmp_path / model
        folder.mkdir()
        load_fixture_data(workspace, folder, model_id=model)
    run_models(
        workspace, LIBRARY, ["campus.internet_cafe", "tattoo.scope", "kindergarten.name"], AS_OF
    )
    command = [sys.executable, "-m", "shujian.cli.main", "-w", str(workspace.root)]
    proc = subprocess.Popen(
        [*command, "leads", "list", "--status", "all"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader goes away before the command has written anything
    err = proc.stderr.read().decode("utf-8")
    proc.wait(timeout=60)
    assert "内部错误" not in err and "Traceback" not in err
    assert not (workspace.root / "logs").exists()
