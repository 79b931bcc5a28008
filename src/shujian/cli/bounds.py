"""Every integer typed on the command line within `limits.LARGEST_INTEGER`, and every file to
be written in a folder that exists.

Click's INT takes any Python int, and an id of twenty digits then reaches SQLite as an
OverflowError (or DuckDB as a conversion error for a page that far); click's Path takes
`缺的目录/线索.xlsx`, and the writer then fails deep inside xlsxwriter. Replacing the two types
once, over the whole command tree when the commands are registered, covers every integer and
every file parameter, those of a command added later too, with click's own refusal in Chinese.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from shujian.limits import LARGEST_INTEGER


class Integer(click.types.IntParamType):
    """click.INT, refusing a value no id, page or count of the platform can reach."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if isinstance(number, int) and abs(number) > LARGEST_INTEGER:
            self.fail(f"“{value}”太大，应为绝对值不超过 {LARGEST_INTEGER} 的整数。", param, ctx)
        return number


INTEGER = Integer()


class FileInFolder(click.Path):
    """click.Path for a file that need not exist yet (one to write, or one checked later):
    its folder must exist."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        path = super().convert(value, param, ctx)
        if not (self.allow_dash and value == "-"):
            folder = Path(os.fsdecode(path)).parent
            if not folder.is_dir():
                self.fail(f"“{value}”所在的目录“{folder}”不存在，请先建好该目录。", param, ctx)
        return path


def _in_folder(kind: click.Path) -> FileInFolder:
    return FileInFolder(
        exists=kind.exists,
        file_okay=kind.file_okay,
        dir_okay=kind.dir_okay,
        writable=kind.writable,
        readable=kind.readable,
        resolve_path=kind.resolve_path,
        allow_dash=kind.allow_dash,
        path_type=kind.type,
        executable=kind.executable,
    )


def bound(command: click.Command) -> None:
    """Give the bounded types to the parameters of `command` and its subcommands."""
    for param in command.params:
        kind = param.type
        if type(kind) is click.types.IntParamType:
            param.type = INTEGER
        elif type(kind) is click.Path and not kind.exists and not kind.dir_okay:
            param.type = _in_folder(kind)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            bound(sub)
