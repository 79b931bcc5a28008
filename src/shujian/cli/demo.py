"""`shujian demo`."""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import click

from shujian.cases.documents import preview
from shujian.cli.chinese import width
from shujian.demo.accounts import (
    PASSWORD,
    hash_demo_passwords,
    helper_warning,
    open_demo_accounts,
)
from shujian.demo.casework import DemoCasework
from shujian.demo.juvenile_work import plant_juvenile_work
from shujian.demo.showcase import build_demo
from shujian.demo.supervision import open_demo_item
from shujian.judicial_aid.rules import yuan


@click.command("demo")
@click.argument(
    "directory", type=click.Path(file_okay=False, path_type=Path), default="demo-workspace"
)
@click.option("--seed", default=2026, show_default=True, help="随机种子（相同种子生成相同数据）")
@click.option("--serve", is_flag=True, help="建成后启动网页端（按 Ctrl-C 停止）")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="网页端端口（与 --serve 同用）",
)
def demo_cmd(directory: Path, seed: int, serve: bool, port: int) -> None:
    """生成演示县的数据，导入、运行全部模型，核对发现的线索，并为每种角色开通演示账号。"""
    started = time.perf_counter()
    click.echo(f"正在生成演示县数据并导入（目录：{directory}）……")
    # the accounts' password is hashed (argon2) on the other core meanwhile, and LibreOffice
    # renders the sample case's PDF preview in its own process (about 1.5 s) as soon as the
    # recommendation is written, while the rest of the demonstration is built here
    with ThreadPoolExecutor(max_workers=2) as beside:
        hashes = beside.submit(hash_demo_passwords)
        pdf_done: list[Future[Path | None]] = []
        result = build_demo(
            directory,
            seed,
            on_case=lambda case: pdf_done.append(
                beside.submit(preview.to_pdf, case.document, case.document.parent)
            ),
        )
        accounts = open_demo_accounts(result.workspace, hashes.result())
        item = open_demo_item(result.workspace, result.manifest)
        work = plant_juvenile_work(result.workspace, result.manifest)
        pdf = pdf_done[0].result() if pdf_done else None
    m = result.manifest
    click.echo(f"\n{m.county}（行政区划代码 {m.region_code}），基准日 {m.as_of}")
    click.echo("\n导入：")
    for r in result.imports:
        click.echo(
            f"  {r.dataset:<24}{r.file:<36}导入 {r.imported:>5}  退回 {r.rejected:>3}  跳过 {r.skipped}"
        )
    click.echo("\n模型运行结果：")
    click.echo(
        f"  {'模型':<34}{'线索':>5}{'预埋违法':>8}{'已发现':>7}{'近似反例':>8}{'误报':>5}  结论"
    )
    for c in result.checks:
        verdict = "全部发现，无误报" if c.ok else "不符"
        click.echo(
            f"  {c.model:<34}{c.leads:>6}{c.planted:>10}{c.found_planted:>9}{c.near_misses:>10}"
            f"{len(c.near_misses_flagged) + len(c.unplanned):>7}  {verdict}"
        )
        for s in c.missed:
            click.echo(f"      漏报：{s}")
        for s in c.near_misses_flagged + c.unplanned:
            click.echo(f"      误报：{s}")
    ws = result.workspace.root
    case = result.case
    if case is not None:
        click.echo(
            f"\n案件示例：线索 {case.lead_id} 已成案（案件 {case.case_id}），"
            f"检察建议书 {case.number}（统一业务应用系统编定的文号，制发时填写）已送达，"
            f"{case.reply_period}回复。"
        )
        click.echo(f"  文书：{case.document}")
        if pdf is not None:
            click.echo(f"  PDF 预览：{pdf}")
        click.echo(
            f"  继续办理：shujian -w {ws} -u 演示检察官 cases show {case.case_id}；"
            f"shujian -w {ws} -u 演示检察官 cases act {case.case_id} record_reply --set 回复结果=采纳"
        )
    if result.casework is not None:
        _echo_casework(result.casework, ws)
    if item is not None:
        click.echo(
            f"\n督办示例：预警（线索 {item.lead_id}，{item.name}）已列为督办事项 {item.item_id}，"
            f"责任单位 {item.unit}，期限 {item.deadline}。"
        )
        click.echo(
            f"  跟进、办结：网页端“未成年人 › 督办”，或 shujian -w {ws} -u 演示部门负责人 "
            f"minors supervise show {item.item_id}"
        )
    if work is not None:
        pros = f"shujian -w {ws} -u 演示检察官"
        click.echo(
            f"\n未检工作示例（以演示检察官登录网页端查看）：\n"
            f"  分级干预：{work.name}定为{work.tier}，承接其四访预警；"
            f"网页端 /minors/{work.ref}（一人一档与时间轴）\n"
            f"  督促监护令：{work.order_number}（{work.order_issued_on.isoformat()}制发）及一次"
            f"家庭教育指导，第一次回访应于 {work.follow_up_due.isoformat()} 前完成，已逾期；"
            f"网页端 /minors/orders，或 {pros} minors order overdue"
        )
        late = f"，{work.missed_reports} 期未按时报告" if work.missed_reports else ""
        ended = (
            f"；另一人考验期满已作出不起诉决定（考察意见书 {work.opinion_number}，"
            f"/minors/probation/{work.ended_probation_id}）"
            if work.opinion_number
            else ""
        )
        click.echo(
            f"  附条件不起诉：{work.probation_name}考验期中（考察 {work.probation_id}，"
            f"{work.probation_ends_on.isoformat()} 届满{late}）{ended}；"
            f"网页端 /minors/probation/{work.probation_id}，或 {pros} minors probation show "
            f"{work.probation_id}"
        )
        click.echo("  封存的犯罪记录：以演示部门负责人登录，网页端 /sealed；统计：/minors/stats")
    click.echo(f"\n演示账号（网页端登录用，密码均为 {PASSWORD}）：")
    for a in accounts:
        where = a.department or (f"包保单位：{a.unit}" if a.unit else "")
        click.echo(f"  {_pad(a.role_label, 12)}{_pad(a.name, 16)}{where}")
    click.echo(f"\n用时 {time.perf_counter() - started:.1f} 秒。")
    me = f"shujian -w {ws} -u 演示检察官"
    click.echo("\n下一步（在项目目录中运行时，命令前加 uv run；已开通账号，操作人用 -u 指定）：")
    click.echo(f"  网页端：     shujian -w {ws} serve，然后在浏览器中打开 http://127.0.0.1:8000/")
    click.echo(f"  查看线索：   {me} leads export --format xlsx -o 线索.xlsx")
    click.echo(f"  查看模型：   {me} models show campus.internet_cafe")
    click.echo(f"  线索队列：   {me} leads list --model campus.internet_cafe")
    click.echo(
        f"  成案立案：   {me} leads accept 线索编号 --department 未成年人检察部 "
        "--prosecutor 演示检察官 --reason 理由"
    )
    click.echo(
        f"  检察建议：   {me} cases act 案件编号 investigate；"
        f"{me} cases recommend 案件编号 --recipient 被建议单位 "
        "--number 统一业务应用系统编定的文号 --pdf"
    )
    click.echo(f"  统计与审计： {me} stats --by model；{me} audit verify")
    warning = helper_warning(m)
    if warning is not None:
        helper = next(a.name for a in accounts if a.unit)
        month, missing = warning.figures["month"], warning.figures["missing_targets"]
        click.echo(
            f"  护苗走访：   以{helper}登录网页端，在“未成年人 › 逾期未走访”中为"
            f"{warning.figures['name']}登记 {month} 的{missing}走访；再运行 "
            f"{me} run juvenile.visit_missing --as-of {m.as_of}，该月的预警即不再命中"
        )
    click.echo(f"  退回报告：   {ws / 'reports'}")
    click.echo(f"  原始文件：   {Path(directory).resolve() / 'agency-files'}")
    if not result.ok:
        raise SystemExit(1)
    if serve:
        click.echo("")
        from shujian.cli.serve import serve_workspace  # the web stack, only when serving

        serve_workspace(result.workspace, "127.0.0.1", port)


