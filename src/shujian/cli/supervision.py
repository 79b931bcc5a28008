"""`shujian minors supervise …`: 督办 on its four rules — 一月一提示 (`prompts`), 一季一督导
(`quarter`), 一案一督办 (`open`, `list`, `show`, `follow-up`, `deadline`, `close`) and 一月一暗访
(`sample`, `check`).

The same services as the 督办 pages (`juvenile/supervision/`); ID numbers are masked everywhere.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from shujian.beijing import today_in_china
from shujian.cli.common import page_footer, page_window, paging_options, parse_date, user, workspace
from shujian.errors import UserError
from shujian.juvenile.register import Month
from shujian.juvenile.service import Register
from shujian.juvenile.supervision import items, prompts, quarterly, spot_checks
from shujian.juvenile.supervision.rules import Quarter, declarations
from shujian.users.user import User


@click.group("supervise")
def supervise_group() -> None:
    """督办：一月一提示、一季一督导、一案一督办、一月一暗访（未成年人检察部）。"""


def _context(ctx: click.Context) -> tuple[Register, User, dt.date]:
    ws = workspace(ctx)
    return Register(ws), user(ctx), today_in_china()


def _month(text: str | None, today: dt.date) -> Month:
    return Month.parse(text) if text else Month.of(today).previous()


# ---------------------------------------------------------------------------- 一月一提示


@supervise_group.command("prompts")
@click.option("--month", default=None, help="月份 YYYY-MM（默认上个月）")
@click.option("--unit", default=None, help="只生成这一个包保单位的")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="输出目录（默认当前目录下的“一月一提示-月份”）",
)
@click.pass_context
def prompts_cmd(
    ctx: click.Context, month: str | None, unit: str | None, output: Path | None
) -> None:
    """一月一提示：每个包保单位一份 xlsx，列出该月四访未落实的本单位未成年人（号码遮蔽）。"""
    register, who, today = _context(ctx)
    chosen = _month(month, today)
    preview = prompts.prepare(register, who, chosen, today)
    folder = output or Path(prompts.folder_name(preview))
    made, paths = prompts.write_folder(register, who, chosen, today, folder, unit=unit)
    timing = made.timing
    note = "（暂定：按法定节假日推算）" if timing.provisional else ""
    click.echo(
        f"{chosen.label} 应四访 {made.due} 人，已落实 {made.done} 人；"
        f"提示日为 {timing.day.isoformat()}（{chosen.next().label} 第一个工作日）{note}。"
    )
    if timing.preview:
        click.echo(
            "今天早于提示日：生成的是预览（标题和文件名注明“预览”），当月走访记录可能尚未报齐。"
        )
    for u, path in zip([made.unit(unit)] if unit else made.units, paths, strict=True):
        click.echo(f"  {u.unit}：应走访 {u.due} 人，未落实 {u.missing} 人 → {path}")
    if not paths:
        click.echo("  没有需要提示的包保单位。")
    if made.done_units and unit is None:
        click.echo(f"全部落实、无需提示的单位：{'、'.join(made.done_units)}")
    if made.unassigned and unit is None:
        names = "、".join(r["name"] for r in made.unassigned)
        click.echo(
            f"另有 {len(made.unassigned)} 人该月最后一日没有包保单位，未列入任何单位的提示：{names}"
        )


# ---------------------------------------------------------------------------- 一季一督导

COLUMNS = (
    ("minors", "人数"),
    ("assigned", "包保"),
    ("due", "应访"),
    ("done", "已访"),
    ("rate", "落实率"),
    ("missing", "未落实"),
    ("opened", "督办"),
    ("closed", "办结"),
    ("overdue", "逾期"),
    ("checks", "暗访"),
    ("not_visited", "不实"),
)


@supervise_group.command("quarter")
@click.option(
    "--quarter", "which", default=None, help="季度，如 2026Q4、2026年第四季度（默认本季度）"
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="另存为 xlsx（按乡镇、按包保单位两张表）",
)  # fmt: skip
@click.pass_context
def quarter_cmd(ctx: click.Context, which: str | None, output: Path | None) -> None:
    """一季一督导：本季度各乡镇（街道）、各包保单位的包保、走访、督办和暗访情况。"""
    register, who, today = _context(ctx)
    chosen = Quarter.parse(which) if which else Quarter.of(today)
    if output is not None:
        review, _ = quarterly.write_xlsx(register, who, chosen, today, output)
    else:
        review = quarterly.review(register, who, chosen, today)
    click.echo(f"一季一督导：{chosen.label}")
    for line in quarterly.explain(review):
        click.echo(f"  {line}")
    for title, rows, columns in (
        ("乡镇（街道）", [*review.towns, review.total], COLUMNS),
        ("包保单位", review.units, tuple(c for c in COLUMNS if c[0] != "assigned")),
    ):
        click.echo(f"{title:<14}" + "".join(f"{label:>7}" for _, label in columns))
        for r in rows:
            click.echo(f"{r['name']:<14}" + "".join(f"{r[k]!s:>8}" for k, _ in columns))
    if output is not None:
        click.echo(f"已另存为 {output}")


# ---------------------------------------------------------------------------- 一案一督办


def _deadline_text(item: dict[str, object]) -> str:
    deadline = item["deadline"]
    assert isinstance(deadline, dt.date)
    return f"{deadline.isoformat()}{item['provisional']}"


@supervise_group.command("open")
@click.argument("lead", type=int)
@click.option("--unit", default=None, help="责任单位（默认当日在期的包保单位，只有一个时）")
@click.option("--deadline", default=None, help="办结期限 YYYY-MM-DD（默认按工作日数计算）")
@click.option(
    "--working-days", "working_days", type=int, default=None,
    help=f"期限为列为督办之日后的第几个工作日（默认 {declarations().working_days}）",
)  # fmt: skip
@click.option("--note", default="", help="督办意见")
@click.pass_context
def open_cmd(
    ctx: click.Context,
    lead: int,
    unit: str | None,
    deadline: str | None,
    working_days: int | None,
    note: str,
) -> None:
    """把一条预警（线索编号 LEAD）列为督办事项。"""
    register, who, today = _context(ctx)
    item_id = items.open_item(
        register,
        who,
        lead,
        today,
        unit=unit,
        deadline=parse_date(deadline, "期限") if deadline else None,
        working_days=working_days,
        note=note,
    )
    item = items.get_item(register, who, item_id, today)
    click.echo(
        f"已列为督办事项 {item_id}：{item['name']} {item['id_card']}，责任单位 {item['unit']}，"
        f"期限 {_deadline_text(item)}（{item['deadline_basis']}）。"
    )


@supervise_group.command("list")
@click.option(
    "--state",
    type=click.Choice(list(items.STATES)),
    default="open",
    show_default=True,
    help="open 未办结（逾期的在前）、closed 已办结、all 全部",
)
@paging_options
@click.pass_context
def list_cmd(ctx: click.Context, state: str, page: int, per_page: int) -> None:
    """督办事项：逾期的在前，其次按期限先后，已办结的在后。"""
    register, who, today = _context(ctx)
    offset, limit = page_window(page, per_page)
    rows = items.list_items(register, who, today, state=state, offset=offset, limit=limit)
    if not rows:
        click.echo("没有督办事项。" if not rows.total else f"第 {page} 页没有督办事项。")
        return
    click.echo(f"逾期未办结 {rows.overdue} 件。")
    click.echo(
        f"{'编号':<6}{'状态':<10}{'期限':<12}{'姓名':<8}{'公民身份号码':<20}{'责任单位':<16}预警"
    )
    for r in rows:
        status = r["status_label"] + (f"{r['days_overdue']}日" if r["days_overdue"] else "")
        click.echo(
            f"{r['id']:<6}{status:<10}{r['deadline'].isoformat():<12}{r['name']:<8}"
            f"{r['id_card']:<20}{r['unit']:<16}线索 {r['lead_id']} {r['model_name']}"
        )
    click.echo(page_footer(rows, "件"))


@supervise_group.command("show")
@click.argument("item_id", type=int)
@click.pass_context
def show_cmd(ctx: click.Context, item_id: int) -> None:
    """一件督办事项：预警、责任单位、期限和经过。"""
    register, who, today = _context(ctx)
    item = items.get_item(register, who, item_id, today)
    status = item["status_label"] + (f"{item['days_overdue']}日" if item["days_overdue"] else "")
    click.echo(f"督办事项 {item['id']}  {status}")
    click.echo(
        f"未成年人：{item['name']} {item['id_card']}（编号 {item['ref']}），{item['town'] or '—'}"
    )
    click.echo(
        f"预警：线索 {item['lead']['id']}（{item['lead']['status_label']}）{item['lead']['title']}"
    )
    click.echo(f"责任单位：{item['unit']}")
    click.echo(f"期限：{_deadline_text(item)}（{item['deadline_basis']}）")
    if item["closed_on"]:
        click.echo(f"办结：{item['closed_on'].isoformat()}  {item['result']}")
    click.echo("经过：")
    for e in item["events"]:
        detail = ""
        if e["kind"] == "deadline":
            detail = f"（{e['detail']['from']} → {e['detail']['to']}）"
        click.echo(
            f"  {e['on_date'].isoformat()}  {e['kind_label']}{detail}  {e['by_whom']}  {e['text']}"
        )


@supervise_group.command("follow-up")
@click.argument("item_id", type=int)
@click.option("--text", "text", required=True, help="跟进情况（督促、核查、单位反馈……）")
@click.option("--date", "on_date", default=None, help="跟进日期 YYYY-MM-DD（默认今天）")
@click.option("--by", default=None, help="跟进人（默认操作人本人）")
@click.pass_context
def follow_up_cmd(
    ctx: click.Context, item_id: int, text: str, on_date: str | None, by: str | None
) -> None:
    """登记一次跟进。"""
    register, who, today = _context(ctx)
    day = parse_date(on_date, "跟进日期")
    items.follow_up(register, who, item_id, today, on_date=day, text=text, by=by)
    click.echo(f"已登记督办事项 {item_id} 的跟进（{day.isoformat()}）。")


@supervise_group.command("deadline")
@click.argument("item_id", type=int)
@click.option("--date", "on_date", required=True, help="新的期限 YYYY-MM-DD")
@click.option("--reason", required=True, help="变更期限的理由")
@click.pass_context
def deadline_cmd(ctx: click.Context, item_id: int, on_date: str, reason: str) -> None:
    """变更期限（延期或提前），原期限留在经过中。"""
    register, who, today = _context(ctx)
    day = parse_date(on_date, "期限")
    items.move_deadline(register, who, item_id, today, deadline=day, reason=reason)
    click.echo(f"督办事项 {item_id} 的期限已改为 {day.isoformat()}。")


@supervise_group.command("close")
@click.argument("item_id", type=int)
@click.option("--result", required=True, help="办结结果（整改落实情况）")
@click.option("--date", "on_date", default=None, help="办结日期 YYYY-MM-DD（默认今天）")
@click.pass_context
def close_cmd(ctx: click.Context, item_id: int, result: str, on_date: str | None) -> None:
    """办结督办事项。"""
    register, who, today = _context(ctx)
    day = parse_date(on_date, "办结日期")
    items.close_item(register, who, item_id, today, closed_on=day, result=result)
    item = items.get_item(register, who, item_id, today)
    click.echo(f"督办事项 {item_id} 已办结（{day.isoformat()}，{item['status_label']}）。")


# ---------------------------------------------------------------------------- 一月一暗访


@supervise_group.command("sample")
@click.option("--month", default=None, help="月份 YYYY-MM（默认本月）")
@click.option("--draw", is_flag=True, help="抽取该月的样本（每月只能抽取一次）")
@click.option("--percent", type=float, default=None, help="抽取时：各组抽取的百分比（默认按声明）")
@click.option("--minimum", type=int, default=None, help="抽取时：每组至少抽取的人数（默认按声明）")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="另存为 xlsx",
)  # fmt: skip
@click.pass_context
def sample_cmd(
    ctx: click.Context,
    month: str | None,
    draw: bool,
    percent: float | None,
    minimum: int | None,
    output: Path | None,
) -> None:
    """一月一暗访：该月的抽查样本和核查结果；--draw 抽取。"""
    register, who, today = _context(ctx)
    chosen = Month.parse(month) if month else Month.of(today)
    if (percent is not None or minimum is not None) and not draw:
        raise UserError("--percent、--minimum 只在 --draw 抽取时使用。", code="sample_options")
    if draw:
        drawn = spot_checks.draw(register, who, chosen, today, percent=percent, minimum=minimum)
        click.echo(
            f"已抽取 {chosen.label} 的暗访样本：从 {drawn.population} 人中抽取 {drawn.drawn} 人。"
        )
    if output is not None:
        spot_checks.write_xlsx(register, who, chosen, output)
    found = spot_checks.sample(register, who, chosen)
    if not found.drawn:
        click.echo(f"{chosen.label} 的暗访样本尚未抽取。")
        return
    by = spot_checks.BY_LABELS.get(found.by or "", found.by)
    click.echo(
        f"{chosen.label} 暗访样本 {len(found.rows)} 人（按{by}分组各抽 {found.percent:g}%，"
        f"每组至少 {found.minimum} 人；{found.drawn_by} 抽取），已核查 {found.checked} 人。"
    )
    if found.reproduced is False:
        click.echo(
            "注意：按现有数据重新计算的样本与抽取时不同（抽取后名册或包保有变动），以抽取时为准。"
        )
    click.echo(
        f"{'核查编号':<8}{'分组':<12}{'姓名':<8}{'公民身份号码':<20}{'包保单位':<16}核查结果"
    )
    for r in found.rows:
        result = r["result_label"] or "未核查"
        if r["result"]:
            result += f"（{r['result']['checked_on'].isoformat()} {r['result']['note']}）"
        click.echo(
            f"{r['id']:<8}{r['stratum']:<12}{r['name']:<8}{r['id_card']:<20}"
            f"{'、'.join(r['units']):<16}{result}"
        )
    if output is not None:
        click.echo(f"已另存为 {output}")


@supervise_group.command("check")
@click.argument("check_id", type=int)
@click.option(
    "--result",
    required=True,
    help="核查结果："
    + "、".join(declarations().spot_check.results.values())
    + "（或 属实、不实、无法核实）",
)
@click.option("--date", "on_date", default=None, help="核查日期 YYYY-MM-DD（默认今天）")
@click.option("--note", default="", help="核查情况（走访不实、无法核实的必填）")
@click.pass_context
def check_cmd(
    ctx: click.Context, check_id: int, result: str, on_date: str | None, note: str
) -> None:
    """登记一次暗访核查的结果（再次登记以最新的为准，原记录保留）。"""
    register, who, today = _context(ctx)
    day = parse_date(on_date, "核查日期")
    spot_checks.record_result(
        register, who, check_id, today, result=result, checked_on=day, note=note
    )
    click.echo(f"已登记暗访核查 {check_id} 的结果（{day.isoformat()}）。")
