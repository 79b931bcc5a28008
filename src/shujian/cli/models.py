"""`shujian models list | show | validate | new`."""

from __future__ import annotations

from pathlib import Path

import click

from shujian.cli.common import library, workspace
from shujian.data.datasets import load_datasets
from shujian.errors import UserError
from shujian.models.authoring import new_model
from shujian.models.checks import check_model
from shujian.models.parameters import parameters_in_force
from shujian.models.spec import TAGS, load_model
from shujian.models.stats import model_run_stats


@click.group("models")
def models_group() -> None:
    """监督模型库。"""


@models_group.command("list")
@click.pass_context
def list_cmd(ctx: click.Context) -> None:
    """列出全部模型。"""
    ws = workspace(ctx)
    for spec in library(ws).values():
        click.echo(f"{spec.id:<34}{spec.name}（{'/'.join(spec.category)}）")


@models_group.command("show")
@click.argument("model_id")
@click.pass_context
def show_cmd(ctx: click.Context, model_id: str) -> None:
    """显示模型的说明、法律依据和现行参数（及其来源）。"""
    ws = workspace(ctx)
    models = library(ws)
    if model_id not in models:
        raise UserError(f"没有编号为 {model_id} 的模型。")
    spec = models[model_id]
    click.echo(f"{spec.id}  {spec.name}")
    click.echo(f"类别：{'/'.join(spec.category)}    监督点：{spec.supervision_point}")
    click.echo(
        f"数据集：{'、'.join(spec.datasets)}    监督对象：{spec.subject_label or spec.subject_column}"
    )
    if spec.description:
        click.echo(f"说明：{spec.description.strip()}")
    click.echo("法律依据：")
    for b in spec.legal_basis:
        click.echo(f"  - {b.cite()}［{TAGS.get(b.tag, b.tag)}］{b.text}")
    click.echo("现行参数：")
    for p in parameters_in_force(spec, ws.overrides).values():
        value = "、".join(map(str, p.value)) if isinstance(p.value, list) else p.value
        click.echo(f"  - {p.name}（{p.label}）= {value}")
        click.echo(f"      来源：{p.source}")


@models_group.command("validate")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.pass_context
def validate_cmd(ctx: click.Context, file: Path) -> None:
    """检查一个模型文件，用中文说明其中的问题。"""
    root = ctx.obj.get("workspace") if ctx.obj else None
    datasets = (
        workspace(ctx).datasets() if root or Path("shujian.toml").exists() else load_datasets()
    )
    spec = load_model(file)
    problems = check_model(spec, datasets)
    if problems:
        click.echo(f"模型 {spec.id} 有 {len(problems)} 个问题：")
        for p in problems:
            click.echo(f"  - {p}")
        raise SystemExit(1)
    click.echo(
        f"模型 {spec.id} 检查通过：查询为只读的单条 SELECT，只读取声明的数据集，返回监督对象和证据列。"
    )


@models_group.command("new")
@click.argument("model_id")
@click.pass_context
def new_cmd(ctx: click.Context, model_id: str) -> None:
    """在工作区 models/ 下创建新模型文件及其测试样例。"""
    ws = workspace(ctx)
    if model_id in library(ws):
        raise UserError(f"模型编号 {model_id} 已存在。")
    model_path, fixture_path = new_model(ws.models_dir, model_id)
    click.echo(f"已创建模型文件：{model_path}")
    click.echo(f"已创建测试样例：{fixture_path}")
    click.echo(f"编辑后运行：shujian models validate {model_path}")


@models_group.command("stats")
@click.option("--model", "model_id", default=None, help="只看该模型")
@click.option("--last", default=10, show_default=True, help="最近几次运行")
@click.pass_context
def stats_cmd(ctx: click.Context, model_id: str | None, last: int) -> None:
    """每次运行中各模型发现的线索数（新增、更新、因已排除而未推送）和用时。"""
    ws = workspace(ctx)
    rows = model_run_stats(ws.store, model_id, last)
    if not rows:
        click.echo("还没有运行记录。用 shujian run 运行模型。")
        return
    click.echo(
        f"{'运行':>4}  {'基准日':<11}{'模型':<34}{'命中行':>7}{'线索':>6}{'新增':>6}{'更新':>6}"
        f"{'未变':>6}{'已排除':>7}{'重新推送':>9}{'用时(秒)':>10}"
    )
    for r in rows:
        click.echo(
            f"{r.run_id:>4}  {r.as_of!s:<11}{r.model_id:<34}{r.rows:>9}{r.leads_found:>8}{r.new:>8}"
            f"{r.refreshed:>8}{r.unchanged:>8}{r.suppressed:>10}{r.reopened:>12}{r.seconds:>12.2f}"
        )


def register(group: click.Group) -> None:
    group.add_command(models_group)
