"""`shujian init`, `shujian import` and `shujian datasets list | show | mappings`: what enters the
platform."""

from __future__ import annotations

from pathlib import Path

import click

from shujian.beijing import shown
from shujian.cli.common import declared_datasets, user, workspace
from shujian.data import mappings as saved_mappings
from shujian.data.datasets import Column, Dataset
from shujian.data.fields.registry import FIELD_TYPES
from shujian.data.importer import (
    ImportOptions,
    ImportResult,
    compact,
    import_file,
    summary_json,
)
from shujian.data.limits import read_limits
from shujian.data.steps import allowed_values
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
    help="整份文件的坐标系：GCJ02（高德、腾讯）、BD09（百度）或 WGS84（GPS、天地图、北斗）。"
    "文件有经纬度而没有坐标系列时必须指定；有坐标系列时只用于该列为空的行",
)
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar="表头=字段",
    help="把文件中的表头对应到数据集字段，可重复；指定了 --agency 时保存下来，该单位下次报送时沿用",
)
@click.option(
    "--set",
    "constants",
    multiple=True,
    metavar="字段=值",
    help="文件中没有的列，整份文件取同一个值（如 --set 单位名称=青岚县阳光幼儿园），可重复",
)
@click.option("--agency", default="", help="报送单位名称（保存和沿用表头对应关系按单位区分）")
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
    constants: tuple[str, ...],
    agency: str,
    as_json: bool,
) -> None:
    """导入一份数据文件（xlsx、xls、csv）。

    同一份文件换了选项（坐标系、表头对应、工作表、编码、统一取值）再导入，取代原来的批次（原批次保留备查，
    不再参与模型运行）；选项相同则不做任何更改。
    """
    ws = workspace(ctx)
    datasets = ws.datasets()
    if dataset not in datasets:
        raise UserError(f"未知的数据集“{dataset}”。可用的数据集：{'、'.join(sorted(datasets))}")
    options = ImportOptions(
        sheet=sheet,
        encoding=encoding,
        crs=crs,
        mapping=parse_mapping(list(mappings)),
        agency=agency.strip(),
        constants=parse_pairs(list(constants), "--set", "字段=值"),
    )
    result = import_file(
        Warehouse(ws.warehouse_dir, ws.store),
        ws.reports_dir,
        datasets[dataset],
        file,
        options,
        user=user(ctx),
        limits=read_limits(ws.setting),
    )
    if result.moved_aside:
        click.echo(
            f"注意：数据仓库中有 {len(result.moved_aside)} 个文件不属于本案件库登记的任何批次，"
            f"已移至 {result.moved_aside[0].parent.parent}（未删除）。如确为本工作区的数据，"
            f"请检查案件库设置（SHUJIAN_STORE_URL 或 [store] url）："
        )
        for path in result.moved_aside:
            click.echo(f"  {path}")
    print_import(result, datasets[dataset], mappings_typed=bool(mappings))
    if as_json:
        click.echo(summary_json(result))


def print_import(result: ImportResult, dataset: Dataset, *, mappings_typed: bool) -> None:
    """What an import did, in words that cannot be misread: "导入 0 行" never stands alone."""
    if result.already_imported:
        click.echo(
            f"该文件已经导入过（批次 {result.batch_id}），选项也相同，本次未做任何更改。"
            "如上次的选项有误（例如坐标系），换用正确的选项再导入，即取代上次的批次。"
        )
        return
    for header, label in result.saved_mappings_used.items():
        click.echo(f"沿用已保存的表头对应：{header}→{label}")
    for label, value in result.constants.items():
        click.echo(f"整份文件统一取值：{label}={value}")
    if result.replaced is not None:
        click.echo(
            f"该文件曾以不同的选项导入为批次 {result.replaced}；本次导入取代该批次"
            f"（原批次保留备查，不再参与模型运行）。"
        )
    if result.rows_read == 0:
        click.echo(f"{dataset.label}：文件中没有数据行，未导入任何数据。批次 {result.batch_id}。")
    elif result.all_rejected:
        click.echo(
            f"{dataset.label}：全部退回——文件中的 {result.rejected} 行全部被退回，未导入任何数据"
            f"（不是“没有问题”）。批次 {result.batch_id}。"
        )
    else:
        click.echo(
            f"{dataset.label}：导入 {result.imported} 行，退回 {result.rejected} 行，"
            f"跳过 {result.skipped} 行（合计行等），与已有数据重复 {result.duplicates} 行。"
            f"批次 {result.batch_id}。"
        )
    if result.extra_columns:
        click.echo(f"未对应到字段的列已原样保存：{'、'.join(result.extra_columns)}")
    if result.report and result.rejected:
        click.echo(f"退回报告：{result.report}")
    elif result.report and result.skipped:
        click.echo(f"跳过的行列在：{result.report}")
    if result.mappings_saved:
        pairs = "、".join(f"{h}→{label}" for h, label in result.mappings_saved.items())
        click.echo(f"已保存表头对应（{dataset.label}，报送单位 {result.agency}）：{pairs}")
    elif mappings_typed and not result.agency:
        click.echo("未指定 --agency，本次的表头对应没有保存。")


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
            click.echo(f"      允许的取值：{allowed_values(c)}")
        if c.multiple:
            click.echo("      可填多项，以顿号、逗号、分号、斜杠或空格分隔")
        if c.synonyms:
            pairs = "、".join(f"{k}→{v}" for k, v in c.synonyms.items())
            click.echo(f"      同义词（导入时换成标准取值）：{pairs}")
    if d.coordinates:
        click.echo(
            "经纬度在导入时按坐标系（该列为空时取 import --crs，默认 WGS84）换算为 WGS-84，"
            "查询中用的都是 WGS-84 坐标。"
        )
    click.echo("每行另有 _batch（批次号）和 _row（原文件行号）两列，供 trace 溯源使用。")


