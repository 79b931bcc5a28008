"""`shujian minors tier REF …` and `shujian minors tiers REF`: 分级干预 — set a minor's
intervention tier (or end the intervention), and list the tiers set so far.

The same services as the minor's page (`juvenile/tiers/`): a minor is named by 编号 or full ID
number, which is never printed in full.
"""

from __future__ import annotations

import click

from shujian.beijing import today_in_china
from shujian.cli.common import parse_date, user, workspace
from shujian.juvenile.service import Register
from shujian.juvenile.tiers import service
from shujian.juvenile.tiers.rules import Change, declarations, item_of, tier_of


def _tier_help() -> str:
    return "、".join(f"{t.title}（{t.id}）" for t in declarations().tiers)


@click.command("tier")
@click.argument("minor")
@click.option(
    "--tier", "tier", required=True, help="干预等级：T1、T2、触法、T3 或 结束干预（也可写代码）"
)
@click.option("--reason", required=True, help="理由：事实和依据")
@click.option(
    "--item",
    "items",
    multiple=True,
    help="理由所依据的项，可写多次：如 28.1（第二十八条第一项）、38.4、触法写 38.0",
)
@click.option(
    "--measure",
    "measures",
    multiple=True,
    help="已采取的措施，可写多次：该等级所依据条文列明的措施，如 予以训导、训诫、送专门学校",
)
@click.option("--on", "on_date", default=None, help="决定日期 YYYY-MM-DD（默认今天，不能晚于今天）")
@click.option("--warning", "lead_id", type=int, default=None, help="承接的预警（线索编号）")
@click.pass_context
def tier_cmd(
    ctx: click.Context,
    minor: str,
    tier: str,
    reason: str,
    items: tuple[str, ...],
    measures: tuple[str, ...],
    on_date: str | None,
    lead_id: int | None,
) -> None:
    """确定干预等级（或结束干预）：记入分级干预记录，不改写以前的记录。MINOR 为编号或公民身份号码。"""
    register = Register(workspace(ctx))
    today = today_in_china()
    who = register.with_grants(user(ctx), today)
    dec = declarations()
    chosen = tier_of(dec, tier)
    change = Change(
        tier=chosen.id,
        decided_on=parse_date(on_date, "决定日期"),
        items=tuple(item_of(dec, i) for i in items),
        reason=reason,
        measures=tuple(m.strip() for m in measures),
        lead_id=lead_id,
    )
    id_card = register.find(who, minor)
    number = service.set_tier(register, who, id_card, change, today)
    taken = f"，承接预警（线索 {lead_id}）" if lead_id is not None else ""
    click.echo(
        f"已登记分级干预记录 {number}：{change.decided_on.isoformat()} {chosen.title}{taken}。"
    )


@click.command("tiers")
@click.argument("minor")
@click.pass_context
def tiers_cmd(ctx: click.Context, minor: str) -> None:
    """分级干预记录：该未成年人历次确定的干预等级（按登记先后）。MINOR 为编号或公民身份号码。"""
    register = Register(workspace(ctx))
    today = today_in_china()
    who = register.with_grants(user(ctx), today)
    id_card = register.find(who, minor)
    found = service.history(register, who, id_card)
    if not found["changes"]:
        click.echo("没有分级干预记录。")
        return
    click.echo(f"当前干预等级：{found['current'] or '无（已结束干预）'}")
    for c in found["changes"]:
        click.echo(
            f"{c['id']:>4}  {c['decided_on'].isoformat()}  {c['tier_title']}  决定人：{c['decided_by']}"
        )
        if c["items"]:
            click.echo(f"      理由：{'；'.join(c['items'])}")
        click.echo(f"      {c['reason']}")
        if c["measures"]:
            click.echo(f"      措施：{'、'.join(c['measures'])}")
        if c["lead_id"] is not None:
            click.echo(f"      承接预警：线索 {c['lead_id']}")


def register(group: click.Group) -> None:
    group.add_command(tier_cmd)
    group.add_command(tiers_cmd)
