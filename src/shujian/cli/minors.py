"""`shujian minors counts | list | show | due | visit | stats`: the register of key minors
(重点未成年人), and its statistics.

The same services as the 未成年人 pages (`juvenile/`): lists show ID numbers masked and a 编号
(the minor's reference) to name a minor by; `show` takes a 编号 or a full number and reveals the
number only with `--reveal --reason` (audited). A helping unit's account (`-u 姓名`) sees and
records only the minors assigned to its unit.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from shujian.beijing import today_in_china
from shujian.cli.common import page_footer, page_window, paging_options, parse_date, user, workspace
from shujian.errors import UserError
from shujian.juvenile import statistics, visits
from shujian.juvenile.counting import DIMENSIONS
from shujian.juvenile.register import FOUR_VISITS, Month
from shujian.juvenile.service import Register
from shujian.juvenile.workbook import MONTH_NOTE, TOTAL_NOTE, period_line
from shujian.users.user import User


@click.group("minors")
def minors_group() -> None:
    """重点未成年人名册：在册人数、名单、一人一档、本月应走访和逾期名单、登记走访帮扶。"""


def _register(ctx: click.Context) -> tuple[Register, User, dt.date]:
    ws = workspace(ctx)
    register = Register(ws)
    today = today_in_china()
    return register, register.with_grants(user(ctx), today), today


def _assigned(row: dict[str, object]) -> str:
    found = row.get("assignments") or []
    assert isinstance(found, list)
    return "；".join(f"{a['unit']}/{a['responsible']}" for a in found) or "未落实包保"


@minors_group.command("counts")
@click.option("--active-on", "active_on", default=None, help="在册的日期 YYYY-MM-DD（默认今天）")
@click.pass_context
def counts_cmd(ctx: click.Context, active_on: str | None) -> None:
    """各类别、各乡镇（街道）、各村（社区）的在册人数（一人多类的，各类各计一次）。"""
    register, who, _ = _register(ctx)
    day = parse_date(active_on, "在册日期")
    counts = register.counts(who, day)
    click.echo(f"{day.isoformat()} 在册重点未成年人 {counts.minors} 人。")
    labels = register.category_labels()
    for code, n in counts.categories.items():
        click.echo(f"  {labels.get(code, code)}（{code}）：{n} 人")
    if counts.rows:
        click.echo(f"{'类别':<16}{'乡镇（街道）':<14}{'村（社区）':<16}人数")
        for r in counts.rows:
            click.echo(
                f"{r['category']:<16}{r['town'] or '—':<14}{r['village'] or '—':<16}{r['minors']}"
            )


@minors_group.command("list")
@click.option(
    "--category", default=None, help="类别：代码或名称，如 serious_misconduct、严重不良行为"
)
@click.option("--town", default=None, help="所属乡镇（街道）")
@click.option("--village", default=None, help="村（社区）")
@click.option("--active-on", "active_on", default=None, help="在册的日期 YYYY-MM-DD（默认今天）")
@paging_options
@click.pass_context
def list_cmd(
    ctx: click.Context,
    category: str | None,
    town: str | None,
    village: str | None,
    active_on: str | None,
    page: int,
    per_page: int,
) -> None:
    """在册名单（公民身份号码遮蔽；编号用于 minors show 和 minors visit）。"""
    register, who, _ = _register(ctx)
    day = parse_date(active_on, "在册日期")
    offset, limit = page_window(page, per_page)
    rows = register.minors(
        who,
        day,
        category=register.category_code(category) if category else None,
        town=town,
        village=village,
        offset=offset,
        limit=limit,
    )
    if not rows:
        click.echo(
            f"第 {page} 页没有人（共 {rows.total} 人）。"
            if rows.total
            else "没有符合条件的在册未成年人。"
        )
        return
    click.echo(f"{'编号':<18}{'姓名':<8}{'公民身份号码':<20}{'乡镇/村':<20}{'类别':<24}包保")
    for r in rows:
        place = f"{r['town'] or '—'}/{r['village'] or '—'}"
        click.echo(
            f"{r['ref']:<18}{r['name']:<8}{r['id_card']:<20}{place:<20}"
            f"{'、'.join(r['category_labels']):<24}{_assigned(r)}"
        )
    click.echo(page_footer(rows, "人"))


@minors_group.command("show")
@click.argument("minor")
@click.option(
    "--reveal", is_flag=True, help="显示完整的公民身份号码（须同时写 --reason，记入审计日志）"
)
@click.option("--reason", default="", help="显示完整号码的理由（记入审计日志）")
@click.pass_context
def show_cmd(ctx: click.Context, minor: str, reveal: bool, reason: str) -> None:
    """一人一档：名册登记、包保、走访帮扶、不良行为记录、预警、本院分级干预等记录和时间线（按日期）。MINOR 为编号或公民身份号码。"""
    register, who, today = _register(ctx)
    if reason and not reveal:
        raise UserError("--reason 只与 --reveal 一起使用。", code="reason_without_reveal")
    id_card = register.find(who, minor)
    f = register.minor_file(who, id_card, today, reveal=reveal, reason=reason)
    state = "在册" if f["on_register"] else "不在册（已退出或已满18周岁）"
    click.echo(f"{f['name']}  {f['id_card']}  编号 {f['ref']}  {state}")
    if f["revealed"]:
        click.echo("（已显示完整号码，已记入审计日志）")
    click.echo("名册登记：")
    for r in f["registry"]:
        out = (
            f"，{r['withdrawn_on']} 退出（{r['withdrawal_reason'] or '未写原因'}）"
            if r["withdrawn_on"]
            else ""
        )
        click.echo(
            f"  {r['identified_on']} 认定为{r['category_label']}"
            f"{'（' + r['subcategory'] + '）' if r['subcategory'] else ''}，"
            f"{r['town'] or '—'}{r['village'] or ''}，就读学校：{r['school'] or '无'}，"
            f"监护人：{r['guardian_name'] or '—'} {r['guardian_id_card'] or ''} "
            f"{r['guardian_phone'] or ''}{out}"
        )
    click.echo("包保帮扶：" if f["assignments"] else "包保帮扶：无")
    for a in f["assignments"]:
        end = f"至 {a['ended_on']}" if a["ended_on"] else "至今"
        click.echo(
            f"  {a['started_on']} {end}  {a['unit']} {a['responsible']} "
            f"{a['responsible_phone'] or ''} {a['assignment_mode'] or ''}"
        )
    month = f["month"]
    if month:
        missing = "、".join(month["missing"]) or "无"
        click.echo(f"{month['month']} 四访：{month['status_label']}（尚缺：{missing}）")
    click.echo("走访帮扶：" if f["visits"] else "走访帮扶：无")
    for v in f["visits"]:
        click.echo(
            f"  {v['visited_on']}  {v['target']}  {v['visitor']}  {v['help_content'] or ''}"
            f"  {v['measures'] or ''}  {v['notes'] or ''}"
        )
    click.echo("不良行为记录：" if f["conduct"] else "不良行为记录：无")
    for c in f["conduct"]:
        click.echo(
            f"  {c['act_on']}  {c['conduct_class']}  {c['act']}  {c['measures'] or ''}"
            f"  {c['handled_by'] or ''}"
        )
    if f["warnings"] is not None:
        click.echo("预警：" if f["warnings"] else "预警：无")
        for w in f["warnings"]:
            click.echo(f"  线索 {w['id']}  {w['status_label']}  {w['model_name']}：{w['title']}")
    click.echo("时间线：" if f["timeline"] else "时间线：无")
    for e in f["timeline"]:
        click.echo(f"  {e.on.isoformat()}  {e.kind}  {e.summary}")


@minors_group.command("due")
@click.option("--month", default=None, help="月份 YYYY-MM（默认本月）")
@click.option("--late", is_flag=True, help="逾期名单：此前几个完整月份（默认3个）四访未落实的")
@click.option("--all", "everyone", is_flag=True, help="连同已落实的一起列出（仅按月份时）")
@paging_options
@click.pass_context
def due_cmd(
    ctx: click.Context,
    month: str | None,
    late: bool,
    everyone: bool,
    page: int,
    per_page: int,
) -> None:
    """本月应走访（四访尚未落实）的名单；--late 列出逾期未走访的。"""
    register, who, today = _register(ctx)
    offset, limit = page_window(page, per_page)
    if late:
        if month or everyone:
            raise UserError("--late 不与 --month、--all 同用：逾期名单按此前的完整月份列出。")
        rows = register.late(who, today, offset=offset, limit=limit)
        click.echo(
            f"逾期未走访：{rows.total} 人次（此前各月应走访 {rows.due} 人次，已落实 {rows.done}）。"
        )
    else:
        chosen = Month.parse(month) if month else Month.of(today)
        rows = register.due(who, chosen, today, offset=offset, limit=limit, everyone=everyone)
        click.echo(
            f"{chosen.label} 应走访 {rows.due} 人，已落实 {rows.done} 人，尚未落实 {rows.due - rows.done} 人。"
        )
    if not rows:
        return
    click.echo(f"{'编号':<18}{'月份':<9}{'姓名':<8}{'公民身份号码':<20}{'状态':<8}{'尚缺':<14}包保")
    for r in rows:
        click.echo(
            f"{r['ref']:<18}{r['month']:<9}{r['name']:<8}{r['id_card']:<20}{r['status_label']:<8}"
            f"{'、'.join(r['missing']) or '—':<14}{_assigned(r)}"
        )
    click.echo(page_footer(rows, "人次"))


@minors_group.command("visit")
@click.argument("minor")
@click.option(
    "--date", "on_date", default=None, help="走访日期 YYYY-MM-DD（默认今天，不能晚于今天）"
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    required=True,
    help=f"走访对象，可写多次：{'、'.join(FOUR_VISITS)}",
)
@click.option("--visitor", default=None, help="走访人（默认操作人本人）")
@click.option(
    "--help-content",
    "help_content",
    multiple=True,
    help="帮扶内容，可写多次：帮学业、帮技能、帮法治、帮安全、帮习惯",
)
@click.option(
    "--measure", "measures", multiple=True, help="帮扶措施，可写多次：心理辅导、劝返回校……"
)
@click.option("--note", default="", help="走访记录")
@click.pass_context
def visit_cmd(
    ctx: click.Context,
    minor: str,
    on_date: str | None,
    targets: tuple[str, ...],
    visitor: str | None,
    help_content: tuple[str, ...],
    measures: tuple[str, ...],
    note: str,
) -> None:
    """登记一次走访帮扶（作为“平台录入”批次导入走访帮扶记录，下次模型运行即读到）。"""
    register, who, today = _register(ctx)
    id_card = register.find(who, minor)
    form = visits.VisitForm(
        visited_on=parse_date(on_date, "走访日期"),
        targets=tuple(t.strip() for t in targets),
        visitor=(visitor or who.name).strip(),
        help_content=tuple(h.strip() for h in help_content),
        measures=tuple(m.strip() for m in measures),
        notes=note,
    )
    result = visits.record_visit(register, who, id_card, form, today=today)
    if result.already_imported:
        click.echo(f"这次走访已经登记过（批次 {result.batch_id}），未重复登记。")
        return
    click.echo(
        f"已登记走访：{form.visited_on.isoformat()} {'、'.join(form.targets)}，走访人 {form.visitor}"
        f"（批次 {result.batch_id}，{result.agency or '—'}）。"
    )


@minors_group.command("stats")
@click.option(
    "--by",
    type=click.Choice(list(DIMENSIONS)),
    default="category",
    show_default=True,
    help="统计维度：category 类别、town 乡镇（街道）、month 月份",
)
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="起始日期（含；默认今年1月1日）")
@click.option("--until", default=None, metavar="YYYY-MM-DD", help="截止日期（含；默认今天）")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="导出为 xlsx 文件（按类别、按乡镇（街道）、按月份三个统计表和指标说明）",
)
@click.pass_context
def stats_cmd(
    ctx: click.Context, by: str, since: str | None, until: str | None, output: Path | None
) -> None:
    """未成年人工作统计：在册、包保、四访五帮、帮扶和矫治教育措施、预警，按类别、乡镇或月份。"""
    register, who, today = _register(ctx)
    start = parse_date(since, "起始日期") if since else None
    end = parse_date(until, "截止日期") if until else None
    if output is not None:
        statistics.export(register, who, by, start, end, today, output)
        click.echo(f"已导出未成年人工作统计：{output}")
        return
    stats = statistics.view(register, who, by, start, end, today)
    click.echo(period_line(stats))
    click.echo("\t".join([DIMENSIONS[by], *(f.label for f in stats.figures)]))
    for r in stats.tables[by]:
        cells = [str(r["label"])]
        for f in stats.figures:
            v = r[f.id]
            cells.append(("—" if v is None else f"{v:.1%}") if f.is_rate else str(v))
        click.echo("\t".join(cells))
    click.echo(TOTAL_NOTE)
    if by == "month":
        click.echo(MONTH_NOTE)
    if stats.pending:
        waiting = "、".join(f.label for f in stats.pending)
        click.echo(f"尚未统计（本平台尚无这些记录）：{waiting}。")


def register(group: click.Group) -> None:
    from shujian.cli import (
        guardianship,  # 督促监护令、训诫、家庭教育指导: shujian minors order …
        tiers,  # 分级干预: shujian minors tier / tiers
    )
    from shujian.cli.probation import probation_group  # 附条件不起诉: shujian minors probation …
    from shujian.cli.supervision import supervise_group  # 督办: shujian minors supervise …

    minors_group.add_command(supervise_group)
    minors_group.add_command(probation_group)
    guardianship.register(minors_group)
    tiers.register(minors_group)
    group.add_command(minors_group)
