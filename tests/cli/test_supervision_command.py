"""`shujian minors supervise …` on the 督办 county: the month's prompts written as a folder of
.xlsx (one per unit, named after it), the quarter printed and saved, a warning taken up, followed
up, moved, closed and listed, a month's sample drawn, saved and checked — and a helping unit's
account refused every one of them."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from juvenile.supervision_county import Minor, build
from shujian.beijing import today_in_china
from shujian.cli.main import cli
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
    add_user(ws.store, admin, "刘帮扶", None, ["helper"], departments_of(ws), unit="县妇联")
    minors = build(ws, tmp_path / "files")
    run_models(ws, load_library(), ["juvenile.visit_missing"], D(2026, 11, 2))
    with ws.store.connect() as conn:
        found = dict(conn.execute(select(leads.c.subject, leads.c.id)).all())
    return ws, minors, found


def test_the_months_prompts_as_a_folder_of_xlsx(county, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws, m, _ = county
    out = tmp_path / "prompts"
    said = shujian(ws.root, "minors", "supervise", "prompts", "--month", "2026-10", "-o", str(out))
    text = said.output
    assert "2026-10 应四访 11 人，已落实 5 人；提示日为 2026-11-02（2026-11 第一个工作日）" in text
    assert "县团委：应走访 2 人，未落实 2 人" in text
    assert "全部落实、无需提示的单位：县教育局" in text
    assert "另有 1 人该月最后一日没有包保单位" in text and "安六" in text
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["县妇联.xlsx", "县团委.xlsx", "城关镇_东街社区居委会.xlsx", "龙场乡政府.xlsx"]
    )
    book = openpyxl.load_workbook(out / "龙场乡政府.xlsx")
    listed = [r for r in book.worksheets[0].iter_rows(values_only=True) if isinstance(r[0], int)]
    assert [(r[1], r[7]) for r in listed] == [("白二", "家庭、学校、社区")]
    assert m["B2"].number not in text
    one = shujian(ws.root, "minors", "supervise", "prompts", "--month", "2026-10",
                  "--unit", "县妇联", "-o", str(tmp_path / "one"))  # fmt: skip
    assert [p.name for p in (tmp_path / "one").iterdir()] == ["县妇联.xlsx"]
    assert "县妇联：应走访 3 人，未落实 1 人" in one.output
    this_month = f"{today_in_china():%Y-%m}"
    refused = shujian(ws.root, "minors", "supervise", "prompts", "--month", this_month, code=2)
    assert "尚未结束" in refused.output


def test_an_item_from_the_command_line(county) -> None:  # type: ignore[no-untyped-def]
    ws, m, found = county
    lead = found[f"{m['A4'].number}/2026-10"]
    opened = shujian(ws.root, "minors", "supervise", "open", str(lead), "--working-days", "5",
                     "--note", "请县团委补访")  # fmt: skip
    assert re.search(
        r"已列为督办事项 1：安四 5202032\*{8}\d{2}[\dX]，责任单位 县团委", opened.output
    )
    shujian(
        ws.root, "minors", "supervise", "follow-up", "1", "--text", "电话督促", "--by", "李助理"
    )
    far = (today_in_china() + dt.timedelta(days=60)).isoformat()
    shujian(ws.root, "minors", "supervise", "deadline", "1", "--date", far, "--reason", "学校放假")
    shown = shujian(ws.root, "minors", "supervise", "show", "1").output
    assert (
        "跟进  李助理  电话督促" in shown and f"→ {far}）" in shown and m["A4"].number not in shown
    )
    listed = shujian(ws.root, "minors", "supervise", "list").output
    assert "逾期未办结 0 件。" in listed and "安四" in listed and "共 1 件。" in listed
    shujian(ws.root, "minors", "supervise", "close", "1", "--result", "已四访")
    assert "没有督办事项。" in shujian(ws.root, "minors", "supervise", "list").output
    assert "已办结" in shujian(ws.root, "minors", "supervise", "list", "--state", "all").output
    twice = shujian(ws.root, "minors", "supervise", "open", str(lead), code=2)
    assert "已列为督办事项 1" in twice.output
    helper = shujian(ws.root, "minors", "supervise", "list", user="刘帮扶", code=2)
    assert "不能查看" in helper.output


def test_the_quarter_and_a_sample_from_the_command_line(county, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws, m, _ = county
    quarter = shujian(ws.root, "minors", "supervise", "quarter", "--quarter", "2026Q4",
                      "-o", str(tmp_path / "q.xlsx"))  # fmt: skip
    assert "一季一督导：2026年第四季度" in quarter.output and "城关镇" in quarter.output
    assert openpyxl.load_workbook(tmp_path / "q.xlsx").sheetnames == [
        "按乡镇（街道）",
        "按包保单位",
    ]
    drawn = shujian(ws.root, "minors", "supervise", "sample", "--month", "2026-11", "--draw",
                    "--percent", "50", "--minimum", "1")  # fmt: skip
    assert "从 13 人中抽取 7 人" in drawn.output  # 城关镇 8 → 4, 龙场乡 5 → 3
    check = re.findall(r"^(\d+)\s+城关镇", drawn.output, re.M)[0]
    missing_note = shujian(
        ws.root, "minors", "supervise", "check", check, "--result", "不实", code=2
    )
    assert "请写明核查情况" in missing_note.output
    shujian(
        ws.root, "minors", "supervise", "check", check, "--result", "不实", "--note", "未见走访"
    )
    listed = shujian(ws.root, "minors", "supervise", "sample", "--month", "2026-11",
                     "-o", str(tmp_path / "s.xlsx"))  # fmt: skip
    assert "已核查 1 人" in listed.output and "走访不实（未走访）" in listed.output
    assert not any(minor.number in listed.output for minor in m.values())
    assert openpyxl.load_workbook(tmp_path / "s.xlsx").sheetnames == ["暗访样本"]
    redraw = shujian(
        ws.root, "minors", "supervise", "sample", "--month", "2026-11", "--draw", code=2
    )
    assert "不能重新抽取" in redraw.output
    stray = shujian(ws.root, "minors", "supervise", "sample", "--percent", "5", code=2)
    assert "只在 --draw 抽取时使用" in stray.output
    helper = shujian(ws.root, "minors", "supervise", "sample", "--month", "2026-11", user="刘帮扶",
                     code=2)  # fmt: skip
    assert "不能查看" in helper.output
