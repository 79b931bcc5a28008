"""`shujian hearings schedule | hold | opinion | decide | show | list | stats`: 公开听证 attached
to a case (docs/hearings.md). The same services as the case page's 听证 section
(`hearings/service.py`)."""

from __future__ import annotations

from pathlib import Path

import click

from shujian import audit
from shujian.cli.common import parse_date, user, workspace


def _member(text: str) -> object:
    """姓名,身份,出生日期 → a Member (refused in Chinese otherwise)."""
    from shujian.hearings.rules import Member

    parts = [p.strip() for p in text.replace("，", ",").split(",")]
    if len(parts) != 3:
        raise click.BadParameter(
            f"听证员写作“姓名,身份,出生日期”，收到“{text}”", param_hint="--member"
        )
    return Member(parts[0], parts[1], parse_date(parts[2], f"听证员{parts[0]}的出生日期"))


@click.group("hearings")
def hearings_group() -> None:
    """公开听证：决定召开（听证员、告知、公告）、举行和笔录、听证员意见、处理决定和统计。"""


@hearings_group.command("schedule")
@click.argument("case_id", type=int)
@click.option("--matter", required=True, help="听证事项")
@click.option("--on", "held_on", required=True, metavar="YYYY-MM-DD", help="听证日期")
@click.option("--notified", required=True, metavar="YYYY-MM-DD", help="告知听证会参加人的日期")
@click.option("--member", "members", multiple=True, required=True,
              help="听证员：姓名,身份,出生日期（可重复，例如 --member 周某,人大代表,1970-03-01）")  # fmt: skip
@click.option("--public/--private", default=True, help="公开听证（默认）或不公开")
@click.option("--announced", default=None, metavar="YYYY-MM-DD", help="公开听证的公告日期")
@click.option("--place", default="本院检察听证室", show_default=True, help="听证地点")
@click.option("--host", required=True, help="主持人（承办检察官）")
@click.option("--juvenile-reason", default="", help="未成年人案件确需公开听证的理由")
@click.pass_context
def schedule_cmd(ctx: click.Context, case_id: int, matter: str, held_on: str, notified: str,
                 members: tuple[str, ...], public: bool, announced: str | None, place: str,
                 host: str, juvenile_reason: str) -> None:  # fmt: skip
    """决定召开听证会：听证员（人数、条件）、告知日期、公开听证的公告。"""
    from shujian.hearings import service

    ws = workspace(ctx)
    hid = service.schedule(
        ws, user(ctx), case_id, matter=matter, public=public, place=place, host=host,
        held_on=parse_date(held_on, "听证日期"), notified_on=parse_date(notified, "告知日期"),
        members=[_member(m) for m in members],  # type: ignore[misc]
        announced_on=parse_date(announced, "公告日期") if announced else None,
        juvenile_reason=juvenile_reason,
    )  # fmt: skip
    click.echo(f"已登记听证会 {hid}（案件 {case_id}，{held_on}，听证员 {len(members)} 人）。")


