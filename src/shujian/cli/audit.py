"""`shujian audit log | verify`: the administrator's view of the audit log."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from shujian import audit
from shujian.cli.common import parse_date, user, workspace
from shujian.errors import UserError, os_reason
from shujian.names import escape_controls
from shujian.tamper import anchor
from shujian.tamper import verify as tamper_verify
from shujian.tamper.policy import TRACKED
from shujian.users.access import require


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
@click.option(
    "--anchor",
    "anchor_arg",
    default=None,
    metavar="文件或文本",
    help="另行核对此前留存的锚点（shujian audit anchor 写出的文件，或抄录的锚点文字）",
)
@click.pass_context
def verify_cmd(ctx: click.Context, anchor_arg: str | None) -> None:
    """校验审计日志的各条哈希链（变更、查看），并按审计记录核对线索、案件、办案记录、检察建议书、
    支持起诉意见书、国家司法救助决定书、听证会、信访件等数据与文书文件：发现被修改、删除、插入或
    截断之处时逐一列出并以非零状态退出。"""
    ws = workspace(ctx)
    anchors = anchor.parse(_anchor_text(anchor_arg)) if anchor_arg is not None else None
    checked = tamper_verify.verify(ws.store, ws.root, user=user(ctx), anchors=anchors)
    result, state = checked.result, checked.state
    if result.ok:
        click.echo(f"审计日志完整：共 {result.entries} 条记录，各条哈希链均无断裂。")
        for chain in result.chains:
            click.echo(
                f"{chain.label}：{chain.entries} 条，最后一条为第 {chain.head_seq} 条，"
                f"哈希 {chain.head_hash}"
            )
        # kinds the store holds no row of are left out (a county without 信访 or 听证)
        compared = (
            "、".join(f"{TRACKED[k].label} {n} 条" for k, n in state.compared.items() if n)
            or "尚无数据"
        )
        click.echo(
            f"数据与审计记录一致：{compared}；文书文件 {state.documents} 份。"
            f"（用时 {checked.seconds:.1f} 秒）"
        )
        if checked.anchors:
            click.echo(f"与锚点一致：锚点记下的 {checked.anchors} 条记录均在，哈希相同。")
        for note in result.notes:
            click.echo(f"说明：{note}")
        click.echo(
            "请另行留存以上哈希值（shujian audit anchor 可写出锚点文件），以便日后比对："
            "末尾的记录被删除且头记录被改写时，只有与此前留存的锚点核对才能发现。"
        )
        return
    click.echo(f"审计日志校验未通过（共 {result.entries} 条记录）：", err=True)
    for p in result.problems:
        click.echo(f"- {escape_controls(p)}", err=True)
    for note in result.notes:
        click.echo(f"说明：{note}", err=True)
    sys.exit(1)


def _anchor_text(arg: str) -> str:
    """The anchor's text: the file `arg` names, or `arg` itself when it is the text."""
    path = Path(arg)
    if "哈希" in arg:
        return arg
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"锚点文件 {arg} 不存在。", code="anchor_missing") from None
    except OSError as exc:
        raise UserError(
            f"无法读取锚点文件“{arg}”：{os_reason(exc)}。", code="anchor_unreadable"
        ) from None
    except UnicodeDecodeError:
        raise UserError(
            f"锚点文件“{arg}”不是 UTF-8 文本（应为 shujian audit anchor 写出的文件）。",
            code="anchor_unreadable",
        ) from None


@audit_group.command("anchor")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="把锚点写入此文件（不写则打印）",
)
@click.pass_context
def anchor_cmd(ctx: click.Context, output: Path | None) -> None:
    """打印或写出各条记录链当前的头（记录链、条号、哈希、时间），供打印或抄录在数检之外留存；
    日后以 audit verify --anchor 核对，可发现末尾被删除、头记录被改写的记录链。"""
    ws = workspace(ctx)
    require(user(ctx), "verify_audit")
    with ws.store.connect() as conn:
        heads = anchor.current(conn)
    text = anchor.anchor_text(heads, str(ws.root)) + "核对：shujian audit verify --anchor 本文件\n"
    if output is None:
        click.echo(text, nl=False)
        return
    if output.exists():
        raise UserError(
            f"{output} 已存在：锚点不覆盖已有文件，请换一个文件名。", code="file_exists"
        )
    if not output.parent.is_dir():
        raise UserError(f"目录 {output.parent} 不存在。", code="folder_missing")
    output.write_text(text, encoding="utf-8")
    click.echo(f"锚点已写入 {output}（{len(heads)} 条记录链）。请打印或另存于数检之外。")


def register(group: click.Group) -> None:
    group.add_command(audit_group)
