"""`shujian cases apply` and `shujian cases support-opinion`: 支持起诉 on the command line.

Every other step of a 支持起诉 case is `shujian cases act CASE ACTION --set 字段=值` (受理, 协助收集证据,
决定支持起诉, 登记法院立案, 登记调解结案, 登记法院判决, 登记申请执行, 结案), like any declared case kind.
"""

from __future__ import annotations

from pathlib import Path

import click

from shujian.cli.common import home_departments, parse_date, parse_ids, user, workspace
from shujian.errors import UserError

CATEGORIES = ("农民工", "老年人", "残疾人", "妇女", "未成年人", "其他困难群体")


@click.command("apply")
@click.option("--applicant", required=True, help="申请人（多人的写“王某某等十七人”）")
@click.option("--category", required=True, help=f"申请人类别：{'、'.join(CATEGORIES)}")
@click.option("--respondent", required=True, help="被申请人（如拖欠工资的用人单位）")
@click.option("--claim", required=True, help="诉讼请求")
@click.option("--reason", default="申请支持起诉", show_default=True, help="登记理由或说明")
@click.option("--department", default="民事检察部", show_default=True, help="承办部门")
@click.option("--prosecutor", required=True, help="承办检察官")
@click.option("--amount", default=None, help="请求金额，如 29万元")
@click.option("--people", default=None, help="涉及人数")
@click.option(
    "--channel", default=None, help="来源：当事人申请、线索移送、模型线索、12309检察服务中心"
)
@click.option("--lead", "leads", default=None, help="来自的线索编号（如 3,5 或 10-12），可不填")
@click.option("--confirm-stale", is_flag=True, help="确认将“不再命中”的线索立案")
@click.option(
    "--on", "on_date", default=None, metavar="YYYY-MM-DD", help="收到申请的日期（默认今天）"
)
@click.pass_context
def apply_cmd(
    ctx: click.Context,
    applicant: str,
    category: str,
    respondent: str,
    claim: str,
    reason: str,
    department: str,
    prosecutor: str,
    amount: str | None,
    people: str | None,
    channel: str | None,
    leads: str | None,
    confirm_stale: bool,
    on_date: str | None,
) -> None:
    """登记支持起诉申请，立为支持起诉案件（可不经线索；受理期限自收到申请之日起算）。"""
    from shujian.cases import support_prosecution as sp

    ws = workspace(ctx)
    ids = parse_ids((leads,)) if leads else []
    case_id = sp.apply(
        ws,
        user(ctx),
        applicant=applicant,
        applicant_category=category,
        respondent=respondent,
        claim=claim,
        reason=reason,
        department=department,
        prosecutor=prosecutor,
        on_date=parse_date(on_date, "收到申请的日期"),
        amount_claimed=amount,
        people=people,
        channel=channel,
        lead_ids=ids,
        confirm_stale=confirm_stale,
        home=home_departments(ws) if ids else None,
    )
    from_leads = f"（{len(ids)} 条线索成案）" if ids else ""
    click.echo(f"已登记支持起诉申请：案件 {case_id}{from_leads}。")
    click.echo(f"下一步：shujian cases act {case_id} 受理 （或 不予受理 --reason 理由）")


@click.command("support-opinion")
@click.argument("case_id", type=int)
@click.option("--court", required=True, help="受诉法院，如 青岚县人民法院")
@click.option("--fact", "facts", multiple=True, required=True, help="基本案情，一段一项，可重复")
@click.option(
    "--why", "reasons", multiple=True, required=True, help="支持起诉的理由（本院认为……），可重复"
)
@click.option(
    "--number",
    default=None,
    help="统一业务应用系统编定的文号（opinion_numbering = entered 时必填）",
)
@click.option("--contact", default=None, help="联系人及电话（默认 [recommendations] contact）")
@click.option("--on", "on_date", default=None, metavar="YYYY-MM-DD", help="制发日期（默认今天）")
@click.option(
    "--draft",
    "draft_to",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="只生成草稿（文号待编）到该文件，不制发、不编号",
)
@click.option("--pdf", is_flag=True, help="同时生成 PDF 预览（需要 LibreOffice）")
@click.pass_context
def support_opinion_cmd(
    ctx: click.Context,
    case_id: int,
    court: str,
    facts: tuple[str, ...],
    reasons: tuple[str, ...],
    number: str | None,
    contact: str | None,
    on_date: str | None,
    draft_to: Path | None,
    pdf: bool,
) -> None:
    """制发支持起诉意见书：编号、记入案件并生成 .docx（--draft 只生成草稿）。"""
    from shujian.cases import support_prosecution as sp
    from shujian.cases.documents import preview

    ws = workspace(ctx)
    day = parse_date(on_date, "制发日期") if on_date else None
    if draft_to is not None:
        path = sp.draft_opinion(ws, user(ctx), case_id, draft_to, court=court, facts=facts,
                                reasons=reasons, on_date=day, contact=contact)  # fmt: skip
        click.echo(f"草稿（文号待编）：{path}")
    else:
        try:
            issued = sp.issue_opinion(ws, user(ctx), case_id, court=court, facts=facts,
                                      reasons=reasons, on_date=day, number=number,
                                      contact=contact)  # fmt: skip
        except UserError as e:
            if e.code == "number_required":
                raise UserError(
                    f"{e.message}（命令行：shujian cases support-opinion {case_id} --number 文号 …）",
                    code=e.code,
                ) from e
            raise
        path = issued.document
        click.echo(f"已制发支持起诉意见书 {issued.number}：{path}")
    if pdf:
        made = preview.to_pdf(path, path.parent)
        if made is None:
            click.echo("未安装 LibreOffice，未生成 PDF 预览。", err=True)
        else:
            click.echo(f"PDF 预览：{made}")
