"""The `shujian` command: a thin layer that parses arguments, calls the services, prints."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any, NoReturn

import click

from shujian.cli import bounds, chinese
from shujian.cli.commands import BY_NAME
from shujian.cli.hints import hint
from shujian.errors import UserError

chinese.install()

INTERNAL_ERROR_EXIT = 70
"""Exit code of a failure the program did not foresee (EX_SOFTWARE of sysexits.h): a script
driving the command line can tell it from a refusal (2) and report it rather than retry."""

DEBUG_ENV = "SHUJIAN_DEBUG"
"""Set to 1 by a developer who wants the traceback on the terminal instead of in the log."""


class ShujianGroup(click.Group):
    """Whatever goes wrong, the user reads Chinese and never a traceback.

    A UserError is shown as its message (exit code 2) with the command that resolves it; a
    usage error of click as one Chinese sentence in click's own frame; anything else as
    "内部错误" with the traceback written to a log file for the administrator (exit code 70).
    """

    context_class = chinese.ChineseContext

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as error:
            raise chinese.chinese(error) from None

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except UserError as error:
            refuse(error)
        except click.UsageError as error:
            raise chinese.chinese(error) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            reader_went_away()
        except Exception as error:
            # loaded already when it raised this; not on every command's start-up
            from shujian.calendar import CalendarYearUnknownError

            if isinstance(error, CalendarYearUnknownError):  # Chinese, and actionable by the user
                refuse(UserError(str(error), code="calendar_year_unknown"))
            if os.environ.get(DEBUG_ENV):
                raise
            internal_error(error, _workspace_root(ctx))

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(BY_NAME)

    def get_command(self, ctx: click.Context | None, cmd_name: str) -> click.Command | None:
        """The command, its module imported only now (cli/commands.py declares them)."""
        if cmd_name not in self.commands and cmd_name in BY_NAME:
            load(self, BY_NAME[cmd_name].module)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The top-level help lists every command from its declared line, importing none."""
        rows = [(name, BY_NAME[name].summary) for name in self.list_commands(ctx)]
        with formatter.section("命令"):
            formatter.write_dl(rows)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Catches what fails before a command runs (while the options are read)."""
        try:
            return super().main(*args, **kwargs)
        except Exception as error:
            if not kwargs.get("standalone_mode", True) or os.environ.get(DEBUG_ENV):
                raise
            internal_error(error, None)


def refuse(error: UserError) -> NoReturn:
    """The refusal as the user reads it: its message, the command that resolves it, exit 2."""
    click.echo(f"错误：{error.message}", err=True)
    if extra := hint(error.code):
        click.echo(f"提示：{extra}", err=True)
    sys.exit(error.exit_code)


def _workspace_root(ctx: click.Context) -> Path | None:
    obj = ctx.find_root().obj
    named = obj.get("workspace") if isinstance(obj, dict) else None
    root = Path(named or os.environ.get("SHUJIAN_WORKSPACE") or ".")
    return root if (root / "shujian.toml").is_file() else None


def reader_went_away() -> NoReturn:
    """The program reading the output stopped (`shujian cases show 1 | head`): not an error of
    ours. Stop quietly, as a shell tool does, without a second failure when Python flushes."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(141)  # 128 + SIGPIPE, what a shell reports for a command killed by a broken pipe


def internal_error(error: BaseException, workspace: Path | None) -> NoReturn:
    """Write the traceback to a log file and tell the user where it is, in one line."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    text = f"shujian {' '.join(sys.argv[1:])}\n{stamp}\n\n" + "".join(
        traceback.format_exception(error)
    )
    log = None
    for folder in ([workspace / "logs"] if workspace else []) + [Path(tempfile.gettempdir())]:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            log = folder / f"shujian-error-{stamp}-{os.getpid()}.log"
            log.write_text(text, encoding="utf-8")
            break
        except OSError:
            log = None
    where = f"详情已写入日志 {log}" if log else "详情未能写入日志"
    click.echo(
        f"内部错误：程序遇到了未预料的情况（{type(error).__name__}），{where}。"
        "请把该日志文件交给系统管理员。",
        err=True,
    )
    sys.exit(INTERNAL_ERROR_EXIT)


@click.group(cls=ShujianGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-w",
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    envvar="SHUJIAN_WORKSPACE",
    help="工作区目录（默认：环境变量 SHUJIAN_WORKSPACE，否则当前目录）",
)
@click.option(
    "-u",
    "--user",
    default=None,
    envvar="SHUJIAN_USER",
    help="操作人（记入审计日志；已建账号的工作区须为有效账号；默认：环境变量 SHUJIAN_USER，否则登录名）",
)
@click.pass_context
def cli(ctx: click.Context, workspace: Path | None, user: str | None) -> None:
    """数检 shujian：数字检察法律监督平台。"""
    ctx.obj = {"workspace": workspace, "user": user}


def load(group: click.Group, module: str) -> None:
    """Import one command module and register its commands under `group`: in Chinese, and with
    the bounded integer and output-file types (`bounds`)."""
    before = set(group.commands)
    importlib.import_module(f"shujian.cli.{module}").register(group)
    for name in set(group.commands) - before:
        bounds.bound(group.commands[name])
        chinese.localise(group.commands[name])


def load_all() -> click.Group:
    """Every command registered (for a test or a tool that walks the whole tree)."""
    for name in BY_NAME:
        cli.get_command(None, name)
    return cli


bounds.bound(cli)
chinese.localise(cli)


def main() -> None:
    cli(prog_name="shujian")


if __name__ == "__main__":  # pragma: no cover
    main()
