"""`shujian serve`: the workspace as a web application (uvicorn, one process)."""

from __future__ import annotations

import click

from shujian.cli.common import workspace
from shujian.errors import UserError
from shujian.users.accounts import has_accounts
from shujian.workspace import Workspace


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="监听的地址（本机以外访问需改为 0.0.0.0 并由 HTTPS 代理转发）",
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="端口")
@click.pass_context
def serve_cmd(ctx: click.Context, host: str, port: int) -> None:
    """启动网页端：在浏览器中打开显示的地址，用账号和密码登录；按 Ctrl-C 停止。"""
    serve_workspace(workspace(ctx), host, port)


def serve_workspace(ws: Workspace, host: str, port: int) -> None:
    """Serve `ws` until Ctrl-C (also `shujian demo --serve`)."""
    from shujian.web import assets

    missing = assets.missing_vendor_files()
    if missing:
        raise UserError(
            f"网页端所需的前端文件缺失（{'、'.join(missing)}，应在 {assets.VENDOR}）。"
            "请在项目目录中运行 make setup（它从 npm 安装并复制这些文件），然后重新启动。",
            code="vendor_missing",
        )
    with ws.store.connect() as conn:
        if not has_accounts(conn):
            raise UserError(
                "本工作区还没有账号，网页端无人能登录。请先开通系统管理员账号并设置密码："
                f"shujian -w {ws.root} -u 管理员 users add 管理员 --role admin",
                code="no_accounts",
            )
    import uvicorn

    from shujian.web.app import create_app

    app = create_app(ws)
    click.echo(f"数检网页端：http://{host}:{port}/  （工作区 {ws.root}；按 Ctrl-C 停止）")
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
    click.echo("网页端已停止。")


def register(group: click.Group) -> None:
    group.add_command(serve_cmd)
