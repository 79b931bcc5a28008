"""`shujian audit log | verify`: the administrator's view of the audit log."""

from __future__ import annotations

import json
import sys

import click

from shujian import audit
from shujian.cli.common import parse_date, user, workspace
from shujian.names import escape_controls


@click.group("audit")
def audit_group() -> None:
    """审计日志：谁在何时查看或改动了什么。"""


@audit_group.command("log")
@click.option("--actor", default=None, help="操作人")
@click.option(
    "--object",
    "object_type",
    type=click.Choice(list(audit.OBJECT_LABELS)),
    default=None,
    help="对象类别",
)
@click.option("--id", "object_id", default=None, help="对象编号")
@click.option("--action", default=None, help="操作（如 view、transition、dismiss）")
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="起始日（北京时间）")
@click.option("--until", default=None, metavar="YYYY-MM-DD", help="截止日（北京时间，含当日）")
@click.option("--limit", type=int, default=None, help="只显示最近的若干条")
@click.option("--json", "as_json", is_flag=True, help="每条一行 JSON")
@click.pass_context
def log_cmd(
    ctx: click.Context,
    actor: str | None,
    object_type: str | None,
    object_id: str | None,
    action: str | None,
    since: str | None,
    until: str | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """查询审计日志。"""
    ws = workspace(ctx)
    rows = audit.query(
        ws.store,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        action=action,
        since=parse_date(since) if since else None,
        until=parse_date(until) if until else None,
        limit=limit,
        user=user(ctx),
    )
    for r in rows:
        if as_json:
            click.echo(json.dumps(r, ensure_ascii=False, default=str))
            continue
        detail = escape_controls(json.dumps(r["detail"], ensure_ascii=False))
        if len(detail) > 160:
            detail = detail[:157] + "..."
        # whatever was stored, one entry is one line: control characters are shown escaped
        actor, object_id = escape_controls(str(r["actor"])), escape_controls(str(r["object_id"]))
        click.echo(
            f"{r['chain_label']:<9}{r['seq']:>7}  {r['local_at']}  {actor:<12}{r['action_label']:<8}"
            f"{r['object_label']} {object_id}  {detail}"
        )


@audit_group.command("verify")
@click.pass_context
def verify_cmd(ctx: click.Context) -> None:
    """校验审计日志的各条哈希链（变更、查看）：发现被修改、删除或截断的记录时以非零状态退出。"""
    ws = workspace(ctx)
    result = audit.verify(ws.store, user=user(ctx))
    if result.ok:
        click.echo(f"审计日志完整：共 {result.entries} 条记录，各条哈希链均无断裂。")
        for chain in result.chains:
            click.echo(
                f"{chain.label}：{chain.entries} 条，最后一条为第 {chain.head_seq} 条，"
                f"哈希 {chain.head_hash}"
            )
        click.echo("请另行留存以上哈希值，以便日后比对。")
        return
    click.echo(f"审计日志校验未通过（共 {result.entries} 条记录）：", err=True)
    for p in result.problems:
        click.echo(f"- {p}", err=True)
    sys.exit(1)


def register(group: click.Group) -> None:
    group.add_command(audit_group)
