"""`shujian minors tier / tiers` end to end on the 督办 county: a tier set from a warning through
the real entry point, the minor's file (`minors show`) printing it on the timeline, the history,
the statistics counting 提前干预 and 确定干预等级人数; refusals in Chinese, no traceback; a
helping unit's account sees no tier."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from juvenile.supervision_county import Minor, build
from shujian.beijing import today_in_china
from shujian.cli.main import cli
from shujian.juvenile.service import Register
from shujian.leads.store import leads
from shujian.models.runner import run_models
from shujian.models.spec import load_library
from shujian.users.accounts import add_user
from shujian.users.departments import departments_of
from shujian.users.user import User
from shujian.workspace import Workspace, init_workspace

D = dt.date


def shujian(ws: Path, *args: str, user: str = "张检察官", code: int = 0):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, ["-w", str(ws), "-u", user, *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def county(tmp_path: Path) -> tuple[Workspace, dict[str, Minor], dict[str, int]]:
    ws = init_workspace(tmp_path / "ws")
    admin = User("管理员", ws.region.procuratorate_name, None, frozenset({"admin"}))
    add_user(ws.store, admin, "管理员", None, ["admin"], departments_of(ws))
    add_user(ws.store, admin, "张检察官", "未成年人检察部", ["prosecutor"], departments_of(ws))
    add_user(ws.store, admin, "王检察长", None, ["chief"], departments_of(ws))
    add_user(ws.store, admin, "钱帮扶", None, ["helper"], departments_of(ws), unit="县团委")
    minors = build(ws, tmp_path / "files")
    run_models(ws, load_library(), ["juvenile.visit_missing"], D(2026, 11, 2))
    with ws.store.connect() as conn:
        found = dict(conn.execute(select(leads.c.subject, leads.c.id)).all())
    return ws, minors, found


def test_a_tier_from_a_warning_on_the_file_and_in_the_statistics(county) -> None:  # type: ignore[no-untyped-def]
    ws, m, found = county
    a4 = m["A4"].number
    ref = Register(ws).ref(a4)
    lead = found[f"{a4}/2026-10"]
    today = today_in_china().isoformat()  # the warnings were found today: taken up today
    early = shujian(ws.root, "minors", "tier", ref, "--tier", "T2", "--item", "38.1", "--reason",
                    "x", "--on", "2026-11-03", "--warning", str(lead), code=2)  # fmt: skip
    assert "早于预警" in early.output
    said = shujian(ws.root, "minors", "tier", ref, "--tier", "T2", "--item", "38.1",
                   "--reason", "结伙拦截同学强拿硬要", "--measure", "训诫", "--measure",
                   "责令具结悔过", "--warning", str(lead))  # fmt: skip
    assert (
        f"已登记分级干预记录 1：{today} T2 严重不良行为，承接预警（线索 {lead}）。" in said.output
    )

    shown = shujian(ws.root, "minors", "show", ref).output
    assert "时间线：" in shown
    timeline = shown[shown.index("时间线：") :].splitlines()[1:]
    assert timeline[0].split()[:2] == ["2025-01-01", "包保开始"]
    assert timeline[1].split()[:2] == ["2025-01-10", "名册认定"]
    [tier] = [line for line in timeline if "  干预等级  " in line]
    assert tier == timeline[-1]  # today's: after the warnings found today
    assert tier.startswith(f"  {today}  干预等级  T2 严重不良行为；理由：第三十八条第一项")
    assert "措施：训诫（第四十一条）、责令具结悔过（第四十一条）" in tier
    assert a4 not in shown

    history = shujian(ws.root, "minors", "tiers", ref, user="王检察长").output
    assert "当前干预等级：T2 严重不良行为" in history
    assert f"承接预警：线索 {lead}" in history

    stats = shujian(ws.root, "minors", "stats", "--since", "2026-11-01").output
    header, *rows = [line.split("\t") for line in stats.splitlines() if "\t" in line]
    total = dict(zip(header, next(r for r in rows if r[0] == "合计"), strict=True))
    assert (total["提前干预人数"], total["确定干预等级人数"]) == ("1", "1")
    assert "尚未统计" not in stats  # every figure is counted: none is listed as waiting

    ended = shujian(ws.root, "minors", "tier", ref, "--tier", "结束干预", "--reason",
                    "已返校，经评估结束干预")  # fmt: skip
    assert f"{today} 结束干预" in ended.output
    assert "当前干预等级：无（已结束干预）" in shujian(ws.root, "minors", "tiers", ref).output


def test_refusals_in_chinese(county) -> None:  # type: ignore[no-untyped-def]
    ws, m, found = county
    a4 = m["A4"].number
    ref = Register(ws).ref(a4)
    cases = [
        (["--tier", "T1", "--item", "28.2", "--measure", "训诫", "--reason", "旷课"],
         "“训诫”（第四十一条）不是T1 不良行为可以采取的措施"),
        (["--tier", "T1", "--item", "28.2", "--reason", "旷课", "--on", "2099-01-01"], "晚于今天"),
        (["--tier", "T9", "--reason", "x"], "没有“T9”这一干预等级"),
        (["--tier", "T1", "--item", "28.2", "--reason", "旷课", "--warning",
          str(found[f"{m['A2'].number}/2026-10"])], "不是对未成年人"),
    ]  # fmt: skip
    for args, message in cases:
        said = shujian(ws.root, "minors", "tier", ref, *args, code=2)
        assert message in said.output, said.output
    helper = shujian(ws.root, "minors", "tier", ref, "--tier", "T1", "--item", "28.2",
                     "--reason", "旷课", user="钱帮扶", code=2)  # fmt: skip
    assert "分级干预由未成年人检察部办理" in helper.output
    assert "不能查看" in shujian(ws.root, "minors", "tiers", ref, user="钱帮扶", code=2).output
    shown = shujian(ws.root, "minors", "show", ref, user="钱帮扶").output
    assert "干预等级" not in shown
