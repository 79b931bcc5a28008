"""`shujian db version | upgrade`: the administrator's view of the case store's schema."""

from __future__ import annotations

import click

from shujian import migrations
from shujian.cli.common import workspace
from shujian.store import connect_store

_STATES = {
    "current": "已是最新版本",
    "behind": "需要升级",
    "legacy": "由未编号的早期版本创建，需要升级",
    "empty": "尚未建表",
    "unknown": "版本未知（可能由更新的版本创建）",
}


@click.group("db")
def db_group() -> None:
    """案件库的结构版本与升级（管理员）。"""


@db_group.command("version")
@click.pass_context
def version_cmd(ctx: click.Context) -> None:
    """显示案件库的结构版本和本程序的版本。"""
    ws = workspace(ctx)
    engine = connect_store(ws.store_url)
    with engine.connect() as conn:
        found = migrations.version(conn)
    click.echo(f"案件库：{engine.url.render_as_string(hide_password=True)}")
    click.echo(f"案件库版本：{found.revision or '无'}（{_STATES[found.state]}）")
    click.echo(f"本程序版本：{migrations.head()}")


@db_group.command("upgrade")
@click.pass_context
def upgrade_cmd(ctx: click.Context) -> None:
    """把案件库升级到本程序的版本（请先备份案件库）。"""
    ws = workspace(ctx)
    engine = connect_store(ws.store_url)
    done = migrations.upgrade(engine)
    if done.before == done.after:
        click.echo(f"案件库已是最新版本 {done.after}，无需升级。")
        return
    before = "未编号的早期版本" if done.adopted else (done.before or "空库")
    click.echo(f"案件库已从 {before} 升级到版本 {done.after}。")
    for line in done.repairs:
        click.echo(f"  - {line}")


def register(cli: click.Group) -> None:
    cli.add_command(db_group)
