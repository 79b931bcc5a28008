"""`shujian backup DIR` and `shujian restore BACKUP WORKSPACE`: the administrator's copies."""

from __future__ import annotations

from pathlib import Path

import click

from shujian.backup.archive import Done, backup, restore
from shujian.cli.common import user, user_name, workspace


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n / 1000:.1f} kB"


def _summary(done: Done) -> None:
    click.echo(f"  文件 {done.files} 个，共 {_size(done.size)}，用时 {done.seconds:.1f} 秒")
    click.echo(
        f"  线索 {done.tables.get('leads', 0)} 条，案件 {done.tables.get('cases', 0)} 件，"
        f"导入批次 {done.tables.get('batches', 0)} 个，审计日志 "
        f"{done.tables.get('audit_log', 0) + done.tables.get('audit_views', 0)} 条"
    )
    seq, digest = done.audit_heads.get("1", [0, ""])
    click.echo(f"  审计日志变更记录链头：第 {seq} 条 {digest}")


@click.command("backup")
@click.argument("folder", type=click.Path(path_type=Path))
@click.pass_context
def backup_cmd(ctx: click.Context, folder: Path) -> None:
    """备份工作区（数据仓库、案件库、文书、配置和审计日志链头）到一个新目录；使用中也可备份。"""
    ws = workspace(ctx)
    done = backup(ws, folder, user(ctx))
    click.echo(f"已备份到 {done.folder}")
    _summary(done)
    click.echo("  备份含个人信息和本院密钥：请存放在只有管理员能读的位置。")


@click.command("restore")
@click.argument("folder", type=click.Path(path_type=Path))
@click.argument("target", type=click.Path(path_type=Path))
@click.option(
    "--store-url",
    default=None,
    metavar="地址",
    help="恢复到的案件库（新建的空 PostgreSQL 数据库）；不写则为新工作区内的 SQLite 文件",
)
@click.pass_context
def restore_cmd(ctx: click.Context, folder: Path, target: Path, store_url: str | None) -> None:
    """把备份恢复为一个新的工作区（目标目录须为新目录或空目录），并核对审计日志和各表行数。"""
    done = restore(folder, target, user_name(ctx), store_url)
    click.echo(f"已恢复到 {done.folder}")
    _summary(done)
    for note in done.notes:
        click.echo(f"  注意：{note}（shujian -w {done.folder} db upgrade）")
    if not done.notes:
        click.echo("  审计日志校验通过，各表行数与备份一致。")


def register(cli: click.Group) -> None:
    cli.add_command(backup_cmd)
    cli.add_command(restore_cmd)
