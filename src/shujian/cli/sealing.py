"""`shujian sealed list | show | request | requests | answer | overdue | unseal`: sealed juvenile
criminal records (未成年人犯罪记录封存, docs/sealing.md).

The same services as the 封存记录 pages (`juvenile/sealing/`). A list shows no name and no
offence; one record is shown only with `--reason`, recorded on the record and in the audit log.
"""

from __future__ import annotations

import click

from shujian.beijing import shown, today_in_china
from shujian.cli.common import parse_date, user, workspace
from shujian.juvenile.sealing import entry, records, requests
from shujian.juvenile.sealing.rule import UNSEAL_GROUNDS


@click.group("sealed")
def sealed_group() -> None:
    """未成年人犯罪记录封存：封存记录、查询申请、解除封存（未成年人检察部负责人）。"""


@sealed_group.command("list")
@click.option("--id-card", default=None, help="只列出此公民身份号码（完整号码）的封存记录")
@click.pass_context
def list_cmd(ctx: click.Context, id_card: str | None) -> None:
    """封存记录列表：编号、遮蔽的公民身份号码、处理日期、封存事由和状态（不列姓名、罪名）。"""
    ws = workspace(ctx)
    rows = records.list_sealed(ws.store, user(ctx), id_card)
    if not rows:
        click.echo("没有封存记录。")
        return
    for r in rows:
        click.echo(
            f"{r['id']:>4}  {r['id_card_masked']}  处理日期 {r['decided_on']}  "
            f"封存于 {r['sealed_on']}  {r['state_label']}  {r['ground_label']}"
        )
    click.echo(f"共 {len(rows)} 条。查看一条须说明理由：shujian sealed show 编号 --reason 理由")


@sealed_group.command("show")
@click.argument("record_id", type=int)
@click.option("--reason", default="", help="查阅理由（必填，记入该记录的查阅经过和审计日志）")
@click.pass_context
def show_cmd(ctx: click.Context, record_id: int, reason: str) -> None:
    """一条封存记录的全部内容，及依据它的线索、案件和文书（须说明理由）。"""
    ws = workspace(ctx)
    r = records.show_sealed(ws.store, record_id, user(ctx), reason)
    click.echo(
        f"封存记录 {r['id']}（{r['state_label']}）——不得向任何单位和个人提供，查阅已记入审计日志"
    )
    click.echo(f"姓名：{r['name']}    公民身份号码：{r['id_card_masked']}")
    click.echo(f"罪名或违法行为：{r['offence']}    处理结果：{r['outcome']}")
    click.echo(f"处理日期：{r['decided_on']}    行为日期：{r['act_date'] or '未填写'}")
    click.echo(f"判处刑罚：{r['sentence'] or '未填写'}    文书编号：{r['document_no'] or '无'}")
    click.echo(f"封存事由：{r['ground_label']}")
    resting = r["resting"]
    if any(resting.values()):
        click.echo(
            "依据本记录的：线索 "
            + ("、".join(map(str, resting["leads"])) or "无")
            + "；案件 "
            + ("、".join(map(str, resting["cases"])) or "无")
            + "；检察建议书 "
            + ("、".join(resting["documents"]) or "无")
        )
    for lead_id, title in r["lead_titles"].items():
        click.echo(f"  线索 {lead_id}：{title}")
    click.echo("经过：")
    for e in r["events"]:
        click.echo(f"  {shown(e['at'])}  {e['kind_label']:<6}{e['actor']:<10}{e['reason']}")


@sealed_group.command("request")
@click.argument("record_id", type=int)
@click.option("--unit", required=True, help="申请查询的单位")
@click.option("--judicial", is_flag=True, help="申请单位是司法机关（为办案需要查询）")
@click.option("--basis", required=True, help="查询依据：办案需要，或所依据的国家规定")
@click.option("--purpose", required=True, help="查询用途（如入职查询、办理某案）")
@click.option(
    "--received", default=None, metavar="YYYY-MM-DD", help="收到书面申请的日期（默认今天）"
)
@click.pass_context
def request_cmd(
    ctx: click.Context,
    record_id: int,
    unit: str,
    judicial: bool,
    basis: str,
    purpose: str,
    received: str | None,
) -> None:
    """登记一份查询封存记录的书面申请（七日以内答复）。"""
    ws = workspace(ctx)
    made = requests.record_request(
        ws.store,
        user(ctx),
        ws.calendar,
        record_id=record_id,
        unit=unit,
        judicial=judicial,
        basis=basis,
        purpose=purpose,
        received_on=parse_date(received, "收到申请的日期"),
        today=today_in_china(),
    )
    click.echo(f"已登记查询申请 {made['id']}，应于 {made['due_on']} 前答复（七日以内）。")


