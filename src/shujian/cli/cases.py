"""`shujian cases …`: the case workflow, the 检察建议书, outcomes and deadlines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

from shujian.calendar import HolidayCalendar
from shujian.cases import deadlines, outcomes, recommendations, service
from shujian.cases.documents import preview
from shujian.cases.workflow import field_label, field_text, load_workflow, parse_field_pairs
from shujian.cli.common import (
    library,
    page_footer,
    page_window,
    paging_options,
    parse_date,
    user,
    workspace,
)
from shujian.errors import UserError
from shujian.workspace import Workspace


@click.group("cases")
def cases_group() -> None:
    """案件：流转、检察建议书、成效登记和期限。"""


@cases_group.command("list")
@click.option("--state", default=None, help="状态（如 等待回复 或 awaiting_reply）")
@click.option("--department", default=None, help="承办部门")
@click.option("--prosecutor", default=None, help="承办检察官")
@paging_options
@click.pass_context
def list_cmd(
    ctx: click.Context,
    state: str | None,
    department: str | None,
    prosecutor: str | None,
    page: int,
    per_page: int,
) -> None:
    """案件列表（新立的在前，分页显示）。"""
    ws = workspace(ctx)
    offset, limit = page_window(page, per_page)
    rows = service.list_cases(
        ws.store,
        user(ctx),
        state=state,
        department=department,
        prosecutor=prosecutor,
        offset=offset,
        limit=limit,
    )
    if not rows:
        click.echo(
            f"第 {page} 页没有案件（共 {rows.total} 条，{rows.pages} 页）。"
            if rows.total
            else "没有符合条件的案件。"
        )
        return
    click.echo(f"{'案件':>6}  {'状态':<10}{'承办部门':<12}{'承办检察官':<10}{'立案日期':<12}期限")
    for r in rows:
        due = _due(ws.calendar, r["deadline_start"], r["deadline_due"])
        click.echo(
            f"{r['id']:>6}  {r['state_label']:<10}{r['department']:<12}{r['prosecutor']:<10}"
            f"{r['opened_on'].isoformat():<12}{due}"
        )
    click.echo(page_footer(rows, "件"))
    _recompute_hint(ws)


PROVISIONAL = "暂定"
"""The mark of a date counted through a year whose holiday notice is not out."""


def _due(calendar: HolidayCalendar, start: date | None, due: date | None) -> str:
    """A due date as lists show it: `2027-02-09 暂定` when counted through a provisional year."""
    if due is None:
        return "—"
    mark = f" {PROVISIONAL}" if deadlines.provisional_years(calendar, start, due) else ""
    return f"{due.isoformat()}{mark}"


def _recompute_hint(ws: Workspace, case_id: int | None = None) -> None:
    """Say when running deadlines no longer match the calendar (a year's notice was added since
    they were counted on provisional days): derived on every listing, so nobody has to remember
    to run the recomputation, and nothing has to be stored to know it is due."""
    moves = [
        m
        for m in deadlines.pending_moves(ws.store, ws.calendar, deadlines.periods_of(ws))
        if case_id is None or m.case_id == case_id
    ]
    if not moves:
        return
    if case_id is not None:
        for m in moves:
            click.echo(
                f"注意：{m.label}按现行节假日日历应为 {m.new.isoformat()}（原按 "
                f"{m.old.isoformat()} 计算），请运行 shujian cases deadlines --recompute。"
            )
        return
    click.echo(
        f"注意：{len(moves)} 个进行中的期限按现行节假日日历应为其他日期（此前按暂定节假日计算，"
        "其后添加了该年的节假日安排），请运行 shujian cases deadlines --recompute 重新计算。"
    )


@cases_group.command("show")
@click.argument("case_id", type=int)
@click.pass_context
def show_cmd(ctx: click.Context, case_id: int) -> None:
    """一个案件：当前状态、期限、可执行的操作、全部经过、检察建议书和成效。"""
    ws = workspace(ctx)
    actor = user(ctx)
    case = service.get_case(ws.store, case_id, actor)
    workflow = load_workflow(case["case_kind"])
    click.echo(
        f"案件 {case_id}（{case['case_kind_label']}）：{case['state_label']}    {case['department']} / {case['prosecutor']}"
    )
    click.echo(f"线索：{'、'.join(map(str, case['lead_ids'])) or '无（依申请立案）'}")
    if case["deadline_due"]:
        label = workflow.deadlines[case["deadline_kind"]].label
        years = deadlines.provisional_years(
            ws.calendar, case["deadline_start"], case["deadline_due"]
        )
        note = deadlines.provisional_note(years)
        click.echo(f"{label}：{case['deadline_due'].isoformat()} 届满{note}")
    allowed = service.available_actions(ws.store, case_id, actor)
    if allowed:
        click.echo("可执行：" + "、".join(f"{t.label}（{t.action}）" for t in allowed))
    click.echo("经过：")
    for step in service.history(ws.store, case_id, actor):
        fields = "，".join(
            f"{field_label(workflow, k)}：{field_text(v)}"
            for k, v in step["fields"].items()
            if v not in ([], None) and k not in workflow.hidden_fields
        )
        click.echo(
            f"  {step['on_date'].isoformat()}  {step['action_label']:<10}→ {step['to_label']:<8}"
            f"{step['actor']:<10}{step['reason']}{'  ' + fields if fields else ''}"
        )
    for rec in recommendations.list_recommendations(ws.store, case_id, user=actor):
        filed = (
            f"{rec['filed_on'].isoformat()} 已备案"
            if rec["filed_on"]
            else f"未备案（{_due(ws.calendar, rec['issued_on'], rec['filing_due'])} 前）"
        )
        if rec["document_sha256"]:
            document = rec["document"]
        else:
            error = f"：{rec['render_error']}" if rec["render_error"] else ""
            document = f"文书未生成{error}（shujian cases render {rec['number']}）"
        click.echo(f"检察建议书：{rec['number']}  致 {rec['recipient']}  {filed}  {document}")
    if case["case_kind"] == "support_prosecution":
        from shujian.cases.support_prosecution import opinions_of

        for op in opinions_of(ws, actor, case_id):
            document = (
                op["document"]
                if op["document_sha256"]
                else (f"文书未生成：{op['render_error'] or ''}")
            )
            click.echo(f"支持起诉意见书：{op['number']}  致 {op['court']}  {document}")
    for o in outcomes.outcomes_of(ws.store, case_id):
        amount = f" {o['amount_yuan']}元" if o["amount_yuan"] is not None else ""
        people = f" {o['people']}人" if o["people"] is not None else ""
        count = f" {o['count']}" if o["count"] is not None else ""
        click.echo(f"成效：{o['on_date']} {o['kind_label']}{amount}{people}{count} {o['note']}")
    _recompute_hint(ws, case_id)


HINTS = {
    "needs_document_service": "命令行：{command}",
    "document_not_rendered": "命令行：shujian cases render {number}",
    "number_required": "命令行：shujian cases recommend 案件编号 --number 文号 …",
}
"""What to type next, added to a service's refusal by its code (services speak no command line)."""


