"""The demonstration's folder: made anew each time, and never over anything else."""

from __future__ import annotations

import shutil
from pathlib import Path

from shujian.errors import UserError

MARKER = ".shujian-demo"

FILES = "agency-files"
"""The agencies' files, under the demonstration's folder."""


def prepare_directory(directory: Path) -> None:
    """A previous demonstration is rebuilt; any other non-empty directory is left alone."""
    if directory.exists() and any(directory.iterdir()):
        if not (directory / MARKER).exists():
            raise UserError(
                f"目录 {directory} 已存在且不是演示工作区，为免覆盖数据，请换一个目录。"
            )
        shutil.rmtree(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MARKER).write_text("shujian demo workspace\n", encoding="utf-8")