@datasets_group.command("compact")
@click.argument("dataset_id")
@click.pass_context
def datasets_compact_cmd(ctx: click.Context, dataset_id: str) -> None:
    """把数据集的小批次（每批不超过50行，如平台登记的走访）合并为一个文件，模型和名册读一个文件而不是逐个打开。

    批次不变：每个批次的登记、原文件哈希、审计记录和它自己的文件都保留，溯源仍指向原批次。导入时每满100个
    未合并的小批次即自动合并，本命令立即把全部小批次（连同此前合并的文件）合并为一个。
    """
    ws = workspace(ctx)
    dataset = _dataset(ctx, dataset_id)
    done = compact(Warehouse(ws.warehouse_dir, ws.store), dataset, user=user(ctx))
    if done is None:
        click.echo(f"{dataset.label}（{dataset.id}）没有需要合并的小批次。")
        return
    merged = f"，并入此前合并的 {len(done.merged)} 个文件" if done.merged else ""
    click.echo(
        f"已合并 {dataset.label}（{dataset.id}）的 {done.batches} 个小批次、{done.rows} 行{merged}：{done.parquet}"
    )
    click.echo("各批次的登记、哈希和审计记录不变，原文件保留。")


@datasets_group.group("mappings")
def mappings_group() -> None:
    """各报送单位保存的表头对应关系。

    导入时用 --map 表头=字段 并用 --agency 指定报送单位，成功导入后即保存；该单位下次报送同一数据集时自动沿用
    （本次 --map 指定的优先）。
    """


def _dataset(ctx: click.Context, dataset_id: str) -> Dataset:
    datasets = declared_datasets(ctx)
    if dataset_id not in datasets:
        raise UserError(
            f"未知的数据集“{dataset_id}”。可用的数据集：{'、'.join(sorted(datasets))}",
            code="unknown_dataset",
        )
    return datasets[dataset_id]


@mappings_group.command("list")
@click.argument("dataset_id", required=False)
@click.option("--agency", default=None, help="只列出该报送单位的")
@click.pass_context
def mappings_list_cmd(ctx: click.Context, dataset_id: str | None, agency: str | None) -> None:
    """列出保存的表头对应关系（可按数据集、报送单位筛选）。"""
    ws = workspace(ctx)
    datasets = ws.datasets()
    if dataset_id is not None:
        _dataset(ctx, dataset_id)
    rows = saved_mappings.saved(ws.store, agency, dataset_id)
    if not rows:
        click.echo("没有保存的表头对应关系。")
        return
    for m in rows:
        label = m.dataset
        target = m.column_id
        if m.dataset in datasets:
            label = datasets[m.dataset].label
            target = datasets[m.dataset].column(m.column_id).label
        click.echo(
            f"{m.agency}  {m.dataset}（{label}）  {m.header}→{target}  "
            f"{m.saved_by} {shown(m.saved_at)}"
        )
    click.echo(f"共 {len(rows)} 条。")


@mappings_group.command("set")
@click.argument("dataset_id")
@click.argument("pairs", nargs=-1, required=True, metavar="表头=字段...")
@click.option("--agency", required=True, help="报送单位名称")
@click.pass_context
def mappings_set_cmd(
    ctx: click.Context, dataset_id: str, pairs: tuple[str, ...], agency: str
) -> None:
    """保存（或改正）某报送单位某数据集的表头对应关系。"""
    ws = workspace(ctx)
    dataset = _dataset(ctx, dataset_id)
    changed = saved_mappings.set_mappings(
        ws.store, user(ctx), agency, dataset, parse_mapping(list(pairs))
    )
    if not changed:
        click.echo("这些表头对应关系已经保存过，未做更改。")
        return
    for header, column_id in changed.items():
        click.echo(f"已保存：{header}→{dataset.column(column_id).label}")


@mappings_group.command("delete")
@click.argument("dataset_id")
@click.argument("headers", nargs=-1, required=True, metavar="表头...")
@click.option("--agency", required=True, help="报送单位名称")
@click.pass_context
def mappings_delete_cmd(
    ctx: click.Context, dataset_id: str, headers: tuple[str, ...], agency: str
) -> None:
    """删除某报送单位某数据集保存的表头对应关系。"""
    ws = workspace(ctx)
    dataset = _dataset(ctx, dataset_id)
    gone = saved_mappings.delete_mappings(ws.store, user(ctx), agency, dataset, list(headers))
    click.echo(f"已删除：{'、'.join(gone)}")


def register(group: click.Group) -> None:
    group.add_command(init_cmd)
    group.add_command(import_cmd)
    group.add_command(datasets_group)


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """`--map 表头=字段` pairs as typed."""
    return parse_pairs(pairs, "--map", "表头=字段")


def parse_pairs(pairs: list[str], option: str, shape: str) -> dict[str, str]:
    """`名=值` pairs as typed (full-width ＝ too); the later of two for one name stands."""
    parsed = {}
    for pair in pairs:
        pair = pair.replace("＝", "=")
        if "=" not in pair or not pair.split("=", 1)[0].strip():
            raise UserError(f"{option} 的格式应为 {shape}，收到：{pair}")
        name, value = pair.split("=", 1)
        parsed[name.strip()] = value.strip()
    return parsed