def _with_hint(error: UserError, **values: str) -> UserError:
    hint = HINTS.get(error.code)
    if not hint:
        return error
    values.setdefault("number", "文号")
    values.setdefault("command", DOCUMENT_COMMANDS[None])
    return UserError(f"{error.message}（{hint.format(**values)}）", code=error.code)


@cases_group.command("act")
@click.argument("case_id", type=int)
@click.argument("action")
@click.option("--reason", default="", help="理由或说明")
@click.option("--on", "on_date", default=None, metavar="YYYY-MM-DD", help="日期（默认今天）")
@click.option("--set", "pairs", multiple=True, metavar="字段=值", help="该操作的字段，可重复")
@click.pass_context
def act_cmd(
    ctx: click.Context,
    case_id: int,
    action: str,
    reason: str,
    on_date: str | None,
    pairs: tuple[str, ...],
) -> None:
    """对案件执行一步操作（如 investigate / 送达检察建议书），按声明的流程校验。

    制发检察建议请用 shujian cases recommend，它同时编号并生成检察建议书。
    """
    ws = workspace(ctx)
    actor = user(ctx)
    workflow = service.workflow_of(ws.store, case_id, actor)
    fields = parse_field_pairs(workflow, pairs)
    try:
        state = service.transition(
            ws.store,
            case_id,
            action,
            actor,
            reason,
            parse_date(on_date),
            calendar=ws.calendar,
            periods=deadlines.periods_of(ws),
            **fields,
        )
    except UserError as e:
        tr = workflow.by_action(action)
        command = DOCUMENT_COMMANDS.get(tr.document if tr else None, DOCUMENT_COMMANDS[None])
        raise _with_hint(e, command=command.format(case=case_id)) from e
    click.echo(f"案件 {case_id} 现为“{workflow.label(state)}”。")


