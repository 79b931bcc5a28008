"""`shujian stats`: figures per model, department, prosecutor or month, to the screen or xlsx."""

from __future__ import annotations

from pathlib import Path

import click

from shujian import audit
from shujian.cases import stats
from shujian.cli.common import home_departments, library, parse_date, user, workspace
from shujian.leads.queue import review_models


@click.command("stats")
@click.option(
    "--by",
    type=click.Choice(list(stats.DIMENSIONS)),
    default="model",
    show_default=True,
    help="统计维度：model 模型、department 部门、prosecutor 检察官、month 月份",
)
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="起始日期（含）")
@click.option("--until", default=None, metavar="YYYY-MM-DD", help="截止日期（含）")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="导出为 xlsx 文件",
)
@click.pass_context
def stats_cmd(
    ctx: click.Context, by: str, since: str | None, until: str | None, output: Path | None
) -> None:
    """线索、成案率、检察建议、按期回复、采纳、整改和成效的统计。"""
    ws = workspace(ctx)
    actor = user(ctx)
    rows = stats.statistics(
        ws.store,
        by,
        parse_date(since, "起始日期") if since else None,
        parse_date(until, "截止日期") if until else None,
        home=home_departments(ws),
        review_models=review_models(library(ws)),
        user=actor,
    )
    audit.record_view(
        ws.store,
        actor.name,
        "stats",
        by,
        {"since": since, "until": until, "file": str(output) if output else None},
        action="export" if output else "view",
    )
    if output is not None:
        stats.export_xlsx(rows, by, output)
        click.echo(f"已导出统计表：{output}")
        return
    cols = stats.columns()
    click.echo("\t".join([stats.DIMENSIONS[by], *(label for _, label in cols)]))
    for r in rows:
        cells = [str(r["key"])]
        for key, _ in cols:
            v = r[key]
            if stats.is_rate(key):
                cells.append("—" if v is None else f"{v:.1%}")
            else:
                cells.append(str(v))
        click.echo("\t".join(cells))


def register(group: click.Group) -> None:
    group.add_command(stats_cmd)
