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


def register(group: click.Group) -> None:
    group.add_command(models_group)