@hearings_group.command("hold")
@click.argument("hearing_id", type=int)
@click.option("--on", "held_on", required=True, metavar="YYYY-MM-DD", help="举行日期")
@click.option("--record", "record", required=True, help="听证笔录（或其摘要）")
@click.option("--record-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="从文本文件读入听证笔录")  # fmt: skip
@click.pass_context
def hold_cmd(ctx: click.Context, hearing_id: int, held_on: str, record: str,
             record_file: Path | None) -> None:  # fmt: skip
    """登记听证会已举行及其笔录。"""
    from shujian.hearings import service

    text = record_file.read_text(encoding="utf-8") if record_file else record
    service.hold(workspace(ctx), user(ctx), hearing_id, parse_date(held_on, "听证日期"), text)
    click.echo(f"听证会 {hearing_id} 已登记举行。")


@hearings_group.command("opinion")
@click.argument("hearing_id", type=int)
@click.argument("member")
@click.option("--stance", type=click.Choice(["agree", "disagree", "other"]), required=True,
              help="agree 同意承办检察官的处理意见、disagree 不同意、other 其他意见")  # fmt: skip
@click.option("--text", "text", required=True, help="意见内容")
@click.pass_context
def opinion_cmd(ctx: click.Context, hearing_id: int, member: str, stance: str, text: str) -> None:
    """登记一名听证员（姓名或序号）的意见。"""
    from shujian.hearings import service

    service.record_opinion(workspace(ctx), user(ctx), hearing_id, member, stance, text)
    click.echo(f"已登记听证员“{member}”的意见。")


@hearings_group.command("decide")
@click.argument("hearing_id", type=int)
@click.option("--on", "on", required=True, metavar="YYYY-MM-DD", help="决定日期")
@click.option("--decision", required=True, help="处理决定")
@click.option("--majority", type=click.Choice(["follows", "against"]), required=True,
              help="follows 采纳听证员多数意见、against 不采纳（须写明检察长同意）")  # fmt: skip
@click.option("--chief-consent", default="", help="不采纳多数意见时：检察长同意的情况")
@click.pass_context
def decide_cmd(ctx: click.Context, hearing_id: int, on: str, decision: str,
               majority: str, chief_consent: str) -> None:  # fmt: skip
    """听证后作出处理决定（不采纳听证员多数意见的，须写明检察长同意）。"""
    from shujian.hearings import service

    service.decide(workspace(ctx), user(ctx), hearing_id, parse_date(on, "决定日期"), decision,
                   follows_majority=majority == "follows", chief_consent=chief_consent)  # fmt: skip
    click.echo(f"听证会 {hearing_id} 已作出决定。")


def _echo_hearing(h: dict) -> None:  # type: ignore[type-arg]
    click.echo(f"听证会 {h['id']}（案件 {h['case_id']}）：{h['state_label']}  "
               f"{'公开' if h['public'] else '不公开'}  {h['scheduled_on']}  {h['place']}")  # fmt: skip
    click.echo(f"听证事项：{h['matter']}    主持人：{h['host']}    告知：{h['notified_on']}"
               + (f"    公告：{h['announced_on']}" if h["announced_on"] else ""))  # fmt: skip
    for m in h["members"]:
        o = m["opinion"]
        said = f"{h['stances'][o['stance']]}：{o['text']}" if o else "（未登记意见）"
        click.echo(f"  {m['seq']}. {m['name']}（{m['identity']}）  {said}")
    if h["record"]:
        click.echo(f"笔录：{h['record']}")
    if h["majority"]:
        click.echo(f"多数意见：{h['majority']}")
    if h["decision"]:
        click.echo(f"处理决定（{h['decided_on']}）：{h['decision']}"
                   + ("" if h["follows_majority"] else f"（未采纳多数意见；{h['chief_consent'] or ''}）"))  # fmt: skip


@hearings_group.command("show")
@click.argument("hearing_id", type=int)
@click.pass_context
def show_cmd(ctx: click.Context, hearing_id: int) -> None:
    """一次听证会：听证员及其意见、笔录、处理决定。"""
    from shujian.hearings import service

    _echo_hearing(service.get_hearing(workspace(ctx), user(ctx), hearing_id))


@hearings_group.command("list")
@click.argument("case_id", type=int)
@click.pass_context
def list_cmd(ctx: click.Context, case_id: int) -> None:
    """一个案件的全部听证会。"""
    from shujian.hearings import service

    found = service.case_hearings(workspace(ctx), user(ctx), case_id)
    if not found:
        click.echo(f"案件 {case_id} 没有听证会。")
    for h in found:
        _echo_hearing(h)


@hearings_group.command("notice")
@click.argument("hearing_id", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="写出的 .docx 文件")  # fmt: skip
@click.pass_context
def notice_cmd(ctx: click.Context, hearing_id: int, output: Path) -> None:
    """公开听证的听证会公告（.docx）。"""
    from shujian.hearings import service

    click.echo(f"已写出：{service.public_notice(workspace(ctx), user(ctx), hearing_id, output)}")


def echo_figures(ctx: click.Context, since: str | None, until: str | None,
                 output: Path | None) -> None:  # fmt: skip
    """The hearing counts per department and case kind, to the screen or xlsx."""
    from shujian.hearings import service
    from shujian.hearings.workbook import export_xlsx

    ws = workspace(ctx)
    actor = user(ctx)
    rows = service.counts(ws, actor, parse_date(since, "起始日期") if since else None,
                          parse_date(until, "截止日期") if until else None)  # fmt: skip
    audit.record_view(ws.store, actor.name, "stats", "hearings",
                      {"since": since, "until": until, "file": str(output) if output else None},
                      action="export" if output else "view")  # fmt: skip
    if output is not None:
        export_xlsx(rows, output)
        click.echo(f"已导出听证统计表：{output}")
        return
    click.echo("\t".join(["部门", "案件类型", *(label for _, label in service.FIGURES)]))
    for r in rows:
        click.echo("\t".join([r["department"], r["case_kind"],
                              *(str(r[k]) for k, _ in service.FIGURES)]))  # fmt: skip


@hearings_group.command("stats")
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="起始日期（含，按举行日期）")
@click.option("--until", default=None, metavar="YYYY-MM-DD", help="截止日期（含）")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="导出为 xlsx 文件")  # fmt: skip
@click.pass_context
def stats_cmd(ctx: click.Context, since: str | None, until: str | None,
              output: Path | None) -> None:  # fmt: skip
    """听证会次数、公开听证、听证员人次、已决定和未采纳多数意见，按部门和案件类型。"""
    echo_figures(ctx, since, until, output)


def register(group: click.Group) -> None:
    group.add_command(hearings_group)
