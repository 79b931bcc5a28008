"""`shujian init` and `shujian import`."""

from __future__ import annotations

from pathlib import Path

import click

from shujian.cli.common import workspace
from shujian.data.importer import ImportOptions, import_file, parse_mapping, summary_json
from shujian.data.warehouse import Warehouse
from shujian.errors import UserError
from shujian.workspace import Region, init_workspace


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
    ws = init_workspace(directory, region=region)
    click.echo(f"已创建工作区：{ws.root}")
    click.echo(f"配置文件：{ws.root / 'shujian.toml'}（地区信息和模型参数的地方调整写在这里）")


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


def register(group: click.Group) -> None:
    group.add_command(init_cmd)
    group.add_command(import_cmd)
