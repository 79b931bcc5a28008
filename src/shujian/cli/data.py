"""`shujian init`, `shujian import` and `shujian datasets list | show`: what enters the platform."""

from __future__ import annotations

from pathlib import Path

import click

from shujian.cli.common import declared_datasets, workspace
from shujian.data.datasets import Column
from shujian.data.fields import FIELD_TYPES
from shujian.data.importer import ImportOptions, import_file, summary_json
from shujian.data.warehouse import Warehouse
from shujian.errors import UserError
from shujian.workspace import CONFIG_NAME, Region, init_workspace, open_workspace


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--province", default="", help="省")
@click.option("--city", default="", help="市")
@click.option("--county", default="", help="县（区）")
@click.option("--code", default="", help="行政区划代码")
@click.option("--procuratorate", default="", help="检察院名称")
@click.option("--abbreviation", default="", help="院简称（用于文号，例如“青”）")
def init_cmd(
    directory: Path,
    province: str,
    city: str,
    county: str,
    code: str,
    procuratorate: str,
    abbreviation: str,
) -> None:
    """创建工作区：配置文件、数据仓库和案件库。"""
    region = Region(province, city, county, code, procuratorate, abbreviation)
    config = directory / CONFIG_NAME
    if config.exists():
        existing = open_workspace(directory).region
        differ = region_differences(existing, region)
        if differ:
            lines = "\n".join(
                f"- {label}：配置文件中为“{old or '（空）'}”，命令中为“{new}”"
                for label, old, new in differ
            )
            raise UserError(
                f"{directory.resolve()} 已经是工作区，其配置文件 {config.resolve()} 未作改动；"
                f"以下选项与配置文件不同，没有生效：\n{lines}\n"
                "如需修改地区信息，请直接编辑配置文件 [region] 一节。",
                code="workspace_exists_options_differ",
            )
        ws = init_workspace(directory, region=region)
        click.echo(f"工作区已存在：{ws.root}（未作改动；缺少的目录和数据库表已补齐）")
        click.echo(f"配置文件：{ws.root / CONFIG_NAME}")
        return
    ws = init_workspace(directory, region=region)
    click.echo(f"已创建工作区：{ws.root}")
    click.echo(f"配置文件：{ws.root / CONFIG_NAME}（地区信息和模型参数的地方调整写在这里）")


REGION_LABELS = {
    "province": "省（--province）",
    "city": "市（--city）",
    "county": "县（--county）",
    "code": "行政区划代码（--code）",
    "procuratorate": "检察院名称（--procuratorate）",
    "abbreviation": "院简称（--abbreviation）",
}


def region_differences(existing: Region, given: Region) -> list[tuple[str, str, str]]:
    """(label, configured value, typed value) of each option typed for an existing workspace
    that differs from its shujian.toml: `init` never overwrites a configuration, so such an
    option would otherwise be silently ignored. Options not typed (empty) are not compared."""
    out = []
    for key, label in REGION_LABELS.items():
        typed = getattr(given, key)
        if typed and typed != getattr(existing, key):
            out.append((label, getattr(existing, key), typed))
    return out


@click.command("import")
@click.argument("dataset")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--sheet", default=None, help="工作表名称或序号（默认第一个）")
@click.option(
    "--encoding",
    type=click.Choice(["auto", "utf-8", "gb18030", "gbk"]),
    default="auto",
    help="CSV 文件编码（默认自动识别）",
)
@click.option(
    "--crs",
    default=None,
    help="整份文件的坐标系：WGS84、GCJ02 或 BD09（默认 WGS84；有坐标系列时以该列为准）",
)
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar="表头=字段",
    help="把文件中的表头对应到数据集字段，可重复",
)
@click.option("--agency", default="", help="报送单位名称")
@click.option("--json", "as_json", is_flag=True, help="最后一行输出 JSON 结果")
@click.pass_context
def import_cmd(
    ctx: click.Context,
    dataset: str,
    file: Path,
    sheet: str | None,
    encoding: str,
    crs: str | None,
    mappings: tuple[str, ...],
    agency: str,
    as_json: bool,
) -> None:
    """导入一份数据文件（xlsx、xls、csv）。"""
    ws = workspace(ctx)
    datasets = ws.datasets()
    if dataset not in datasets:
        raise UserError(f"未知的数据集“{dataset}”。可用的数据集：{'、'.join(sorted(datasets))}")
    options = ImportOptions(
        sheet=sheet,
        encoding=encoding,
        crs=crs,
        mapping=parse_mapping(list(mappings)),
        agency=agency,
    )
    result = import_file(
        Warehouse(ws.warehouse_dir, ws.store), ws.reports_dir, datasets[dataset], file, options
    )
    if result.moved_aside:
        click.echo(
            f"注意：数据仓库中有 {len(result.moved_aside)} 个文件不属于本案件库登记的任何批次，"
            f"已移至 {result.moved_aside[0].parent.parent}（未删除）。如确为本工作区的数据，"
            f"请检查案件库设置（SHUJIAN_STORE_URL 或 [store] url）："
        )
        for path in result.moved_aside:
            click.echo(f"  {path}")
    if result.already_imported:
        click.echo(f"该文件已经导入过（批次 {result.batch_id}），本次未做任何更改。")
    else:
        click.echo(
            f"{datasets[dataset].label}：导入 {result.imported} 行，退回 {result.rejected} 行，"
            f"跳过 {result.skipped} 行（合计行等），与已有数据重复 {result.duplicates} 行。"
            f"批次 {result.batch_id}。"
        )
        if result.extra_columns:
            click.echo(f"未对应到字段的列已原样保存：{'、'.join(result.extra_columns)}")
        if result.report:
            click.echo(f"退回报告：{result.report}")
    if as_json:
        click.echo(summary_json(result))


