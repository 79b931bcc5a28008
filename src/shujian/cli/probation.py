"""`shujian minors probation …`: 附条件不起诉考察 — 审查 (`open`, `facts`, `check`), 决定
(`decide`) or 起诉 (`prosecute`), 送达、宣布 (`serve`), 考验期 (`report`, `violation`), the end
(`opinion`, `document`, `end`) or 撤销 (`revoke`), and the lists (`list`, `show`, `overdue`).

The same services as the pages (`juvenile/probation/service.py`); ID numbers are masked.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from shujian.beijing import today_in_china
from shujian.cli.common import page_footer, page_window, paging_options, parse_date, user, workspace
from shujian.juvenile.probation import rules, service
from shujian.juvenile.probation.eligibility import Check, parse_heard, parse_objection
from shujian.juvenile.service import Register
from shujian.users.user import User


@click.group("probation")
def probation_group() -> None:
    """附条件不起诉考察：审查、决定、送达宣布、考验期报告、考察意见书、不起诉或撤销（未成年人检察部）。"""


def _context(ctx: click.Context) -> tuple[Register, User, dt.date]:
    return Register(workspace(ctx)), user(ctx), today_in_china()


def facts_options(command: Any) -> Any:
    options = [
        click.option("--act-on", "act_on", default=None, help="行为日期 YYYY-MM-DD"),
        click.option("--charge", default=None, help="涉嫌罪名（如 盗窃罪）或刑法条文（如 264）"),
        click.option("--sentence", default=None,
                     help="可能判处的刑罚：有期徒刑写月数（8、有期徒刑1年），或 拘役、管制、单处罚金"),
        click.option("--prosecutable/--not-prosecutable", default=None, help="符合起诉条件"),
        click.option("--remorse/--no-remorse", default=None, help="有悔罪表现"),
        click.option("--heard", multiple=True,
                     help="已听取意见的一方：公安机关、被害人、未成年犯罪嫌疑人、法定代理人、辩护人；"
                          "可写 被害人=无、辩护人=未听取；可重复"),
        click.option("--objection", default=None,
                     help="异议：无、对决定（对附条件不起诉决定本身）、仅对条件或期限"),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


def _facts(
    act_on: str | None,
    charge: str | None,
    sentence: str | None,
    prosecutable: bool | None,
    remorse: bool | None,
    heard: tuple[str, ...],
    objection: str | None,
) -> service.FactsInput:
    return service.FactsInput(
        act_on=parse_date(act_on, "行为日期") if act_on else None,
        charge=charge,
        sentence=sentence,
        prosecutable=prosecutable,
        remorse=remorse,
        heard=parse_heard(heard) if heard else None,
        objection=parse_objection(objection) if objection is not None else None,
    )


def _echo_check(result: Check) -> None:
    for c in result.conditions:
        note = f"：{c.note}" if c.note else ""
        click.echo(f"  [{c.status_label}] {c.label}{note}（{c.basis}）")
    click.echo(f"结论：{result.verdict_label}。")
    if result.verdict == "incomplete":
        click.echo(f"尚未记录：{'、'.join(result.missing())}。")


@probation_group.command("check")
@click.argument("number", required=False, type=int)
@click.option("--id", "id_card", default=None, help="不登记、只审查时：公民身份号码")
@facts_options
@click.pass_context
def check_cmd(ctx: click.Context, number: int | None, id_card: str | None, **facts: Any) -> None:
    """逐项审查附条件不起诉的条件：已登记的写编号 NUMBER；未登记的写 --id 和各项情况（不记录）。"""
    register, who, today = _context(ctx)
    if number is not None:
        p = service.get_probation(register, who, number, today)
        click.echo(f"附条件不起诉考察 {number}：{p['name']} {p['id_card']}（{p['state_label']}）")
        _echo_check(p["check"])
        return
    service.check_view(who, register.juvenile_department)
    result = service.preview(id_card or "", _facts(**facts))
    _echo_check(result)


@probation_group.command("open")
@click.option("--id", "id_card", required=True, help="未成年犯罪嫌疑人的公民身份号码")
@click.option("--name", default="", help="姓名（在重点未成年人名册中的可不写）")
@click.option("--on", "on", default=None, help="审查日期（默认今天）")
@facts_options
@click.pass_context
def open_cmd(ctx: click.Context, id_card: str, name: str, on: str | None, **facts: Any) -> None:
    """登记一名未成年犯罪嫌疑人的附条件不起诉审查（不在名册中的也可以）。"""
    register, who, today = _context(ctx)
    pid = service.open_probation(
        register, who, today, id_card=id_card, name=name, facts=_facts(**facts),
        opened_on=parse_date(on, "审查日期") if on else None,
    )  # fmt: skip
    p = service.get_probation(register, who, pid, today)
    click.echo(f"已登记附条件不起诉考察 {pid}：{p['name']} {p['id_card']}，审查中。")
    _echo_check(p["check"])


@probation_group.command("facts")
@click.argument("number", type=int)
@click.option("--note", default="", help="说明")
@facts_options
@click.pass_context
def facts_cmd(ctx: click.Context, number: int, note: str, **facts: Any) -> None:
    """补充审查情况（听取意见、异议、罪名、可能判处的刑罚 ……）。"""
    register, who, today = _context(ctx)
    result = service.record_facts(register, who, number, today, _facts(**facts), note)
    click.echo(f"已补充附条件不起诉考察 {number} 的审查情况。")
    _echo_check(result)


@probation_group.command("decide")
@click.argument("number", type=int)
@click.option("--on", "on", default=None, help="决定日期（默认今天）")
@click.option("--months", type=int, required=True, help="考验期月数（6至12）")
@click.option("--agency", required=True, help="考察机关")
@click.option("--mentor", default="", help="帮教人员")
@click.option("--measure", "measures", multiple=True,
              help="考察措施（规则第四百七十六条）：" + "、".join(
                  f"{k}（{v}）" for k, v in rules.declarations().measures.items()))  # fmt: skip
@click.option("--note", default="", help="说明")
@click.pass_context
def decide_cmd(
    ctx: click.Context, number: int, on: str | None, months: int, agency: str, mentor: str,
    measures: tuple[str, ...], note: str,
) -> None:  # fmt: skip
    """决定附条件不起诉：逐项条件均符合才可决定；考验期届满日、送达期限按日历计算。"""
    register, who, today = _context(ctx)
    made = service.decide(
        register, who, number, today, decided_on=parse_date(on, "决定日期"), months=months,
        agency=agency, mentor=mentor, measures=list(measures), note=note,
    )  # fmt: skip
    p = service.get_probation(register, who, number, today)
    click.echo(
        f"已决定附条件不起诉：考验期 {months} 个月，至 {made['ends_on'].isoformat()}；"
        f"应于 {made['service_due'].isoformat()}{p['service_provisional']} 前送达、公开宣布。"
    )


@probation_group.command("prosecute")
@click.argument("number", type=int)
@click.option("--on", "on", default=None, help="起诉决定日期（默认今天）")
@click.option("--reason", required=True, help="理由")
@click.pass_context
def prosecute_cmd(ctx: click.Context, number: int, on: str | None, reason: str) -> None:
    """审查后作出起诉决定（不符合条件，或对附条件不起诉决定本身有异议）。"""
    register, who, today = _context(ctx)
    service.prosecute(register, who, number, today, on=parse_date(on, "日期"), reason=reason)
    click.echo(f"附条件不起诉考察 {number}：已作出起诉决定。")


@probation_group.command("serve")
@click.argument("number", type=int)
@click.option("--on", "on", default=None, help="送达、宣布日期（默认今天）")
@click.option("--note", default="", help="送达、宣布情况")
@click.pass_context
def serve_cmd(ctx: click.Context, number: int, on: str | None, note: str) -> None:
    """登记附条件不起诉决定书的送达和公开宣布（三日以内）。"""
    register, who, today = _context(ctx)
    late = service.serve(register, who, number, today, served_on=parse_date(on), note=note)
    click.echo(f"已登记送达、宣布，考验期进行中。{'（逾期送达）' if late else ''}")


@probation_group.command("report")
@click.argument("number", type=int)
@click.option("--on", "on", default=None, help="报告日期（默认今天）")
@click.option("--text", required=True, help="报告的活动情况")
@click.pass_context
def report_cmd(ctx: click.Context, number: int, on: str | None, text: str) -> None:
    """登记被考察人报告自己的活动情况。"""
    register, who, today = _context(ctx)
    label = service.record_report(register, who, number, today, on=parse_date(on), text=text)
    click.echo(f"已登记报告：{label}。")


@probation_group.command("violation")
@click.argument("number", type=int)
@click.option("--on", "on", default=None, help="违反规定的日期（默认今天）")
@click.option("--text", required=True, help="违反了什么规定、情节")
@click.pass_context
def violation_cmd(ctx: click.Context, number: int, on: str | None, text: str) -> None:
    """登记违反法律法规或考察机关监督管理规定的情况（是否撤销另行决定）。"""
    register, who, today = _context(ctx)
    service.record_violation(register, who, number, today, on=parse_date(on), text=text)
    click.echo("已登记违反规定的情况。情节严重、造成严重后果或多次违反的，可撤销附条件不起诉。")


@probation_group.command("opinion")
@click.argument("number", type=int)
@click.option("--on", "on", default=None, help="出具日期（默认今天）")
@click.option("--performance", required=True, help="考验期内表现的评价")
@click.option("--victim", required=True, help="被害人的意见（无被害人的写“本案无被害人”）")
@click.option("--recommend-revoke", is_flag=True, help="考察意见为撤销附条件不起诉、提起公诉")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="同时保存 .docx")  # fmt: skip
@click.pass_context
def opinion_cmd(
    ctx: click.Context, number: int, on: str | None, performance: str, victim: str,
    recommend_revoke: bool, output: Path | None,
) -> None:  # fmt: skip
    """出具附条件不起诉考察意见书（编号，GB/T 9704 版式，附卷，不对外）。"""
    register, who, today = _context(ctx)
    doc = service.issue_opinion(
        register, who, number, today, issued_on=parse_date(on), performance=performance,
        victim_opinion=victim, conclusion="revoke" if recommend_revoke else "not_prosecute",
    )  # fmt: skip
    click.echo(f"已出具考察意见书 {doc}。")
    if output is not None:
        service.render_opinion(register, who, number, output)
        click.echo(f"已保存 {output}")


@probation_group.command("document")
@click.argument("number", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.pass_context
def document_cmd(ctx: click.Context, number: int, output: Path) -> None:
    """保存考察意见书的 .docx。"""
    register, who, _ = _context(ctx)
    service.render_opinion(register, who, number, output)
    click.echo(f"已保存 {output}")


@probation_group.command("end")
@click.argument("number", type=int)
@click.option("--on", "on", default=None, help="不起诉决定日期（默认今天）")
@click.option("--note", default="", help="说明")
@click.pass_context
def end_cmd(ctx: click.Context, number: int, on: str | None, note: str) -> None:
    """考验期满，作出不起诉决定（刑事诉讼法第二百八十四条第二款）。"""
    register, who, today = _context(ctx)
    service.end_probation(register, who, number, today, on=parse_date(on), note=note)
    click.echo(f"附条件不起诉考察 {number}：考验期满，已作出不起诉决定。")


@probation_group.command("revoke")
@click.argument("number", type=int)
@click.option("--on", "on", default=None, help="撤销日期（默认今天）")
@click.option("--ground", required=True,
              help="撤销理由：" + "、".join(f"{k}（{v}）" for k, v in rules.declarations().grounds.items()))  # fmt: skip
@click.option("--text", required=True, help="撤销的事实")
@click.pass_context
def revoke_cmd(ctx: click.Context, number: int, on: str | None, ground: str, text: str) -> None:
    """撤销附条件不起诉决定，提起公诉（刑事诉讼法第二百八十四条第一款）。"""
    register, who, today = _context(ctx)
    service.revoke(register, who, number, today, on=parse_date(on), ground=ground, text=text)
    label = rules.declarations().grounds.get(ground, ground)
    click.echo(f"附条件不起诉考察 {number}：已撤销（{label}），提起公诉。")


def _line(p: dict[str, Any]) -> str:
    flags = []
    if p["ending_soon"]:
        flags.append(f"{p['days_left']}日后期满")
    if p["past_end"]:
        flags.append("考验期已满，待决定")
    if p["missed"]:
        flags.append(f"逾期未报告 {p['missed']} 期")
    if p["service_overdue"]:
        flags.append("逾期未送达")
    period = f"{p['decided_on']}—{p['ends_on']}" if p["decided_on"] else "—"
    return (
        f"{p['id']:<6}{p['state_label']:<14}{p['name']:<8}{p['id_card']:<20}"
        f"{p['charge'] or '':<10}{period}  {'；'.join(flags)}"
    )


@probation_group.command("list")
@click.option("--view", type=click.Choice(list(service.VIEWS)), default="active", show_default=True,
              help="、".join(f"{k} {v}" for k, v in service.VIEWS.items()))  # fmt: skip
@click.option("--ending-within", "ending_within", type=int, default=None,
              help="只列考验期在这么多日内届满的")  # fmt: skip
@click.option("--id", "id_card", default=None, help="只列这名未成年人的（公民身份号码）")
@paging_options
@click.pass_context
def list_cmd(
    ctx: click.Context, view: str, ending_within: int | None, id_card: str | None, page: int,
    per_page: int,
) -> None:  # fmt: skip
    """附条件不起诉考察的列表，考验期先届满的在前。"""
    register, who, today = _context(ctx)
    offset, limit = page_window(page, per_page)
    rows = service.list_probations(
        register, who, today, view=view, id_card=id_card, ending_within=ending_within,
        offset=offset, limit=limit,
    )  # fmt: skip
    if not rows:
        click.echo("没有附条件不起诉考察。")
        return
    click.echo(f"{'编号':<6}{'状态':<14}{'姓名':<8}{'公民身份号码':<20}{'罪名':<10}考验期")
    for p in rows:
        click.echo(_line(p))
    click.echo(page_footer(rows, "件"))


@probation_group.command("show")
@click.argument("which")
@click.pass_context
def show_cmd(ctx: click.Context, which: str) -> None:
    """一件附条件不起诉考察（编号或公民身份号码）：条件、措施、报告、时间线。"""
    register, who, today = _context(ctx)
    p = service.get_probation(register, who, service.find(register, who, which), today)
    click.echo(f"附条件不起诉考察 {p['id']}：{p['name']} {p['id_card']}（{p['state_label']}）")
    _echo_check(p["check"])
    if p["decided_on"]:
        click.echo(f"考验期：{p['decided_on']} 至 {p['ends_on']}（{p['months']} 个月）")
        click.echo(f"考察机关：{p['agency']}；帮教人员：{p['mentor'] or '—'}")
        click.echo("所附条件：" + "；".join(p["conditions"]))
        click.echo("考察措施：" + ("；".join(p["measure_labels"]) or "—"))
    if p["scheduled"]:
        click.echo(f"报告期限{p['provisional']}：")
    for s in p["scheduled"]:
        on = f"，{s.report_on}" if s.report_on else ""
        click.echo(f"  第{s.window.no}期报告（{s.window.opens}后至{s.window.due}）：{s.label}{on}")
    click.echo("时间线：")
    for e in p["events"]:
        late = "（逾期）" if e["late"] else ""
        text = f"：{e['text']}" if e["text"] else ""
        click.echo(f"  {e['on_date']} {e['kind_label']}{late}{text}（{e['actor']}）")
    if p["opinion"]:
        click.echo(f"考察意见书：{p['opinion']['number']}（{p['opinion']['conclusion']}）")


@probation_group.command("overdue")
@click.pass_context
def overdue_cmd(ctx: click.Context) -> None:
    """今天逾期的：未按期送达、逾期未报告、考验期已满尚未决定。"""
    register, who, today = _context(ctx)
    found = service.overdue(register, who, today)
    titles = {
        "service": "逾期未送达、宣布",
        "reports": "逾期未报告",
        "ended": "考验期已满、尚未作出决定",
    }
    if not any(found.values()):
        click.echo("没有逾期事项。")
        return
    for key, title in titles.items():
        if found[key]:
            click.echo(f"{title}（{len(found[key])} 件）：")
            for p in found[key]:
                click.echo("  " + _line(p))
