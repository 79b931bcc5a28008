"""`shujian aid apply | review | approve | fast | pay | document | stats`: 国家司法救助
(docs/judicial_aid.md), a case kind: the case is also shown and moved with `shujian cases`
(不予救助: `cases act N refuse --reason …`; 结案: `cases act N close --reason …`)."""

from __future__ import annotations

from pathlib import Path

import click

from shujian import audit
from shujian.cli.common import parse_date, user, workspace


@click.group("aid")
def aid_group() -> None:
    """国家司法救助：受理申请、审查认定、决定救助（限额核对、决定书）、快速救助、发放和统计。"""


@aid_group.command("apply")
@click.option("--department", required=True, help="承办部门（一般为控告申诉检察部）")
@click.option("--prosecutor", required=True, help="承办检察官")
@click.option("--reason", required=True, help="受理理由（案件和申请的概况）")
@click.option("--on", "on", required=True, metavar="YYYY-MM-DD", help="受理日期")
@click.option("--juvenile", is_flag=True, help="申请人或被害人是未成年人（案件标记为涉未成年人）")
@click.pass_context
def apply_cmd(
    ctx: click.Context, department: str, prosecutor: str, reason: str, on: str, juvenile: bool
) -> None:
    """受理国家司法救助申请（立案，不需要线索）。"""
    from shujian.judicial_aid import service

    cid = service.apply(workspace(ctx), user(ctx), department=department, prosecutor=prosecutor,
                        reason=reason, received_on=parse_date(on, "受理日期"),
                        juvenile=juvenile)  # fmt: skip
    click.echo(f"已受理：国家司法救助案件 {cid}。")


def _grounds() -> list[str]:
    from shujian.judicial_aid.rules import declarations

    return [g.label for g in declarations().grounds]


@aid_group.command("review")
@click.argument("case_id", type=int)
@click.option("--ground", required=True, help="救助情形：" + "、".join(
    ["重伤或严重残疾", "危及生命急需救治", "被害人死亡", "财产重大损失", "举报人证人鉴定人遭打击报复",
     "民事侵权致人身伤害", "其他情形"]))  # fmt: skip
@click.option("--applicant", required=True, help="救助申请人姓名")
@click.option("--people", default="1", show_default=True, help="救助人数")
@click.option("--minor", is_flag=True, help="申请人系未成年人（决定书中只写姓氏加“某”）")
@click.option("--on", "on", required=True, metavar="YYYY-MM-DD", help="审查认定日期")
@click.pass_context
def review_cmd(ctx: click.Context, case_id: int, ground: str, applicant: str, people: str,
               minor: bool, on: str) -> None:  # fmt: skip
    """审查认定：救助情形、申请人和救助人数。"""
    from shujian.judicial_aid import service

    service.review(workspace(ctx), user(ctx), case_id, parse_date(on, "审查认定日期"),
                   ground=ground, applicant=applicant, people=people, minor=minor)  # fmt: skip
    click.echo(f"案件 {case_id} 已审查认定：{ground}。")


def _echo_approved(done: object) -> None:
    from shujian.judicial_aid.rules import yuan

    click.echo(f"已决定救助：{done.number}，金额 {yuan(done.amount)} 元"  # type: ignore[attr-defined]
               f"（限额 {yuan(done.cap)} 元）；决定书：{done.document}")  # type: ignore[attr-defined]  # fmt: skip


@aid_group.command("approve")
@click.argument("case_id", type=int)
@click.option("--amount", required=True, help="救助金额，例如 5万元、50000")
@click.option("--on", "on", required=True, metavar="YYYY-MM-DD", help="决定日期")
@click.option("--exceed-approval", default="", help="突破限额时：报批情况")
@click.option("--damages", default=None, help="突破限额时：人民法院依法应当判决的赔偿数额")
@click.pass_context
def approve_cmd(ctx: click.Context, case_id: int, amount: str, on: str, exceed_approval: str,
                damages: str | None) -> None:  # fmt: skip
    """决定救助：核对限额，编号并生成国家司法救助决定书。"""
    from shujian.judicial_aid import service

    _echo_approved(service.approve(workspace(ctx), user(ctx), case_id, parse_date(on, "决定日期"),
                                   amount=amount, exceed_approval=exceed_approval,
                                   damages=damages))  # fmt: skip