DOCUMENT_COMMANDS = {
    None: "shujian cases recommend",
    "recommendation": "shujian cases recommend {case}",
    "judicial_aid_decision": "shujian aid approve {case} --amount 金额",
    "support_prosecution_opinion": "shujian cases support-opinion {case}",
}
"""The command that takes a step issuing a document, by the document kind."""


def _content_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """The options that say what a 检察建议书 contains: shared by `recommend` and `draft`, which
    pass them to the service as they are."""
    options = [
        click.option("--recipient", required=True, help="被建议单位"),
        click.option(
            "--category", default=None, help="类别（只能选本案线索的模型所属类别，默认取第一个）"
        ),
        click.option(
            "--item", "items", multiple=True, help="一条具体建议，可重复（不写则用模型的建议事项）"
        ),
        click.option("--fact", "facts", multiple=True, help="调查核实查明的事实，可重复"),
        click.option("--other", "other", multiple=True, help="其他需要说明的事项，可重复"),
        click.option("--copy-to", "copy_to", multiple=True, help="抄送单位，可重复"),
        click.option("--urgent", is_flag=True, help="情况紧急（十五日内回复）"),
        click.option(
            "--juvenile/--not-juvenile",
            default=None,
            help="未成年人保护检察建议（一个月内回复；未检类别默认是）",
        ),
        click.option("--pdf", is_flag=True, help="同时生成 PDF 预览（需要 LibreOffice）"),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@cases_group.command("recommend")
@click.argument("case_id", type=int)
@_content_options
@click.option("--on", "on_date", default=None, metavar="YYYY-MM-DD", help="制发日期（默认今天）")
@click.option(
    "--number",
    default=None,
    metavar="文号",
    help="统一业务应用系统编定的文号，如 青检行公建〔2026〕3号（本院由本平台编号时不写）",
)
@click.pass_context
def recommend_cmd(
    ctx: click.Context,
    case_id: int,
    recipient: str,
    on_date: str | None,
    number: str | None,
    pdf: bool,
    **content: Any,
) -> None:
    """制发检察建议：案件进入“制发检察建议”，记录文号并生成检察建议书（.docx）。

    文号默认填写统一业务应用系统编定的文号（--number）；配置 numbering = "counter" 的院由本平台编号。
    """
    ws = workspace(ctx)
    try:
        issued = recommendations.issue_recommendation(
            ws,
            library(ws),
            case_id,
            user(ctx),
            parse_date(on_date, "制发日期"),
            recipient,
            number=number,
            **content,
        )
    except recommendations.DocumentNotRendered as e:
        raise _with_hint(e, number=e.number) from e
    except UserError as e:
        raise _with_hint(e) from e
    click.echo(f"已制发检察建议书 {issued.number}（回复期限：{issued.reply_due_text}）")
    click.echo(f"文书：{issued.document}")
    if pdf:
        _pdf(issued.document)


@cases_group.command("draft")
@click.argument("case_id", type=int)
@_content_options
@click.option("--on", "on_date", default=None, metavar="YYYY-MM-DD", help="拟制发日期（默认今天）")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.pass_context
def draft_cmd(
    ctx: click.Context,
    case_id: int,
    recipient: str,
    on_date: str | None,
    output: Path,
    pdf: bool,
    **content: Any,
) -> None:
    """检察建议书草稿：按制发时的内容生成（文号待编），供审核、报检察长决定；不编号，案件不流转。"""
    ws = workspace(ctx)
    out = recommendations.draft_document(
        ws,
        library(ws),
        case_id,
        user(ctx),
        parse_date(on_date, "拟制发日期"),
        recipient,
        output,
        **content,
    )
    click.echo(f"草稿：{out}（文号待编，未制发）")
    if pdf:
        _pdf(out)


def _pdf(docx: Path) -> None:
    made = preview.to_pdf(docx, docx.parent)
    if made is None:
        click.echo("未安装 LibreOffice，未生成 PDF 预览。", err=True)
    else:
        click.echo(f"PDF 预览：{made}")


@cases_group.command("file")
@click.argument("number")
@click.option("--to", "filed_with", required=True, help="备案单位（上一级人民检察院的部门）")
@click.option("--on", "on_date", default=None, metavar="YYYY-MM-DD", help="备案日期（默认今天）")
@click.pass_context
def file_cmd(ctx: click.Context, number: str, filed_with: str, on_date: str | None) -> None:
    """检察建议书报上一级院备案（发出后五日内，检察建议工作规定第二十一条）。"""
    ws = workspace(ctx)
    in_time = recommendations.file_with_superior(
        ws.store, number, user(ctx), parse_date(on_date, "备案日期"), filed_with
    )
    click.echo(f"检察建议书 {number} 已备案（{'按期' if in_time else '已超过五日备案期限'}）。")


@cases_group.command("document")
@click.argument("number")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--pdf", is_flag=True, help="同时生成 PDF 预览（需要 LibreOffice）")
@click.option(
    "--reason",
    default="",
    help="查阅理由：文书所在案件依据已封存的未成年人犯罪记录时，有查阅封存记录权限的人须说明理由",
)
@click.pass_context
def document_cmd(ctx: click.Context, number: str, output: Path, pdf: bool, reason: str) -> None:
    """再次打印一份已制发的检察建议书：与制发时存档的文书逐字节相同。

    存档文书完好时原样复制；缺失或被改动时按存档的内容和措辞重新生成，与制发时记录的
    SHA-256 一致才输出，否则拒绝。
    """
    ws = workspace(ctx)
    try:
        reprint = recommendations.render_again(ws, number, output, user(ctx), reason)
    except UserError as e:
        raise _with_hint(e, number=number) from e
    if reprint.notice:
        click.echo(reprint.notice, err=True)
    source = "复制自存档文书" if reprint.archive == "intact" else "按存档重新生成，与存档一致"
    click.echo(f"已生成（{source}）：{reprint.path}")
    if pdf:
        _pdf(reprint.path)


@cases_group.command("render")
@click.argument("number")
@click.option("--pdf", is_flag=True, help="同时生成 PDF 预览（需要 LibreOffice）")
@click.pass_context
def render_cmd(ctx: click.Context, number: str, pdf: bool) -> None:
    """生成已制发但文书未能生成的检察建议书（按存档内容，文号不变，写到原定位置）。"""
    ws = workspace(ctx)
    try:
        out = recommendations.render_issued(ws, number, user(ctx))
    except recommendations.DocumentNotRendered as e:
        raise _with_hint(e, number=e.number) from e
    click.echo(f"已生成：{out}")
    if pdf:
        _pdf(out)


@cases_group.command("outcome")
@click.argument("case_id", type=int)
@click.argument("kind")
@click.option("--amount", default=None, help="金额（元），如 1900000 或 190万元")
@click.option("--people", type=int, default=None, help="人数")
@click.option("--count", type=int, default=None, help="数量（如整改经营主体家数）")
@click.option("--note", default="", help="说明")
@click.option("--on", "on_date", default=None, metavar="YYYY-MM-DD", help="日期（默认今天）")
@click.pass_context
def outcome_cmd(
    ctx: click.Context,
    case_id: int,
    kind: str,
    amount: str | None,
    people: int | None,
    count: int | None,
    note: str,
    on_date: str | None,
) -> None:
    """登记案件成效：追缴资金、支付工资（及人数）、整改家数等。"""
    ws = workspace(ctx)
    outcomes.record_outcome(
        ws.store,
        case_id,
        kind,
        user(ctx),
        parse_date(on_date),
        amount=outcomes.parse_amount(amount) if amount is not None else None,
        people=people,
        count=count,
        note=note,
    )
    click.echo(f"已为案件 {case_id} 登记成效。")


@cases_group.command("overdue")
@click.option("--today", default=None, metavar="YYYY-MM-DD", help="以该日期为今天")
@click.pass_context
def overdue_cmd(ctx: click.Context, today: str | None) -> None:
    """已超过期限仍未办结的案件。"""
    ws = workspace(ctx)
    rows = deadlines.overdue(ws.store, parse_date(today), calendar=ws.calendar, user=user(ctx))
    if not rows:
        click.echo("没有超期案件。")
    for r in rows:
        click.echo(
            f"案件 {r['id']}  {r['state_label']}  {r['prosecutor']}  {r['deadline_label']} "
            f"{_due(ws.calendar, r['deadline_start'], r['deadline_due'])} 届满，"
            f"已超期 {r['days_overdue']} 日"
        )
    _recompute_hint(ws)


@cases_group.command("due")
@click.option("--today", default=None, metavar="YYYY-MM-DD", help="以该日期为今天")
@click.option("--within", type=int, default=7, show_default=True, help="多少日内届满")
@click.option("--prosecutor", default=None, help="只看该检察官的案件")
@click.pass_context
def due_cmd(ctx: click.Context, today: str | None, within: int, prosecutor: str | None) -> None:
    """即将届满的期限，按检察官列出。"""
    ws = workspace(ctx)
    rows = deadlines.due_soon(
        ws.store, parse_date(today), within, prosecutor, calendar=ws.calendar, user=user(ctx)
    )
    if not rows:
        click.echo(f"{within} 日内没有届满的期限。")
    current = None
    for r in rows:
        if r["prosecutor"] != current:
            current = r["prosecutor"]
            click.echo(f"{current}：")
        click.echo(
            f"  案件 {r['id']}  {r['state_label']}  {r['deadline_label']} "
            f"{_due(ws.calendar, r['deadline_start'], r['deadline_due'])} 届满"
            f"（还有 {r['days_left']} 日）"
        )
    _recompute_hint(ws)


@cases_group.command("deadlines")
@click.option(
    "--recompute",
    is_flag=True,
    help="按现行节假日日历重新计算进行中的期限（每个变动记入案件经过和审计日志）",
)
@click.pass_context
def deadlines_cmd(ctx: click.Context, recompute: bool) -> None:
    """进行中的期限：哪些按暂定节假日计算，哪些在添加该年节假日安排后需要重新计算。

    节假日安排尚未公布的年份（暂定年份），期限按《全国年节及纪念日放假办法》规定的放假日
    推算（周末休息，不计调休），标为“暂定”。依国务院办公厅的通知在 shujian.toml 中添加该年
    [[calendar]] 后，运行 shujian cases deadlines --recompute，列出并改正变动的期限。
    """
    ws = workspace(ctx)
    if recompute:
        moved = deadlines.recompute(
            ws.store, ws.calendar, user(ctx), date.today(), deadlines.periods_of(ws)
        )
        if not moved:
            click.echo("没有需要重新计算的期限。")
            return
        click.echo(f"已按现行节假日日历重新计算 {len(moved)} 个期限：")
        for m in moved:
            click.echo(_move_line(m))
        return
    provisional = [r for r in deadlines.running(ws.store, ws.calendar) if r["provisional"]]
    for r in provisional:
        click.echo(
            f"案件 {r['id']}  {r['deadline_label']}  {r['deadline_due'].isoformat()} 届满"
            f"{deadlines.provisional_note(r['provisional'])}"
        )
    moves = deadlines.pending_moves(ws.store, ws.calendar, deadlines.periods_of(ws))
    if moves:
        click.echo(f"按现行节假日日历应重新计算的期限 {len(moves)} 个：")
        for m in moves:
            click.echo(_move_line(m))
        click.echo("运行 shujian cases deadlines --recompute 重新计算。")
    if not provisional and not moves:
        click.echo("进行中的期限均已按公布的节假日安排计算，无需重新计算。")


def _move_line(m: deadlines.Move) -> str:
    still = f"（仍为{PROVISIONAL}）" if m.provisional else ""
    return f"  案件 {m.case_id}  {m.label}  {m.old.isoformat()} → {m.new.isoformat()}{still}"


def register(group: click.Group) -> None:
    from shujian.cli.support import apply_cmd, support_opinion_cmd

    cases_group.add_command(apply_cmd)
    cases_group.add_command(support_opinion_cmd)
    group.add_command(cases_group)
