"""`shujian users add | list | deactivate`: the workspace's accounts (系统管理员)."""

from __future__ import annotations

import click

from shujian.cli.common import departments, user, workspace
from shujian.users import accounts
from shujian.users.user import roles


@click.group("users")
def users_group() -> None:
    """账号：开通、列出、停用。没有账号的工作区是单人工作区，任何姓名都以检察官身份操作。"""


@users_group.command("add")
@click.argument("name")
@click.option(
    "--department", default=None, help="所属部门（本院的部门之一；检察长、系统管理员可不写）"
)
@click.option(
    "--role",
    "role_names",
    multiple=True,
    required=True,
    help="角色，可写多次：" + "、".join(f"{rid}（{label}）" for rid, label in roles().items()),
)
@click.pass_context
def add_cmd(
    ctx: click.Context, name: str, department: str | None, role_names: tuple[str, ...]
) -> None:
    """开通账号（第一个账号必须是系统管理员；之后由系统管理员开通）。"""
    ws = workspace(ctx)
    added = accounts.add_user(ws.store, user(ctx), name, department, role_names, departments(ws))
    click.echo(
        f"已开通账号：{added.name}（{added.department or '不属于部门'}，{added.role_labels}）。"
    )


@users_group.command("list")
@click.pass_context
def list_cmd(ctx: click.Context) -> None:
    """全部账号。"""
    ws = workspace(ctx)
    rows = accounts.list_users(ws.store, user(ctx))
    if not rows:
        click.echo("本工作区还没有账号（单人工作区：任何姓名都以检察官身份操作）。")
        return
    click.echo(f"{'姓名':<12}{'部门':<14}{'角色':<20}状态")
    for r in rows:
        state = "有效" if r["active"] else "已停用"
        click.echo(f"{r['name']:<12}{r['department'] or '—':<14}{r['role_labels']:<20}{state}")


@users_group.command("deactivate")
@click.argument("name")
@click.pass_context
def deactivate_cmd(ctx: click.Context, name: str) -> None:
    """停用账号（记入审计日志；账号不删除，历史记录中的姓名不变）。"""
    ws = workspace(ctx)
    accounts.deactivate_user(ws.store, user(ctx), name)
    click.echo(f"已停用账号：{name.strip()}。")


def register(group: click.Group) -> None:
    group.add_command(users_group)
