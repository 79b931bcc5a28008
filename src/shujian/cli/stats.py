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
    "--of",
    "of",
    type=click.Choice(["cases", "petitions", "hearings", "judicial_aid"]),
    default="cases",
    show_default=True,
    help="统计对象：cases 线索和案件、petitions 12309信访（同 shujian petitions stats）、"
    "hearings 公开听证（按部门和案件类型）、judicial_aid 国家司法救助（按救助情形）",
)
@click.option(
    "--by",
    type=click.Choice([*stats.DIMENSIONS, "channel", "category"]),
    default=None,
    help="统计维度：model 模型（默认）、department 部门、prosecutor 检察官、month 月份；"
    "信访：department 承办部门（默认）、channel 信访渠道、category 信访类别",
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
    ctx: click.Context,
    of: str,
    by: str | None,
    since: str | None,
    until: str | None,
    output: Path | None,
) -> None:
    """线索、成案率、检察建议、按期回复、采纳、整改和成效的统计。"""
    if of == "hearings":
        from shujian.cli.hearings import echo_figures as hearing_figures

        hearing_figures(ctx, since, until, output)
        return
    if of == "judicial_aid":
        from shujian.cli.aid import echo_figures as aid_figures

        aid_figures(ctx, since, until, output)
        return
    if of == "petitions":
        from shujian.cli.petitions import echo_figures

        if by not in (None, "department", "channel", "category"):
            raise click.BadParameter(
                "信访统计的维度：department、channel、category", param_hint="--by"
            )
        echo_figures(ctx, by or "department", since, until, output)
        return
    by = by or "model"
    if by not in stats.DIMENSIONS:
        raise click.BadParameter(f"可选：{'、'.join(stats.DIMENSIONS)}", param_hint="--by")
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
