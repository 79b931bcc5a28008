"""`shujian models list | show | validate | test | new | stats`."""

from __future__ import annotations

from pathlib import Path

import click

from shujian.cli.common import declared_datasets, in_workspace, library, workspace
from shujian.cli.run import empty_note
from shujian.data.datasets import Dataset
from shujian.errors import UserError
from shujian.models.authoring import ensure_edited, new_model
from shujian.models.checks import check_model
from shujian.models.fixtures import FixtureResult, SubjectReport, run_fixture
from shujian.models.parameters import parameters_in_force
from shujian.models.spec import TAGS, ModelSpec, load_library, load_model
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
    for p in parameters_in_force(spec, ws.overrides, ws.additions).values():
        value = "、".join(map(str, p.value)) if isinstance(p.value, list) else p.value
        click.echo(f"  - {p.name}（{p.label}）= {value}")
        click.echo(f"      来源：{p.source}")


def _checked(spec: ModelSpec, datasets: dict[str, Dataset]) -> None:
    """Stop on an unedited template (exit 2) or a model the checks refuse (exit 1)."""
    ensure_edited(spec)
    problems = check_model(spec, datasets)
    if problems:
        click.echo(f"模型 {spec.id} 有 {len(problems)} 个问题：")
        for p in problems:
            click.echo(f"  - {p}")
        raise SystemExit(1)


def print_portability(spec: ModelSpec) -> None:
    """The model's portability: no construct whose meaning differs between DuckDB and Spark
    (those are refused by the checks), what the compiler writes differently for Spark, and a
    join Spark would run pair by pair (a warning: the leads are the same)."""
    from shujian.engine import portability
    from shujian.engine.dialects import parse

    click.echo(
        "可移植性：查询中没有在 DuckDB 和 Spark 上含义不同的写法，"
        "在两种计算引擎上（shujian run --engine duckdb / spark）得到相同的线索。"
    )
    for note in portability.adjustments(parse(spec.query)):
        click.echo(f"  - {note}")
    for warning in portability.pairwise_joins(parse(spec.query)):
        click.echo(f"提示：{warning}")


@models_group.command("validate")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.pass_context
def validate_cmd(ctx: click.Context, file: Path) -> None:
    """检查一个模型文件，用中文说明其中的问题；有测试样例时一并运行。"""
    datasets = declared_datasets(ctx)
    spec = load_model(file)
    _checked(spec, datasets)
    click.echo(
        f"模型 {spec.id} 检查通过：查询为只读的单条 SELECT，只读取声明的数据集，返回监督对象和证据列。"
    )
    print_portability(spec)
    fixture = spec.fixture_path
    if fixture is None or not fixture.exists():
        click.echo(
            f"警告：没有找到测试样例 {fixture}，模型未经测试。请按 docs/authoring.md 第 3 节"
            f"编写测试样例，再运行 shujian models test {file}。",
            err=True,
        )
        return
    result = run_fixture(spec, fixture, datasets=datasets)
    print_fixture_result(result)
    if not result.passed:
        raise SystemExit(1)


@models_group.command("test")
@click.argument("model")
@click.option("--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb", help="计算引擎")
@click.pass_context
def test_cmd(ctx: click.Context, model: str, engine: str) -> None:
    """用测试样例检验模型（编号或模型文件）：列出未命中、误报和多出的监督对象。

    测试在临时的数据仓库中进行，不读写本工作区的数据和线索。通过时退出码为 0。
    """
    datasets = declared_datasets(ctx)
    path = Path(model)
    if path.is_file():
        spec = load_model(path)
    else:
        models = library(workspace(ctx)) if in_workspace(ctx) else load_library()
        if model not in models:
            raise UserError(
                f"“{model}”既不是模型编号，也不是模型文件。用 shujian models list 查看全部模型。"
            )
        spec = models[model]
    _checked(spec, datasets)
    fixture = spec.fixture_path
    if fixture is None or not fixture.exists():
        raise UserError(
            f"模型 {spec.id} 没有测试样例：应写在 {fixture}（见 docs/authoring.md 第 3 节）。"
        )
    result = run_fixture(spec, fixture, datasets=datasets, engine=engine)
    print_fixture_result(result)
    if not result.passed:
        raise SystemExit(1)


SHOWN_EVIDENCE_ROWS = 5
"""Evidence rows printed per subject; the count of the rest is printed after them."""


def _value(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, list):
        return "、".join(_value(v) for v in value)
    return str(value)


