"""The command line answers at once: a command imports its own module only, and a quick command
(the top-level help, `leads list`) none of the heavy libraries the other commands need.

Time itself is measured by bench/startup.py (whole-process, against `python -c pass`); these
tests keep what makes it fast — which modules load — from regressing unnoticed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from shujian.cli.commands import COMMANDS
from shujian.cli.main import load_all
from shujian.workspace import init_workspace

HEAVY = ("polars", "numpy", "duckdb", "sqlglot", "docx", "xlsxwriter", "openpyxl", "fastapi")
"""Libraries a quick command must not load (each costs 50–150 ms to import)."""


def loaded_after(*args: str, cwd: Path) -> dict[str, object]:
    """Run the real command in a fresh interpreter; report its exit and the heavy modules loaded."""
    probe = (
        "import sys, json\n"
        "from shujian.cli.main import cli\n"
        "try:\n"
        f"    cli({list(args)!r}, prog_name='shujian')\n"
        "except SystemExit as e:\n"
        "    code = e.code\n"
        f"heavy = sorted(m for m in {HEAVY!r} if m in sys.modules)\n"
        "print(json.dumps({'exit': code, 'heavy': heavy}), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=cwd, check=False
    )
    return json.loads(done.stderr.strip().splitlines()[-1])


def test_the_top_level_help_loads_no_command(tmp_path: Path) -> None:
    probe = (
        "import sys, json\n"
        "from shujian.cli.main import cli\n"
        "try:\n"
        "    cli(['--help'], prog_name='shujian')\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('shujian.cli.'))\n"
        "print(json.dumps(loaded), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    assert "审计日志" in done.stdout and "users" in done.stdout
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert loaded == [
        "shujian.cli.bounds",
        "shujian.cli.chinese",
        "shujian.cli.commands",
        "shujian.cli.hints",
        "shujian.cli.main",
    ]


def test_listing_leads_loads_none_of_the_heavy_libraries(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws").root
    result = loaded_after("-w", str(ws), "-u", "张检察官", "leads", "list", cwd=tmp_path)
    assert result == {"exit": 0, "heavy": []}


@pytest.mark.parametrize("declared", COMMANDS, ids=lambda c: c.name)
def test_each_declared_line_is_its_commands_own_help(declared) -> None:
    group = load_all()
    command = group.commands[declared.name]
    assert isinstance(command, click.Command)
    assert command.get_short_help_str(limit=200) == declared.summary


def test_every_registered_command_is_declared() -> None:
    assert sorted(load_all().commands) == sorted(c.name for c in COMMANDS)