@sealed_group.command("answer")
@click.argument("request_id", type=int)
@click.option(
    "--result",
    "result",
    required=True,
    type=click.Choice(["grant", "refuse"]),
    help="grant 许可查询，refuse 不予许可",
)
@click.option("--text", required=True, help="许可的：提供的内容；不予许可的：理由")
@click.option("--on", "on_date", default=None, metavar="YYYY-MM-DD", help="答复日期（默认今天）")
@click.pass_context
def answer_cmd(
    ctx: click.Context, request_id: int, result: str, text: str, on_date: str | None
) -> None:
    """答复一份查询申请：许可（写明提供的内容）或不予许可（写明理由）。"""
    ws = workspace(ctx)
    grant = result == "grant"
    done = requests.answer_request(
        ws.store,
        user(ctx),
        request_id,
        granted=grant,
        text=text,
        answered_on=parse_date(on_date, "答复日期"),
        today=today_in_china(),
    )
    timing = "按期" if done["on_time"] else f"逾期（应于 {done['due_on']} 前答复）"
    click.echo(f"已答复查询申请 {request_id}：{'许可' if grant else '不予许可'}，{timing}。")


def _print_requests(rows: list[dict[str, object]]) -> None:
    for r in rows:
        click.echo(
            f"{r['id']:>4}  封存记录 {r['record_id']}  {r['unit']}  收到 {r['received_on']}  "
            f"期限 {r['due_on']}  {r['state_label']}"
        )


@sealed_group.command("requests")
@click.pass_context
def requests_cmd(ctx: click.Context) -> None:
    """全部查询申请及其答复情况。"""
    ws = workspace(ctx)
    rows = requests.list_requests(ws.store, user(ctx), today_in_china())
    if not rows:
        click.echo("没有查询申请。")
        return
    _print_requests(rows)
    click.echo(f"共 {len(rows)} 件。")


@sealed_group.command("overdue")
@click.pass_context
def overdue_cmd(ctx: click.Context) -> None:
    """超过七日仍未答复的查询申请。"""
    ws = workspace(ctx)
    rows = requests.list_requests(ws.store, user(ctx), today_in_china(), overdue_only=True)
    if not rows:
        click.echo("没有逾期未答复的查询申请。")
        return
    _print_requests(rows)
    click.echo(f"逾期未答复 {len(rows)} 件。")


@sealed_group.command("unseal")
@click.argument("record_id", type=int)
@click.option(
    "--ground",
    required=True,
    type=click.Choice(list(UNSEAL_GROUNDS)),
    help="解除封存的事由：new_crime 新罪、undiscovered_crime 漏罪（数罪并罚后五年有期徒刑以上）；"
    "adult_at_act、sentence_over_five 仅用于先行封存的记录",
)
@click.option("--decision", required=True, help="所依据的判决书（文书编号、法院、日期）或核实情况")
@click.option("--sentence", default=None, help="数罪并罚后决定执行的刑罚，或核实的判处刑罚")
@click.option(
    "--act-date", default=None, metavar="YYYY-MM-DD", help="核实的行为日期（adult_at_act）"
)
@click.pass_context
def unseal_cmd(
    ctx: click.Context,
    record_id: int,
    ground: str,
    decision: str,
    sentence: str | None,
    act_date: str | None,
) -> None:
    """依人民检察院刑事诉讼规则第四百八十五条解除封存（记入审计日志）。"""
    ws = workspace(ctx)
    done = records.unseal(
        ws.store,
        record_id,
        user(ctx),
        ground=ground,
        decision=decision,
        new_sentence=sentence,
        act_date=parse_date(act_date, "行为日期") if act_date else None,
        today=today_in_china(),
    )
    click.echo(f"已解除封存记录 {record_id} 的封存：{done['ground_label']}。")


@sealed_group.command("enter")
@click.option("--name", required=True, help="姓名")
@click.option("--id-card", required=True, help="公民身份号码")
@click.option("--offence", required=True, help="罪名或违法行为")
@click.option("--outcome", required=True, help="处理结果（如相对不起诉、有罪判决）")
@click.option("--decided", required=True, metavar="YYYY-MM-DD", help="处理日期")
@click.option("--document-no", default="", help="文书编号")
@click.option("--act-date", default="", metavar="YYYY-MM-DD", help="行为日期")
@click.option("--sentence", default="", help="判处刑罚（有罪判决的）")
@click.pass_context
def enter_cmd(
    ctx: click.Context,
    name: str,
    id_card: str,
    offence: str,
    outcome: str,
    decided: str,
    document_no: str,
    act_date: str,
    sentence: str,
) -> None:
    """登记一条违法犯罪记录（如本院的不起诉决定），按封存规则封存。"""
    ws = workspace(ctx)
    done = entry.enter_record(
        ws,
        user(ctx),
        {
            "name": name,
            "id_card": id_card,
            "offence": offence,
            "outcome": outcome,
            "decided_on": decided,
            "document_no": document_no,
            "act_date": act_date,
            "sentence": sentence,
        },
        today_in_china(),
    )
    if done.already:
        click.echo("该记录已经登记过，没有变化。")
    if done.sealed_record is not None:
        click.echo(f"已登记并封存（封存记录 {done.sealed_record}）。")
    elif not done.already:
        click.echo("已登记；按封存规则不予封存。")


def register(group: click.Group) -> None:
    group.add_command(sealed_group)
