"""The `shujian` command: a thin layer that parses arguments, calls the services, prints."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from shujian.cli.hints import hint
from shujian.errors import UserError


class ShujianGroup(click.Group):
    """Shows a UserError as its Chinese message with exit code 2, never as a traceback."""

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except UserError as error:
            click.echo(f"错误：{error.message}", err=True)
            if extra := hint(error.code):
                click.echo(f"提示：{extra}", err=True)
            sys.exit(error.exit_code)


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


def _register() -> None:
    from shujian.cli import audit, cases, data, db, demo, leads, models, run, stats, users

    for module in (data, models, run, leads, cases, stats, users, audit, db, demo):
        module.register(cli)


_register()


def main() -> None:
    cli(prog_name="shujian")


if __name__ == "__main__":  # pragma: no cover
    main()
