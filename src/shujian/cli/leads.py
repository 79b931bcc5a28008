"""`shujian leads export`."""

from __future__ import annotations

from pathlib import Path

import click

from shujian.cli.common import workspace
from shujian.leads.export import export_leads


@click.group("leads")
def leads_group() -> None:
    """线索。"""


@leads_group.command("export")
@click.option("--model", "model_id", default=None, help="只导出该模型的线索")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "xlsx"]), default="jsonl")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="输出文件（默认：jsonl 和 csv 输出到屏幕；xlsx 必须指定文件）",
)
@click.pass_context
def export_cmd(ctx: click.Context, model_id: str | None, fmt: str, output: Path | None) -> None:
    """导出线索（每条一行：模型、监督对象、标题、证据、状态）。"""
    ws = workspace(ctx)
    count = export_leads(ws.store, fmt, output, model_id)
    if output is not None:
        click.echo(f"已导出 {count} 条线索到 {output}", err=True)


def register(group: click.Group) -> None:
    group.add_command(leads_group)