@aid_group.command("fast")
@click.argument("case_id", type=int)
@click.option("--ground", required=True, help="救助情形")
@click.option("--applicant", required=True, help="救助申请人姓名")
@click.option("--people", default="1", show_default=True, help="救助人数")
@click.option("--minor", is_flag=True, help="申请人系未成年人")
@click.option("--amount", required=True, help="救助金额（不超过本院快速救助上限）")
@click.option("--on", "on", required=True, metavar="YYYY-MM-DD", help="受理当日")
@click.pass_context
def fast_cmd(ctx: click.Context, case_id: int, ground: str, applicant: str, people: str,
             minor: bool, amount: str, on: str) -> None:  # fmt: skip
    """快速救助：受理当日审查认定并决定（小额）。"""
    from shujian.judicial_aid import service

    _echo_approved(service.fast_track(workspace(ctx), user(ctx), case_id, parse_date(on, "日期"),
                                      ground=ground, applicant=applicant, amount=amount,
                                      people=people, minor=minor))  # fmt: skip


@aid_group.command("pay")
@click.argument("case_id", type=int)
@click.option("--method", type=click.Choice(["银行转账", "现金", "其他"]), required=True,
              help="发放方式")  # fmt: skip
@click.option("--on", "on", required=True, metavar="YYYY-MM-DD", help="发放日期")
@click.pass_context
def pay_cmd(ctx: click.Context, case_id: int, method: str, on: str) -> None:
    """登记救助金已发放。"""
    from shujian.judicial_aid import service

    service.pay(workspace(ctx), user(ctx), case_id, parse_date(on, "发放日期"), method=method)
    click.echo(f"案件 {case_id} 救助金已发放。")


@aid_group.command("document")
@click.argument("number")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="写出的 .docx 文件")  # fmt: skip
@click.pass_context
def document_cmd(ctx: click.Context, number: str, output: Path) -> None:
    """按记录的内容重新生成一份国家司法救助决定书。"""
    from shujian.judicial_aid import service

    click.echo(f"已写出：{service.render(workspace(ctx), user(ctx), number, output)}")


def echo_figures(ctx: click.Context, since: str | None, until: str | None,
                 output: Path | None) -> None:  # fmt: skip
    """The figures per ground, to the screen or xlsx."""
    from shujian.judicial_aid import service
    from shujian.judicial_aid.rules import FIGURES
    from shujian.judicial_aid.workbook import export_xlsx

    ws = workspace(ctx)
    actor = user(ctx)
    rows = service.figures(ws, actor, parse_date(since, "起始日期") if since else None,
                           parse_date(until, "截止日期") if until else None)  # fmt: skip
    audit.record_view(ws.store, actor.name, "stats", "judicial_aid",
                      {"since": since, "until": until, "file": str(output) if output else None},
                      action="export" if output else "view")  # fmt: skip
    if output is not None:
        export_xlsx(rows, output)
        click.echo(f"已导出国家司法救助统计表：{output}")
        return
    click.echo("\t".join(["救助情形", *(label for _, label in FIGURES)]))
    for r in rows:
        click.echo("\t".join([str(r["ground"]), *(str(r[k]) for k, _ in FIGURES)]))


@aid_group.command("stats")
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="起始日期（含，按决定日期）")
@click.option("--until", default=None, metavar="YYYY-MM-DD", help="截止日期（含）")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="导出为 xlsx 文件")  # fmt: skip
@click.pass_context
def stats_cmd(ctx: click.Context, since: str | None, until: str | None,
              output: Path | None) -> None:  # fmt: skip
    """按救助情形统计决定救助的件数、人数、金额，其中快速救助和已发放。"""
    echo_figures(ctx, since, until, output)


def register(group: click.Group) -> None:
    group.add_command(aid_group)