def _echo_casework(work: DemoCasework, ws: Path) -> None:
    """The petitions, 支持起诉, hearings and 国家司法救助 planted (demo/casework.py): what each
    handling account sees and the commands to carry on."""
    p, s, a = work.petitions, work.support, work.aid
    kong = f"shujian -w {ws} -u 演示控申检察官"
    civil = f"shujian -w {ws} -u 演示民事检察官"
    juvenile = f"shujian -w {ws} -u 演示检察官"
    chief = f"shujian -w {ws} -u 演示院领导"
    click.echo("\n信访、支持起诉、听证、司法救助示例（演示院领导可查看全部）：")
    click.echo(
        f"  12309 信访：{len(p.ids)} 件（来信、来访、电话、网络），信访件 {p.owed} 程序性回复已逾期，"
        f"信访件 {p.late} 超过七日才回复；检察长接待日（接待日 {p.reception_day}）接待来访 {p.visits} 件，"
        f"信访件 {p.leader_case} 由院领导包案；以演示控申检察官登录网页端 /petitions、"
        f"/petitions/stats，或 {kong} petitions list --view overdue；{kong} stats --of petitions"
    )
    if s is not None:
        click.echo(
            f"  支持起诉：线索 {s.lead_id} 经申请成案（案件 {s.case_id}），支持起诉意见书 "
            f"{s.opinion_number}（统一业务应用系统编定的文号，制发时填写）已制发，法院已立案（案号"
            f"{s.court_case_no}）；另一件老年人的申请（案件 {s.pending_case_id}）审查已逾期；"
            f"以演示民事检察官登录网页端 /cases/{s.case_id}，或 {civil} cases overdue；"
            f"{civil} stats --by applicant_category"
        )
        click.echo(
            f"  公开听证：案件 {s.case_id} 的听证会（听证 {s.hearing_id}）已举行，听证员发表意见后"
            f"作出决定；案件 {s.scheduled_case_id} 的听证会（听证 {s.scheduled_hearing_id}）"
            f"定于今天举行，已告知参加人；网页端 /cases/{s.case_id}（听证一栏）、/stats/hearings，"
            f"或 {civil} hearings show {s.hearing_id}；{chief} stats --of hearings"
        )
    click.echo(
        f"  国家司法救助：案件 {a.case_id} 决定救助 {yuan(a.amount)} 元（限额 {yuan(a.cap)} 元，"
        f"月平均工资为演示数据），决定书 {a.number}；快速救助（案件 {a.fast_case_id}）"
        f"{yuan(a.fast_amount)} 元已发放，决定书 {a.fast_number}；网页端 /stats/judicial-aid、"
        f"/cases/{a.case_id}，或 {juvenile} aid document {a.number} -o 决定书.docx；"
        f"{chief} stats --of judicial_aid"
    )


def _pad(text: str, columns: int) -> str:
    return text + " " * max(columns - width(text), 1)


def register(group: click.Group) -> None:
    group.add_command(demo_cmd)
