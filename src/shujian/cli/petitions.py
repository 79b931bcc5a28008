"""`shujian petitions …`: 12309 信访 — 登记 (`receive`), 分流 (`route`), 程序性回复 and
办理过程或结果答复 (`reply`), 回访评价 (`feedback`), 领导包案 (`leader`), 检察长接待日
(`reception-day`, `reception-days`), the lists (`list`, `show`) and the figures (`stats`; also
`shujian stats --of petitions`).

The same services as the pages (`petitions/service.py`); ID numbers are masked, a minor is named
by surname only in lists.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from shujian.beijing import today_in_china
from shujian.cli.common import page_footer, page_window, paging_options, parse_date, user, workspace
from shujian.users.user import User

VIEWS = ("open", "overdue", "due_soon", "closed", "leader", "all")


def _context(ctx: click.Context) -> tuple[Any, User, dt.date]:
    from shujian.petitions.service import Petitions

    return Petitions(workspace(ctx)), user(ctx), today_in_china()


def _on(text: str | None, what: str) -> dt.date | None:
    return parse_date(text, what) if text else None


@click.group("petitions")
def petitions_group() -> None:
    """12309信访：登记、分流、程序性回复、办理过程或结果答复、回访评价、领导包案、检察长接待日和统计。"""


@petitions_group.command("receive")
@click.option("--on", "received_on", default=None, help="收到日期 YYYY-MM-DD（默认今天）")
@click.option("--channel", required=True, help="信访渠道：来信、来访、电话、网络")
@click.option("--category", required=True, help="信访类别：控告、申诉、举报、求决、咨询、意见建议")
@click.option("--name", default="", help="信访人姓名（匿名的不填，并加 --no-contact）")
@click.option("--id", "id_card", default=None, help="信访人公民身份号码")
@click.option("--contact", default="", help="联系方式（电话或地址）")
@click.option("--minor", is_flag=True, help="信访人是未成年人（未填身份号码时）")
@click.option("--no-contact", "no_contact", is_flag=True, help="匿名或无联系方式，无法回复")
@click.option("--matter", required=True, help="信访事项")
@click.option(
    "--reception-day",
    "reception_day",
    type=int,
    default=None,
    help="在这个检察长接待日（编号）接待的来访",
)
@click.option("--department", default=None, help="同时分流到的承办部门")
@click.option("--handler", default=None, help="承办人")
@click.pass_context
def receive_cmd(
    ctx: click.Context,
    received_on: str | None,
    channel: str,
    category: str,
    name: str,
    id_card: str | None,
    contact: str,
    minor: bool,
    no_contact: bool,
    matter: str,
    reception_day: int | None,
    department: str | None,
    handler: str | None,
) -> None:
    """登记一件信访件（控告申诉检察部），计算七日和三个月两个回复期限。"""
    from shujian.cases.deadlines import provisional_note, provisional_years
    from shujian.petitions.service import Intake, receive

    ps, who, today = _context(ctx)
    on = parse_date(received_on, "收到日期")
    pid = receive(
        ps,
        who,
        today,
        Intake(
            received_on=on,
            channel=channel,
            category=category,
            name=name,
            matter=matter,
            id_card=id_card,
            contact=contact,
            minor=minor,
            no_contact=no_contact,
            reception_day=reception_day,
            department=department,
            handler=handler,
        ),
    )
    p = _get(ps, who, today, pid)
    click.echo(f"已登记信访件 {pid}（{p['channel_label']}、{p['category_label']}）。")
    if p["no_contact"]:
        click.echo("匿名或无联系方式：不计入回复率。")
    years = provisional_years(ps.calendar, on, p["result_due"])
    click.echo(
        f"程序性回复期限：{p['procedural_due']}；办理过程或结果答复期限："
        f"{p['result_due']}{provisional_note(years)}"
    )


def _get(ps: Any, who: User, today: dt.date, pid: int) -> dict[str, Any]:
    from shujian.petitions.service import get_petition

    return get_petition(ps, who, today, pid)


@petitions_group.command("route")
@click.argument("pid", type=int)
@click.option("--department", required=True, help="承办部门")
@click.option("--handler", default="", help="承办人")
@click.option("--on", default=None, help="分流日期（默认今天）")
@click.option("--note", default="", help="说明")
@click.pass_context
def route_cmd(
    ctx: click.Context, pid: int, department: str, handler: str, on: str | None, note: str
) -> None:
    """分流：把信访件交本院承办部门办理（也用于改交其他部门）。"""
    from shujian.petitions.service import route

    ps, who, today = _context(ctx)
    route(ps, who, today, pid, department, handler=handler, on=_on(on, "分流日期"), text=note)
    click.echo(f"信访件 {pid} 已分流至{department}。")


@petitions_group.command("reply")
@click.argument("pid", type=int)
@click.option(
    "--procedural",
    "procedural",
    default=None,
    help="程序性回复：受理、不予受理、告知补充材料、移送有关机关处理、当场答复",
)
@click.option("--result", "result", is_flag=True, help="答复办理结果（办结）")
@click.option("--progress", "progress", is_flag=True, help="答复办理进展（未办结）")
@click.option("--text", required=True, help="回复内容")
@click.option("--on", default=None, help="回复日期（默认今天）")
@click.pass_context
def reply_cmd(
    ctx: click.Context,
    pid: int,
    procedural: str | None,
    result: bool,
    progress: bool,
    text: str,
    on: str | None,
) -> None:
    """登记回复：程序性回复（七日内），或办理结果、办理进展答复（三个月内）。"""
    from shujian.errors import UserError
    from shujian.petitions.service import procedural_reply, result_reply

    ps, who, today = _context(ctx)
    chosen = [x for x in (procedural is not None, result, progress) if x]
    if len(chosen) != 1:
        raise UserError(
            "请选择一种回复：--procedural 种类、--result 或 --progress。", code="bad_choice"
        )
    day = _on(on, "回复日期")
    if procedural is not None:
        timely = procedural_reply(ps, who, today, pid, outcome=procedural, text=text, on=day)
        click.echo(f"已登记信访件 {pid} 的程序性回复（{'按期' if timely else '逾期'}）。")
        return
    kind = "result" if result else "progress"
    timely = result_reply(ps, who, today, pid, kind=kind, text=text, on=day)
    what = "办理结果答复，已办结" if result else "办理进展答复"
    click.echo(f"已登记信访件 {pid} 的{what}（三个月答复{'按期' if timely else '逾期'}）。")


@petitions_group.command("feedback")
@click.argument("pid", type=int)
@click.argument("value")
@click.option("--on", default=None, help="回访日期（默认今天）")
@click.option("--note", default="", help="说明")
@click.pass_context
def feedback_cmd(ctx: click.Context, pid: int, value: str, on: str | None, note: str) -> None:
    """登记办结后信访人的评价：满意、基本满意、不满意。"""
    from shujian.petitions.service import record_feedback

    ps, who, today = _context(ctx)
    record_feedback(ps, who, today, pid, value=value, text=note, on=_on(on, "回访日期"))
    click.echo(f"已登记信访件 {pid} 的评价：{value}。")


@petitions_group.command("leader")
@click.argument("pid", type=int)
@click.option("--leader", required=True, help="包案的院领导")
@click.option("--on", default=None, help="包案日期（默认今天）")
@click.option("--note", default="", help="说明")
@click.pass_context
def leader_cmd(ctx: click.Context, pid: int, leader: str, on: str | None, note: str) -> None:
    """领导包案：登记院领导包案办理这件信访件。"""
    from shujian.petitions.service import take_as_leader

    ps, who, today = _context(ctx)
    take_as_leader(ps, who, today, pid, leader=leader, on=_on(on, "包案日期"), text=note)
    click.echo(f"信访件 {pid} 由{leader}包案。")


@petitions_group.command("reception-day")
@click.option("--on", default=None, help="接待日期（默认今天）")
@click.option("--leader", required=True, help="接待的检察长（院领导）")
@click.option("--place", required=True, help="接待地点")
@click.option("--note", default="", help="说明")
@click.pass_context
def reception_day_cmd(
    ctx: click.Context, on: str | None, leader: str, place: str, note: str
) -> None:
    """登记一次检察长接待日；当天接待的来访登记时用 --reception-day 编号。"""
    from shujian.petitions.service import add_reception_day

    ps, who, today = _context(ctx)
    rid = add_reception_day(
        ps, who, today, on=parse_date(on, "接待日期"), leader=leader, place=place, note=note
    )
    click.echo(f"已登记检察长接待日 {rid}。")


@petitions_group.command("reception-days")
@click.pass_context
def reception_days_cmd(ctx: click.Context) -> None:
    """检察长接待日列表：日期、接待领导、地点、接待来访件数。"""
    from shujian.petitions.service import list_reception_days

    ps, who, _ = _context(ctx)
    rows = list_reception_days(ps, who)
    if not rows:
        click.echo("没有登记检察长接待日。")
        return
    for r in rows:
        click.echo(
            f"{r['id']:<6}{r['on_date']}  {r['leader']}  {r['place']}  接待来访 {r['visits']} 件"
        )


def _line(p: dict[str, Any]) -> str:
    owed = "；".join(
        f"{o['label']} {o['due']}{'（逾期' + str(-o['days_left']) + '日）' if o['overdue'] else ''}"
        f"{'（暂定）' if o['provisional'] else ''}"
        for o in p["owed"]
    )
    return (
        f"{p['id']:<6}{p['received_on']}  {p['channel_label']:<6}{p['category_label']:<6}"
        f"{p['petitioner']:<10}{p['state_label']:<10}{p['department'] or '（未分流）'}"
        f"{'  包案：' + p['leader'] if p['leader'] else ''}{'  ' + owed if owed else ''}"
    )


@petitions_group.command("list")
@click.option(
    "--view",
    type=click.Choice(VIEWS),
    default="open",
    show_default=True,
    help="open 未办结、overdue 回复逾期、due_soon 即将到期、closed 已办结、leader 领导包案、all 全部",
)
@click.option("--department", default=None, help="只列分流到这个部门的")
@click.option(
    "--reception-day", "reception_day", type=int, default=None, help="只列这个检察长接待日接待的"
)
@paging_options
@click.pass_context
def list_cmd(
    ctx: click.Context,
    view: str,
    department: str | None,
    reception_day: int | None,
    page: int,
    per_page: int,
) -> None:
    """信访件列表：未办结、回复逾期、即将到期、已办结、领导包案。"""
    from shujian.petitions.service import list_petitions

    ps, who, today = _context(ctx)
    offset, limit = page_window(page, per_page)
    rows = list_petitions(
        ps,
        who,
        today,
        view=view,
        department=department,
        reception_day=reception_day,
        offset=offset,
        limit=limit,
    )
    if not rows:
        click.echo("没有信访件。")
        return
    for p in rows:
        click.echo(_line(p))
    click.echo(page_footer(rows, "件"))


@petitions_group.command("show")
@click.argument("pid", type=int)
@click.pass_context
def show_cmd(ctx: click.Context, pid: int) -> None:
    """一件信访件：信访人、事项、两个回复期限、每一步。"""
    ps, who, today = _context(ctx)
    p = _get(ps, who, today, pid)
    click.echo(
        f"信访件 {p['id']}（{p['state_label']}）：{p['channel_label']}、{p['category_label']}，"
        f"{p['received_on']} 收到"
    )
    minor = "（未成年人）" if p["minor"] else ""
    click.echo(f"信访人：{p['petitioner']}{minor} {p['id_card']} {p['contact']}")
    click.echo(f"事项：{p['matter']}")
    click.echo(f"承办：{p['department'] or '（未分流）'} {p['handler'] or ''}")
    if p["leader"]:
        click.echo(f"领导包案：{p['leader']}（{p['leader_on']}）")
    click.echo(
        f"程序性回复期限 {p['procedural_due']}："
        + (
            f"{p['procedural_on']} 已回复（{'按期' if p['procedural_in_time'] else '逾期'}）"
            if p["procedural_on"]
            else "未回复"
        )
    )
    click.echo(
        f"办理过程或结果答复期限 {p['result_due']}{p['provisional_note']}："
        + (
            f"{p['result_on']} 已答复（{'按期' if p['result_in_time'] else '逾期'}）"
            if p["result_on"]
            else "未答复"
        )
    )
    if p["feedback"]:
        click.echo(f"评价：{p['feedback_label']}（{p['feedback_on']}）")
    for e in p["events"]:
        click.echo(f"  {e['on_date']}  {e['label']}  {e['actor']}  {e['text']}")


@petitions_group.command("stats")
@click.option(
    "--by",
    type=click.Choice(["department", "channel", "category"]),
    default="department",
    show_default=True,
    help="统计维度：department 承办部门、channel 信访渠道、category 信访类别",
)
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="收到日期起（含）")
@click.option("--until", default=None, metavar="YYYY-MM-DD", help="收到日期止（含）")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="导出为 xlsx 文件",
)
@click.pass_context
def stats_cmd(
    ctx: click.Context, by: str, since: str | None, until: str | None, output: Path | None
) -> None:
    """信访统计：七日内程序性回复率、三个月内答复率、办结率、满意率，按部门、渠道或类别。"""
    echo_figures(ctx, by, since, until, output)


def echo_figures(
    ctx: click.Context, by: str, since: str | None, until: str | None, output: Path | None
) -> None:
    """The figures to the screen, or to an .xlsx file (also `shujian stats --of petitions`)."""
    from shujian.petitions import rules
    from shujian.petitions.service import figures

    ps, who, today = _context(ctx)
    result = figures(
        ps,
        who,
        today,
        by=by,
        since=_on(since, "起始日期"),
        until=_on(until, "截止日期"),
        audit_as="export" if output else "view",
    )
    if output is not None:
        from shujian.petitions.workbook import export_xlsx

        export_xlsx(result, output)
        click.echo(f"已导出信访统计表：{output}")
        return
    click.echo(f"12309信访统计（{result.period}）")
    click.echo("\t".join([rules.DIMENSIONS[by], *(label for _, label in rules.FIGURES)]))
    for r in result.rows:
        cells = [str(r["key"])]
        for key, _ in rules.FIGURES:
            cells.append(rules.percent(r[key]) if key in rules.RATES else str(r[key]))
        click.echo("\t".join(cells))


@petitions_group.command("deadlines")
@click.option("--recompute", is_flag=True,
              help="按现行节假日日历重新计算尚未回复的期限（每个变动记入经过和审计日志）")  # fmt: skip
@click.pass_context
def deadlines_cmd(ctx: click.Context, recompute: bool) -> None:
    """尚未回复的期限中，添加该年节假日安排后需要重新计算的。"""
    from shujian.petitions.service import pending_moves
    from shujian.petitions.service import recompute as recompute_all

    ps, who, today = _context(ctx)
    moves = recompute_all(ps, who, today) if recompute else pending_moves(ps)
    if not moves:
        click.echo("没有需要重新计算的期限。")
        return
    click.echo(
        f"{'已重新计算' if recompute else '按现行节假日日历应重新计算'}的期限 {len(moves)} 个："
    )
    for m in moves:
        still = "（仍为暂定）" if m.provisional else ""
        click.echo(f"  信访件 {m.petition_id}  {m.label}  {m.old} → {m.new}{still}")
    if not recompute:
        click.echo("运行 shujian petitions deadlines --recompute 重新计算。")


def register(group: click.Group) -> None:
    group.add_command(petitions_group)