def _print_subject(report: SubjectReport) -> None:
    finding = report.finding
    click.echo(f"  {report.subject}" + (f"  {finding.title}" if finding else ""))
    for figures in report.figures[:SHOWN_EVIDENCE_ROWS]:
        click.echo("    " + "；".join(f"{label} {_value(v)}" for label, v in figures))
    if finding and finding.evidence_rows > min(len(report.figures), SHOWN_EVIDENCE_ROWS):
        click.echo(f"    ……共 {finding.evidence_rows} 行证据")
    if finding is None and not report.fixture_rows:
        click.echo("    测试样例的数据中没有这个监督对象：请核对 expect 中的号码是否抄错。")
    if finding is None:
        for row in report.fixture_rows:
            cells = "；".join(f"{k} {_value(v)}" for k, v in row.values.items())
            click.echo(f"    测试样例 {row.dataset} 第 {row.number} 行：{cells}")
            for r in row.rejections:
                click.echo(f"      该行导入时被退回：{r.column}“{_value(r.value)}”{r.reason}")


def print_fixture_result(result: FixtureResult) -> None:
    """What a model author reads: each disagreement with the figures that decide it."""
    click.echo(
        f"测试样例 {result.path}（模型 {result.model}，基准日 {result.as_of}，"
        "参数取模型文件中的默认值）"
    )
    click.echo(
        f"查询命中 {len(result.found)} 个监督对象；测试样例列出应当命中 {len(result.expected)} 个、"
        f"不应命中 {len(result.not_expected)} 个。"
    )
    hits = [s for s in result.expected if s in result.found]
    if hits:
        click.echo(f"命中 {len(hits)} 个（应当命中，已命中）：")
        for subject in hits:
            click.echo(f"  {subject}  {result.found[subject].title}")
    sections = (
        ("未命中", "应当命中，查询却没有返回", result.missing),
        ("误报", "列为不应命中的近似反例，查询却返回了", result.false_positives),
        ("多出", "查询返回了，测试样例中没有提到", result.unexpected),
    )
    for name, meaning, subjects in sections:
        if not subjects:
            continue
        click.echo(f"{name} {len(subjects)} 个（{meaning}）：")
        for subject in subjects:
            _print_subject(result.explain(subject))
    if result.problems:
        click.echo("测试样例本身的问题：")
        for p in result.problems:
            click.echo(f"  - {p}")
    if result.rejections:
        click.echo("导入时被退回的行：")
        for row in result.rejections:
            for r in row.rejections:
                click.echo(
                    f"  {row.dataset} 第 {row.number} 行 {r.column}“{_value(r.value)}”：{r.reason}"
                )
    if result.passed:
        click.echo(
            f"测试通过：应当命中的 {len(result.expected)} 个全部命中，"
            f"{len(result.not_expected)} 个近似反例均未命中，没有多出的。"
        )
    else:
        click.echo(
            f"测试未通过：未命中 {len(result.missing)} 个，误报 {len(result.false_positives)} 个，"
            f"多出 {len(result.unexpected)} 个，测试样例本身的问题 {len(result.problems)} 个。"
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
    click.echo("把两个文件中的模板内容改成本模型的内容后运行：")
    click.echo(f"  shujian models validate {model_path}")
    click.echo(f"  shujian models test {model_path}")


@models_group.command("stats")
@click.option("--model", "model_id", default=None, help="只看该模型")
@click.option("--last", default=10, show_default=True, help="最近几次运行")
@click.pass_context
def stats_cmd(ctx: click.Context, model_id: str | None, last: int) -> None:
    """每次运行中各模型发现的线索数（新增、更新、因已排除而未推送）和用时。"""
    ws = workspace(ctx)
    models = library(ws)
    datasets_of = {m: spec.datasets for m, spec in models.items()}
    rows = model_run_stats(ws.store, model_id, last, datasets_of)
    if not rows:
        click.echo("还没有运行记录。用 shujian run 运行模型。")
        return
    labels = {d.id: d.label for d in ws.datasets().values()}
    click.echo(
        f"{'运行':>4}  {'基准日':<11}{'模型':<34}{'命中行':>7}{'线索':>6}{'新增':>6}{'更新':>6}"
        f"{'未变':>6}{'已排除':>7}{'重新推送':>9}{'不再命中':>9}{'用时(秒)':>10}"
    )
    for r in rows:
        found = "无数据" if r.empty_datasets and not r.leads_found else str(r.leads_found)
        click.echo(
            f"{r.run_id:>4}  {r.as_of!s:<11}{r.model_id:<34}{r.rows:>9}{found:>8}{r.new:>8}"
            f"{r.refreshed:>8}{r.unchanged:>8}{r.suppressed:>10}{r.reopened:>12}{r.gone:>12}"
            f"{r.seconds:>12.2f}"
        )
        if r.empty_datasets:
            click.echo(f"        {empty_note(r.empty_datasets, labels)}")


def register(group: click.Group) -> None:
    group.add_command(models_group)