MODES = {
    "snapshot": "名录（新批次按记录键更新旧记录，未提到的记录保留）",
    "events": "事件（批次累加，与已有数据完全相同的行不重复存储）",
}


@click.group("datasets")
def datasets_group() -> None:
    """数据集：机关报送的数据及其字段（中文表头、类型、别名、取值）。"""


@datasets_group.command("list")
@click.pass_context
def datasets_list_cmd(ctx: click.Context) -> None:
    """列出全部数据集。"""
    for d in declared_datasets(ctx).values():
        click.echo(f"{d.id:<22}{d.label}（{d.agency}）  {len(d.columns)} 个字段")
    click.echo("用 shujian datasets show 编号 查看字段的中文表头、类型、别名和允许的取值。")


def _type_text(column: Column) -> str:
    field_type = FIELD_TYPES.get(column.type)
    return f"{field_type.label}（{column.type}）" if field_type else column.type


@datasets_group.command("show")
@click.argument("dataset_id")
@click.pass_context
def datasets_show_cmd(ctx: click.Context, dataset_id: str) -> None:
    """列出数据集的字段：查询中用的字段名、中文表头、类型、是否必填、别名和允许的取值。"""
    datasets = declared_datasets(ctx)
    if dataset_id not in datasets:
        raise UserError(f"未知的数据集“{dataset_id}”。可用的数据集：{'、'.join(sorted(datasets))}")
    d = datasets[dataset_id]
    click.echo(f"{d.id}  {d.label}（报送单位：{d.agency}）")
    click.echo(f"类型：{MODES.get(d.mode, d.mode)}")
    subject = d.column(d.subject)
    click.echo(f"监督对象：{subject.label}（{subject.id}）")
    if d.record_key:
        keys = "、".join(f"{d.column(k).label}（{k}）" for k in d.record_key)
        click.echo(f"记录键：{keys}")
    click.echo("字段（查询中写字段名；导入文件的表头写中文表头或任一别名，* 为必填）：")
    for c in d.columns:
        mark = "*" if c.required else " "
        click.echo(f"  {mark} {c.id:<20}{c.label}    类型：{_type_text(c)}")
        if c.aliases:
            click.echo(f"      别名：{'、'.join(c.aliases)}")
        if c.values:
            click.echo(f"      允许的取值：{'、'.join(c.values)}")
        if c.synonyms:
            pairs = "、".join(f"{k}→{v}" for k, v in c.synonyms.items())
            click.echo(f"      同义词（导入时换成标准取值）：{pairs}")
    if d.coordinates:
        click.echo(
            "经纬度在导入时按坐标系（该列为空时取 import --crs，默认 WGS84）换算为 WGS-84，"
            "查询中用的都是 WGS-84 坐标。"
        )
    click.echo("每行另有 _batch（批次号）和 _row（原文件行号）两列，供 trace 溯源使用。")


def register(group: click.Group) -> None:
    group.add_command(init_cmd)
    group.add_command(import_cmd)
    group.add_command(datasets_group)


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """`--map 表头=字段` pairs as typed."""
    mapping = {}
    for pair in pairs:
        if "=" not in pair:
            raise UserError(f"--map 的格式应为 表头=字段，收到：{pair}")
        header, target = pair.split("=", 1)
        mapping[header.strip()] = target.strip()
    return mapping
