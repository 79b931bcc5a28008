"""`shujian minors order …`, `minors reprimand`, `minors guidance`: 督促监护令 (issue, list, show,
document, render, followup, overdue), 训诫 and 家庭教育指导.

The same services as the 督促监护令 pages (`juvenile/guardianship/`); a minor is named by its 编号
(or a full ID number), which lists show instead of the number.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import click

from shujian.beijing import today_in_china
from shujian.cli.common import parse_date, user, workspace
from shujian.errors import UserError
from shujian.juvenile.guardianship import orders, records, rules
from shujian.juvenile.service import Register
from shujian.users.user import User


def _context(ctx: click.Context) -> tuple[Register, User, dt.date]:
    return Register(workspace(ctx)), user(ctx), today_in_china()


def _due_text(v: dict[str, object]) -> str:
    due = v["due"]
    assert isinstance(due, dt.date)
    moved = "（顺延）" if v.get("moved") else ""
    return f"{due.isoformat()}{moved}{v.get('provisional') or ''}"


@click.group("order")
def order_group() -> None:
    """督促监护令：制发、清单、查看、打印、回访、逾期未回访名单。"""


def _pdf(docx_path: Path, out: Path) -> Path:
    from shujian.cases.documents.preview import to_pdf

    with tempfile.TemporaryDirectory(prefix="shujian-order-pdf-") as folder:
        pdf = to_pdf(docx_path, Path(folder))
        if pdf is None:
            raise UserError("本机没有安装 LibreOffice，无法转换为 PDF。", code="no_libreoffice")
        target = out.with_suffix(".pdf")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pdf, target)
    return target


@order_group.command("issue")
@click.argument("minor")
@click.option("--guardian", required=True, help="监护人姓名（督促监护令的主送）")
@click.option("--relation", required=True, help="监护人与未成年人的关系，如 父亲、母亲、祖母")
@click.option(
    "--fact",
    "facts",
    multiple=True,
    required=True,
    help="未依法履行监护职责的事实（可写多次，每次一段）",
)
@click.option(
    "--item", "items", multiple=True, required=True, help="责令履行的监护事项（可写多次，每次一项）"
)
@click.option(
    "--basis", "basis", multiple=True,
    help="法律依据（可写多次）：家庭教育促进法第四十九条（默认）、预防未成年人犯罪法第六十一条、未成年人保护法第一百一十八条",
)  # fmt: skip
@click.option("--guidance", default="", help="责令接受的家庭教育指导（不写则不责令）")
@click.option("--number", default=None, help="统一业务应用系统编定的文号（本院由平台编号时不写）")
@click.option("--on", "on_date", default=None, help="制发日期 YYYY-MM-DD（默认今天）")
@click.option("--contact", default=None, help="联系人及电话（默认 [recommendations] contact）")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="另存一份 .docx",
)
@click.option("--pdf", is_flag=True, help="同时另存为 PDF（需要 LibreOffice）")
@click.pass_context
def issue_cmd(
    ctx: click.Context,
    minor: str,
    guardian: str,
    relation: str,
    facts: tuple[str, ...],
    items: tuple[str, ...],
    basis: tuple[str, ...],
    guidance: str,
    number: str | None,
    on_date: str | None,
    contact: str | None,
    output: Path | None,
    pdf: bool,
) -> None:
    """向未成年人（编号 MINOR）的监护人制发督促监护令。"""
    register, who, today = _context(ctx)
    issued = orders.issue_order(
        register,
        who,
        today,
        minor,
        guardian=guardian,
        relation=relation,
        facts=facts,
        items=items,
        basis=basis,
        guidance=guidance,
        on_date=parse_date(on_date, "制发日期") if on_date else None,
        number=number,
        contact=contact,
    )
    click.echo(f"已制发督促监护令 {issued.number}，存档：{issued.document}")
    for d in issued.due:
        moved = "（顺延）" if d.moved else ""
        note = "（暂定）" if d.provisional else ""
        click.echo(f"  第{d.visit}次回访（第{d.months}个月）：{d.on.isoformat()}{moved}{note}")
    if output is not None or pdf:
        out = output or Path(f"{issued.number}.docx")
        orders.render_again(register, who, issued.number, out)
        click.echo(f"已另存：{out}")
        if pdf:
            click.echo(f"已另存：{_pdf(out, out)}")


@order_group.command("list")
@click.pass_context
def list_cmd(ctx: click.Context) -> None:
    """督促监护令清单：未改善待处理、有逾期未回访的在前。"""
    register, who, today = _context(ctx)
    rows = orders.list_orders(register, who, today)
    if not rows:
        click.echo("没有督促监护令。")
        return
    click.echo(
        f"{'文号':<18}{'制发日期':<12}{'未成年人':<8}{'编号':<18}{'监护人':<10}{'状态':<10}下次回访"
    )
    for o in rows:
        nxt = o["next_due"].isoformat() + o["next_provisional"] if o["next_due"] else "—"
        click.echo(
            f"{o['number']:<18}{o['issued_on'].isoformat():<12}{o['name']:<8}{o['ref']:<18}"
            f"{o['relation']}{o['guardian']:<8}{o['status_label']:<10}{nxt}"
        )
    click.echo(f"共 {len(rows)} 份。")


@order_group.command("show")
@click.argument("number")
@click.pass_context
def show_cmd(ctx: click.Context, number: str) -> None:
    """一份督促监护令：主送、事项、回访安排和结果、训诫、家庭教育指导。"""
    register, who, today = _context(ctx)
    o = orders.get_order(register, who, number, today)
    c = o["content"]
    click.echo(f"督促监护令 {o['number']}  {o['status_label']}")
    click.echo(f"制发日期：{o['issued_on'].isoformat()}  制发人：{o['actor']}")
    click.echo(f"未成年人：{o['name']} {o['id_card']}（编号 {o['ref']}）")
    click.echo(f"主送：{o['guardian']}（{o['relation']}）")
    click.echo(f"依据：{'、'.join(c['basis'])}")
    for i, item in enumerate(c["items"], 1):
        click.echo(f"  事项{i}：{item}")
    if c.get("guidance"):
        click.echo(f"家庭教育指导：{c['guidance']}")
    click.echo("回访：")
    for v in o["visits"]:
        line = f"  第{v['visit']}次（第{v['months']}个月）应于 {_due_text(v)}：{v['status_label']}"
        if v["record"]:
            r = v["record"]
            line += (
                f"，{r['visited_on'].isoformat()} {v['outcome_label']}（{r['by_whom']}）{r['note']}"
            )
        elif v["status"] == "overdue":
            line += f"，已逾期 {v['days_late']} 日"
        click.echo(line)
    for r in o["reprimands"]:
        click.echo(
            f"训诫：{r['on_date'].isoformat()} {r['relation']}{r['guardian']}（{r['ground_label']}）{r['text']}"
        )
    for s in o["sessions"]:
        click.echo(
            f"家庭教育指导：{s['on_date'].isoformat()} {s['form']} {'、'.join(s['guardians'])}：{s['content']}"
        )
    if not o["rendered"]:
        click.echo(f"注意：文书尚未生成（{o['render_error'] or '未生成'}）。")


@order_group.command("document")
@click.argument("number")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="输出的 .docx 文件",
)
@click.option("--pdf", is_flag=True, help="同时另存为 PDF（需要 LibreOffice）")
@click.pass_context
def document_cmd(ctx: click.Context, number: str, output: Path, pdf: bool) -> None:
    """按存档重新打印督促监护令（与制发时的文书逐字节相同）。"""
    register, who, _ = _context(ctx)
    printed = orders.render_again(register, who, number, output)
    if printed.archive != "intact":
        click.echo("存档文书缺失或已被改动，已按制发时存档的内容重新生成（与制发时记录的相同）。")
    click.echo(f"已另存：{printed.path}")
    if pdf:
        click.echo(f"已另存：{_pdf(printed.path, printed.path)}")


@order_group.command("render")
@click.argument("number")
@click.pass_context
def render_cmd(ctx: click.Context, number: str) -> None:
    """文书未能生成的督促监护令：按存档内容重新生成存档文书（文号不变）。"""
    register, who, _ = _context(ctx)
    path = orders.render_issued(register, who, number)
    click.echo(f"已生成督促监护令 {number} 的存档文书：{path}")


@order_group.command("followup")
@click.argument("number")
@click.option("--on", "on_date", default=None, help="回访日期 YYYY-MM-DD（默认今天）")
@click.option("--outcome", required=True, help="回访结果：" + "、".join(rules.OUTCOMES.values()))
@click.option("--note", default="", help="回访情况（未改善的必填）")
@click.option("--visit", type=int, default=None, help="第几次回访（默认第一次尚未登记的）")
@click.option("--by", default=None, help="回访人（默认操作人本人）")
@click.pass_context
def followup_cmd(
    ctx: click.Context,
    number: str,
    on_date: str | None,
    outcome: str,
    note: str,
    visit: int | None,
    by: str | None,
) -> None:
    """登记一次督促监护令回访。"""
    register, who, today = _context(ctx)
    day = parse_date(on_date, "回访日期")
    done = orders.record_follow_up(
        register, who, number, today, on_date=day, outcome=outcome, note=note, visit=visit, by=by
    )
    late = "逾期回访" if done["late"] else "按期回访"
    click.echo(
        f"已登记 {done['number']} 第{done['visit']}次回访（应于 {done['due'].isoformat()}，"
        f"{day.isoformat()} {late}）：{done['outcome_label']}。"
    )
    if done["outcome"] == "not_improved":
        click.echo(
            "回访结果为未改善：应依法对监护人予以训诫，并可以责令其接受家庭教育指导"
            "（shujian minors reprimand、shujian minors guidance）。"
        )


@order_group.command("overdue")
@click.option("--today", "as_of", default=None, help="按这一天计算（YYYY-MM-DD，默认今天）")
@click.pass_context
def overdue_cmd(ctx: click.Context, as_of: str | None) -> None:
    """逾期未回访名单：到期未登记的回访，逾期最久的在前。"""
    register, who, today = _context(ctx)
    day = parse_date(as_of, "日期") if as_of else today
    rows = orders.overdue(register, who, day)
    if not rows:
        click.echo(f"截至 {day.isoformat()} 没有逾期未回访的督促监护令。")
        return
    click.echo(f"截至 {day.isoformat()} 逾期未回访 {len(rows)} 次：")
    for r in rows:
        o = r["order"]
        click.echo(
            f"  {o['number']} 第{r['visit']}次回访 应于 {_due_text(r)}，逾期 {r['days_late']} 日："
            f"{o['name']}（编号 {o['ref']}），监护人 {o['relation']}{o['guardian']}"
        )


def _ground_help() -> str:
    return "训诫的依据：" + "、".join(rules.GROUNDS.values()) + "（可简写为 49、61、118）"


def reprimand_cmd() -> click.Command:
    @click.command("reprimand")
    @click.argument("minor")
    @click.option("--guardian", required=True, help="被训诫的监护人姓名")
    @click.option("--relation", required=True, help="监护人与未成年人的关系")
    @click.option("--ground", required=True, help=_ground_help())
    @click.option("--text", "text", required=True, help="训诫内容")
    @click.option("--on", "on_date", default=None, help="训诫日期 YYYY-MM-DD（默认今天）")
    @click.option("--by", default=None, help="训诫人（默认操作人本人）")
    @click.option("--order", default=None, help="所涉督促监护令的文号")
    @click.pass_context
    def command(
        ctx: click.Context,
        minor: str,
        guardian: str,
        relation: str,
        ground: str,
        text: str,
        on_date: str | None,
        by: str | None,
        order: str | None,
    ) -> None:
        """登记对未成年人（编号 MINOR）监护人的训诫。"""
        register, who, today = _context(ctx)
        day = parse_date(on_date, "训诫日期")
        rid = records.record_reprimand(
            register, who, today, minor, guardian=guardian, relation=relation, on_date=day,
            ground=ground, text=text, by=by, order=order,
        )  # fmt: skip
        click.echo(f"已登记训诫（记录 {rid}，{day.isoformat()}，{relation}{guardian}）。")

    return command


def guidance_cmd() -> click.Command:
    @click.command("guidance")
    @click.argument("minor")
    @click.option(
        "--guardian", "guardians", multiple=True, required=True, help="接受指导的监护人（可写多次）"
    )
    @click.option("--on", "on_date", default=None, help="指导日期 YYYY-MM-DD（默认今天）")
    @click.option("--form", required=True, help="指导形式：线下、线上")
    @click.option("--content", required=True, help="指导内容")
    @click.option("--by", default=None, help="指导人（默认操作人本人）")
    @click.option("--order", default=None, help="所依据的督促监护令的文号")
    @click.pass_context
    def command(
        ctx: click.Context,
        minor: str,
        guardians: tuple[str, ...],
        on_date: str | None,
        form: str,
        content: str,
        by: str | None,
        order: str | None,
    ) -> None:
        """登记一次对未成年人（编号 MINOR）监护人的家庭教育指导。"""
        register, who, today = _context(ctx)
        day = parse_date(on_date, "指导日期")
        sid = records.record_guidance(
            register, who, today, minor, guardians=guardians, on_date=day, form=form,
            content=content, by=by, order=order,
        )  # fmt: skip
        click.echo(f"已登记家庭教育指导（记录 {sid}，{day.isoformat()}，{'、'.join(guardians)}）。")

    return command


def register(group: click.Group) -> None:
    """Add the commands to `shujian minors`."""
    group.add_command(order_group)
    group.add_command(reprimand_cmd())
    group.add_command(guidance_cmd())
