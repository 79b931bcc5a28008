"""`shujian demo`."""

from __future__ import annotations

import time
from pathlib import Path

import click

from shujian.cases.documents import preview
from shujian.demo.showcase import build_demo


@click.command("demo")
@click.argument(
    "directory", type=click.Path(file_okay=False, path_type=Path), default="demo-workspace"
)
@click.option("--seed", default=2026, show_default=True, help="随机种子（相同种子生成相同数据）")
def demo_cmd(directory: Path, seed: int) -> None:
    """生成演示县的数据，导入、运行全部模型，并核对发现的线索。"""
    started = time.perf_counter()
    click.echo(f"正在生成演示县数据并导入（目录：{directory}）……")
    result = build_demo(directory, seed)
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
        pdf = preview.to_pdf(case.document, case.document.parent)
        if pdf is not None:
            click.echo(f"  PDF 预览：{pdf}")
        click.echo(
            f"  继续办理：shujian -w {ws} cases show {case.case_id}；"
            f"shujian -w {ws} cases act {case.case_id} record_reply --set 回复结果=采纳"
        )
    click.echo(f"\n用时 {time.perf_counter() - started:.1f} 秒。")
    click.echo("\n下一步（在项目目录中运行时，命令前加 uv run）：")
    click.echo(f"  查看线索：   shujian -w {ws} leads export --format xlsx -o 线索.xlsx")
    click.echo(f"  查看模型：   shujian -w {ws} models show campus.internet_cafe")
    click.echo(f"  线索队列：   shujian -w {ws} leads list --model campus.internet_cafe")
    click.echo(
        f"  成案立案：   shujian -w {ws} leads accept 线索编号 --department 未成年人检察部 "
        "--prosecutor 检察官 --reason 理由"
    )
    click.echo(
        f"  检察建议：   shujian -w {ws} cases act 案件编号 investigate；"
        f"shujian -w {ws} cases recommend 案件编号 --recipient 被建议单位 "
        "--number 统一业务应用系统编定的文号 --pdf"
    )
    click.echo(f"  统计与审计： shujian -w {ws} stats --by model；shujian -w {ws} audit verify")
    click.echo(f"  退回报告：   {ws / 'reports'}")
    click.echo(f"  原始文件：   {Path(directory).resolve() / 'agency-files'}")
    click.echo("  网页端（shujian serve）将在后续版本提供。")
    if not result.ok:
        raise SystemExit(1)


def register(group: click.Group) -> None:
    group.add_command(demo_cmd)
