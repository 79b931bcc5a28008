"""`shujian leads list | show | dispatch | accept | dismiss | reasons | export`: the lead queue
and its triage (研判). `leads assign` is the old name of `dispatch`, kept hidden for scripts."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from shujian.beijing import shown
from shujian.cli.common import (
    departments,
    home_departments,
    library,
    page_footer,
    page_window,
    paging_options,
    parse_date,
    parse_ids,
    user,
    workspace,
)
from shujian.errors import UserError
from shujian.leads import triage
from shujian.leads.queue import queue, review_models
from shujian.models.labels import Masking
from shujian.workspace import Workspace


@click.group("leads")
def leads_group() -> None:
    """线索：队列、分派、研判（成案 / 不成案）和导出。"""


@leads_group.command("list")
@click.option(
    "--status",
    type=click.Choice(["new", "accepted", "dismissed", "all"]),
    default="new",
    help="状态：new 待研判（默认）、accepted 成案、dismissed 不成案、all 全部",
)
@click.option("--department", default=None, help="只看分派给该部门的线索")
@click.option("--prosecutor", default=None, help="只看分派给该检察官的线索")
@click.option("--model", "model_id", default=None, help="只看该模型的线索")
@click.option("--undispatched", is_flag=True, help="只看尚未分派的线索")
@click.option("--unassigned", "undispatched", is_flag=True, hidden=True)
@click.option(
    "--review", is_flag=True, help="待核对清单（不是线索：须检察官核对，确属违法的再成案）"
)
@paging_options
@click.pass_context
def list_cmd(
    ctx: click.Context,
    status: str,
    department: str | None,
    prosecutor: str | None,
    model_id: str | None,
    undispatched: bool,
    review: bool,
    page: int,
    per_page: int,
) -> None:
    """线索队列（按部门或检察官，分页显示）。"""
    ws = workspace(ctx)
    offset, limit = page_window(page, per_page)
    rows = queue(
        ws.store,
        user(ctx),
        status=None if status == "all" else status,
        department=department,
        prosecutor=prosecutor,
        model_id=model_id,
        undispatched=undispatched,
        home=home_departments(ws),
        offset=offset,
        limit=limit,
        review=review,
        review_models=review_models(library(ws)),
    )
    if not rows:
        click.echo(
            f"第 {page} 页没有线索（共 {rows.total} 条，{rows.pages} 页）。"
            if rows.total
            else "没有符合条件的线索。"
        )
        return
    if review:
        click.echo("待核对清单：以下不是线索，须检察官核对——确属违法的成案，不属于的作不成案处理。")
    click.echo(f"{'编号':>6}  {'状态':<6}{'承办':<18}{'模型':<32}标题")
    for r in rows:
        if r["dispatched"]:
            owner = f"{r['department']}/{r['prosecutor']}"
        else:
            owner = f"未分派（{r['department']}）" if r["department"] else "未分派"
        click.echo(
            f"{r['id']:>6}  {r['status_label']:<6}{owner:<18}{r['model_id']:<32}{r['title']}"
        )
    click.echo(page_footer(rows, "条"))
    if rows.stale:
        click.echo(f"其中 {rows.stale} 条不再命中（模型最近一次运行已不再发现），成案前请先核实。")


@leads_group.command("show")
@click.argument("lead_id", type=int)
@click.option("--reveal", is_flag=True, help="显示完整的公民身份号码（记入审计日志）")
@click.option(
    "--reason",
    default="",
    help="查阅理由：线索依据已封存的未成年人犯罪记录时，有查阅封存记录权限的人须说明理由（记入审计日志）",
)
@click.pass_context
def show_cmd(ctx: click.Context, lead_id: int, reveal: bool, reason: str) -> None:
    """一条线索的证据、分派和经过（公民身份号码默认遮蔽）。"""
    ws = workspace(ctx)
    lead = triage.get_lead(
        ws.store,
        lead_id,
        user(ctx),
        reveal=reveal,
        masking=_masking(ws),
        home=home_departments(ws),
        reason=reason,
    )
    if lead.get("sealed_records"):
        ids = "、".join(str(i) for i in lead["sealed_records"])
        click.echo(
            f"【封存】本线索依据已封存的未成年人犯罪记录（封存记录 {ids}），查阅已记入审计日志，不得泄露。"
        )
    click.echo(f"线索 {lead['id']}：{lead['title']}")
    click.echo(
        f"模型：{lead['model_id']}    监督对象：{lead['subject']}    状态：{lead['status_label']}"
    )
    from shujian.cases.service import case_of_lead

    a, case = lead["dispatch"], case_of_lead(ws.store, lead_id)
    if case:
        click.echo(f"承办：案件 {case['id']}（{case['department']} / {case['prosecutor']}）")
    else:
        click.echo(f"承办：{a['department']} / {a['prosecutor']}" if a else "承办：未分派")
    click.echo(f"证据（共 {lead['evidence_rows']} 行，列出 {len(lead['evidence'])} 行）：")
    for row in lead["evidence"]:
        click.echo("  " + json.dumps(row, ensure_ascii=False))
    click.echo("经过：")
    for e in lead["events"]:
        detail = json.dumps(e["detail"], ensure_ascii=False) if e["detail"] else ""
        click.echo(f"  {shown(e['at'])}  {e['kind_label']:<8}{e['actor']:<12}{detail}")


@leads_group.command("dispatch")
@click.argument("lead_ids", nargs=-1, required=True)
@click.option("--department", required=True, help="承办部门（本院的部门之一）")
@click.option("--prosecutor", required=True, help="承办检察官（已建账号时须为该部门的有效账号）")
@click.pass_context
def dispatch_cmd(
    ctx: click.Context, lead_ids: tuple[str, ...], department: str, prosecutor: str
) -> None:
    """把线索分派给部门和检察官（可一次分派多条，例如 3 5 10-20）。"""
    ws = workspace(ctx)
    n = triage.dispatch(
        ws.store,
        parse_ids(lead_ids),
        department,
        prosecutor,
        user(ctx),
        departments=departments(ws),
        home=home_departments(ws),
    )
    click.echo(f"已将 {n} 条线索分派给 {department.strip()} {prosecutor.strip()}。")


assign_cmd = click.Command(
    "assign",
    callback=dispatch_cmd.callback,
    params=dispatch_cmd.params,
    help=dispatch_cmd.help,
    hidden=True,
)
"""The name `dispatch` had before migration 0004 (scripts may still call it)."""
leads_group.add_command(assign_cmd)


@leads_group.command("dismiss")
@click.argument("lead_ids", nargs=-1, required=True)
@click.option(
    "--reason", required=True, help="不成案理由（取自理由清单，见 shujian leads reasons）"
)
@click.option("--note", default="", help="具体说明")
@click.pass_context
def dismiss_cmd(ctx: click.Context, lead_ids: tuple[str, ...], reason: str, note: str) -> None:
    """不成案（可一次处理多条）：证据不变时，模型不再推送这些线索。"""
    ws = workspace(ctx)
    n = triage.dismiss(
        ws.store,
        parse_ids(lead_ids),
        reason,
        user(ctx),
        note,
        reasons=triage.reasons_of(ws),
        home=home_departments(ws),
    )
    click.echo(f"已将 {n} 条线索作不成案处理（理由：{reason}）。")


@leads_group.command("reasons")
@click.pass_context
def reasons_cmd(ctx: click.Context) -> None:
    """不成案理由清单。"""
    reasons = triage.reasons_of(workspace(ctx))
    for r in reasons.reasons:
        click.echo(f"{r}{'（须填写具体说明）' if r in reasons.needs_note else ''}")


@leads_group.command("accept")
@click.argument("lead_ids", nargs=-1, required=True)
@click.option("--case", "case_id", type=int, default=None, help="并入已有案件（不写则新立案件）")
@click.option("--department", default=None, help="新案件的承办部门")
@click.option("--prosecutor", default=None, help="新案件的承办检察官")
@click.option("--reason", required=True, help="成案（立案）理由")
@click.option("--on", "on_date", default=None, metavar="YYYY-MM-DD", help="立案日期（默认今天）")
@click.option("--urgent", is_flag=True, help="情况紧急（回复期限十五日）")
@click.option("--juvenile", is_flag=True, help="未成年人保护检察建议（回复期限一个月）")
@click.option(
    "--confirm-stale",
    "confirm_stale",
    is_flag=True,
    help="确认对“不再命中”（模型最近一次运行已不再发现）的线索仍要成案（记入线索和案件经过）",
)
@click.pass_context
def accept_cmd(
    ctx: click.Context,
    lead_ids: tuple[str, ...],
    case_id: int | None,
    department: str | None,
    prosecutor: str | None,
    reason: str,
    on_date: str | None,
    urgent: bool,
    juvenile: bool,
    confirm_stale: bool,
) -> None:
    """成案：把线索立为新案件，或并入已有案件（同一单位的多条线索可并为一案）。"""
    from shujian.cases.service import add_leads_to_case, open_case

    ws = workspace(ctx)
    ids = parse_ids(lead_ids)
    if case_id is not None:
        _refuse_new_case_options(case_id, department, prosecutor, urgent, juvenile)
        add_leads_to_case(
            ws.store,
            case_id,
            ids,
            user(ctx),
            reason,
            parse_date(on_date, "并入日期") if on_date else None,
            confirm_stale=confirm_stale,
            home=home_departments(ws),
        )
        click.echo(f"已将 {len(ids)} 条线索并入案件 {case_id}。")
        return
    day = parse_date(on_date, "立案日期")
    if not department or not prosecutor:
        raise UserError("新立案件必须写明 --department 承办部门和 --prosecutor 承办检察官。")
    new_id = open_case(
        ws.store,
        ids,
        department,
        prosecutor,
        user(ctx),
        reason,
        day,
        urgent=urgent,
        juvenile=juvenile,
        departments=departments(ws),
        calendar=ws.calendar,
        confirm_stale=confirm_stale,
        home=home_departments(ws),
    )
    click.echo(f"已立案：案件 {new_id}（{len(ids)} 条线索成案）。")


def _refuse_new_case_options(
    case_id: int, department: str | None, prosecutor: str | None, urgent: bool, juvenile: bool
) -> None:
    """Options that only shape a new case are refused with --case rather than ignored: the
    user who typed them expects an effect they would not get."""
    given = [
        name
        for name, value in (
            ("--department", department),
            ("--prosecutor", prosecutor),
            ("--urgent", urgent),
            ("--juvenile", juvenile),
        )
        if value
    ]
    if given:
        raise UserError(
            f"并入已有案件（--case {case_id}）时不能同时指定 {'、'.join(given)}："
            "这些选项只用于新立案件，并入时案件的承办部门、承办检察官和回复期限都不变。"
            "请去掉这些选项。",
            code="new_case_options_with_case",
        )


@leads_group.command("export")
@click.option("--model", "model_id", default=None, help="只导出该模型的线索")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "xlsx"]), default="jsonl")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="输出文件（默认：jsonl 和 csv 输出到屏幕；xlsx 必须指定文件）",
)
@click.option(
    "--reveal", is_flag=True, help="导出完整的公民身份号码（记入审计日志：哪些线索、哪些字段）"
)
@click.pass_context
def export_cmd(
    ctx: click.Context, model_id: str | None, fmt: str, output: Path | None, reveal: bool
) -> None:
    """导出线索（每条一行：模型、监督对象、标题、证据、状态；公民身份号码默认遮蔽）。"""
    from shujian.leads.export import export_leads

    ws = workspace(ctx)
    count = export_leads(
        ws.store,
        fmt,
        output if output is not None else sys.stdout,
        user(ctx),
        model_id,
        reveal=reveal,
        masking=_masking(ws),
        home=home_departments(ws),
    )
    if output is not None:
        shown = "，含完整公民身份号码（已记入审计日志）" if reveal else ""
        click.echo(f"已导出 {count} 条线索到 {output}{shown}", err=True)


def _masking(ws: Workspace) -> Masking:
    """Which evidence to mask, from the workspace's own models and datasets too."""
    return Masking(library(ws), ws.datasets())


def register(group: click.Group) -> None:
    group.add_command(leads_group)
