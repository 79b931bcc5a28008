"""`shujian run`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

import click

from shujian.cli.common import library, user, workspace
from shujian.errors import UserError
from shujian.limits import check_year
from shujian.models.failures import LOG_NAME
from shujian.models.runner import RunReport, run_models


def parse_as_of(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError as exc:
        raise UserError(f"--as-of 应为 YYYY-MM-DD 格式的日期，收到：{text}") from exc
    return check_year(day, "--as-of ", text)


@click.command("run")
@click.argument("model_ids", nargs=-1)
@click.option("--all", "run_all", is_flag=True, help="运行全部模型")
@click.option(
    "--as-of", "as_of", default=None, metavar="YYYY-MM-DD", help="以该日期为“今天”（默认今天）"
)
@click.option("--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb", help="计算引擎")
@click.pass_context
def run_cmd(
    ctx: click.Context, model_ids: tuple[str, ...], run_all: bool, as_of: str | None, engine: str
) -> None:
    """运行监督模型，生成线索。"""
    ws = workspace(ctx)
    models = library(ws)
    if run_all:
        model_ids = tuple(models)
    if not model_ids:
        raise UserError("请指定要运行的模型编号，或用 --all 运行全部模型。")
    report = run_models(ws, models, model_ids, parse_as_of(as_of), engine, user=user(ctx))
    print_report(report, {d.id: d.label for d in ws.datasets().values()})
    failed = [o.model.id for o in report.outcomes if o.failed is not None]
    if failed:
        raise UserError(
            f"{len(failed)} 个模型运行出错：{'、'.join(failed)}。其他模型的线索已写入；"
            f"出错的详情（已隐去身份证号）记在工作区的 logs/{LOG_NAME}，请交给模型编写人核查。",
            code="model_failed",
        )


def print_report(report: RunReport, labels: Mapping[str, str] | None = None) -> None:
    """The run's counts per model; a model over empty datasets says 无数据 and names them, and
    the leads the run no longer found are counted apart (不再命中)."""
    click.echo(f"运行 {report.run_id}：以 {report.as_of} 为基准日，引擎 {report.engine}")
    header = (
        f"{'模型':<34}{'线索':>6}{'新增':>6}{'更新':>6}{'未变':>6}{'已排除':>6}{'重新推送':>8}"
        f"{'不再命中':>8}{'用时(秒)':>10}"
    )
    click.echo(header)
    for o in report.outcomes:
        if o.refused:
            click.echo(f"{o.model.id:<34}未运行：{o.refused}")
            continue
        if o.failed is not None:
            click.echo(f"{o.model.id:<34}{o.failed.message}")
            continue
        c = o.counts
        found = "无数据" if o.empty_datasets and not c.found else str(c.found)
        click.echo(
            f"{o.model.id:<34}{found:>8}{c.new:>8}{c.refreshed:>8}{c.unchanged:>8}"
            f"{c.suppressed:>9}{c.reopened:>12}{c.gone:>12}{o.seconds:>12.2f}"
        )
        if o.empty_datasets:
            click.echo(f"  {empty_note(o.empty_datasets, labels or {})}")
    gone = sum(o.counts.gone for o in report.outcomes)
    if gone:
        click.echo(
            f"其中 {gone} 条线索本次运行不再命中：仍列在队列中，标为“不再命中”，成案前须确认。"
        )


def empty_note(datasets: Sequence[str], labels: Mapping[str, str]) -> str:
    """无数据, naming the datasets: a count over them says nothing about what the data holds."""
    named = "、".join(f"{labels.get(d, d)}（{d}）" for d in datasets)
    return f"无数据：{named} 尚未导入任何数据，本模型的结果不能说明“没有发现问题”。"


def register(group: click.Group) -> None:
    group.add_command(run_cmd)
