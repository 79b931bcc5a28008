"""`shujian users add | list | passwd | disable`: the workspace's accounts (系统管理员).

`deactivate` is the former name of `disable` and stays as its alias for scripts that use it.
"""

from __future__ import annotations

import sys

import click

from shujian.cli.common import departments, user, workspace
from shujian.errors import UserError
from shujian.users import accounts, passwords
from shujian.users.user import roles

PASSWORD_STDIN_HELP = "从标准输入读取密码（一行），供脚本使用；不写则在终端输入两次"


def read_password(name: str, from_stdin: bool) -> str:
    """The new password, from one line of standard input or typed twice at the terminal; checked
    against the policy before anything is written."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        try:
            password = click.prompt(
                f"“{name}”的新密码",
                hide_input=True,
                confirmation_prompt="再输入一次",
                prompt_suffix="：",
            )
        except click.Abort as exc:
            raise UserError("没有输入密码，未作任何更改。", code="no_password") from exc
    if not password:
        raise UserError("没有输入密码，未作任何更改。", code="no_password")
    passwords.check_policy(name, password)
    return password


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
@click.option(
    "--unit",
    default=None,
    help="包保单位（仅 helper 即包保单位工作人员的账号填写，如：县妇联；该账号只能看到本单位包保的未成年人）",
)
@click.option("--password-stdin", "password_stdin", is_flag=True, help=PASSWORD_STDIN_HELP)
@click.pass_context
def add_cmd(
    ctx: click.Context,
    name: str,
    department: str | None,
    role_names: tuple[str, ...],
    unit: str | None,
    password_stdin: bool,
) -> None:
    """开通账号（第一个账号必须是系统管理员；之后由系统管理员开通）。

    在终端运行时随即输入两次登录密码；脚本中用 --password-stdin，或之后用 users passwd 设置。
    包保单位工作人员：--role helper --unit 单位名称，不填部门。
    """
    ws = workspace(ctx)
    actor = user(ctx)
    name = name.strip()
    asks = password_stdin or sys.stdin.isatty()
    password = read_password(name, password_stdin) if asks else None
    added = accounts.add_user(
        ws.store, actor, name, department, role_names, departments(ws), unit=unit
    )
    where = added.department or (f"包保单位：{added.unit}" if added.unit else "不属于部门")
    click.echo(f"已开通账号：{added.name}（{where}，{added.role_labels}）。")
    if password is None:
        click.echo(f"尚未设置密码：用 shujian users passwd {added.name} 设置后才能登录网页端。")
        return
    passwords.set_password(ws.store, actor, name, password)
    click.echo("已设置登录密码。")


@users_group.command("passwd")
@click.argument("name")
@click.option("--password-stdin", "password_stdin", is_flag=True, help=PASSWORD_STDIN_HELP)
@click.pass_context
def passwd_cmd(ctx: click.Context, name: str, password_stdin: bool) -> None:
    """设置或重设账号的登录密码（系统管理员或本人；同时解除因登录失败造成的锁定）。"""
    ws = workspace(ctx)
    actor = user(ctx)
    name = name.strip()
    password = read_password(name, password_stdin)
    passwords.set_password(ws.store, actor, name, password)
    click.echo(f"已设置“{name}”的登录密码；该账号已登录的网页会话随即失效。")


@users_group.command("list")
@click.pass_context
def list_cmd(ctx: click.Context) -> None:
    """全部账号。"""
    ws = workspace(ctx)
    rows = accounts.list_users(ws.store, user(ctx))
    if not rows:
        click.echo("本工作区还没有账号（单人工作区：任何姓名都以检察官身份操作）。")
        return
    click.echo(f"{'姓名':<12}{'部门（包保单位）':<14}{'角色':<20}状态")
    for r in rows:
        state = "有效" if r["active"] else "已停用"
        if r["active"] and not r["has_password"]:
            state += "（未设密码，不能登录网页端）"
        where = r["department"] or (f"（{r['unit']}）" if r.get("unit") else "—")
        click.echo(f"{r['name']:<12}{where:<14}{r['role_labels']:<20}{state}")


@users_group.command("disable")
@click.argument("name")
@click.pass_context
def disable_cmd(ctx: click.Context, name: str) -> None:
    """停用账号（记入审计日志；账号不删除，历史记录中的姓名不变；已登录的网页会话随即失效）。"""
    ws = workspace(ctx)
    accounts.deactivate_user(ws.store, user(ctx), name)
    click.echo(f"已停用账号：{name.strip()}。")


users_group.add_command(
    click.Command(
        "deactivate",
        callback=disable_cmd.callback,
        params=disable_cmd.params,
        help="停用账号（同 users disable）。",
    )
)


def register(group: click.Group) -> None:
    group.add_command(users_group)
