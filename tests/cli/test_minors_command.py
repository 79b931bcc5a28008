"""`shujian minors …` on a workspace whose register was imported from files: counts, the list
with its filters, one minor's file masked unless revealed with a reason (audited), the due and late
lists, and a helper's account recording a visit of its own minor only."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from juvenile.people import id_card, send
from shujian import audit
from shujian.beijing import today_in_china
from shujian.cli.main import cli
from shujian.data.warehouse import Warehouse
from shujian.juvenile import service
from shujian.juvenile.register import Month
from shujian.workspace import init_workspace, open_workspace

D = dt.date
MINE = id_card(D(2010, 3, 15))
THEIRS = id_card(D(2011, 4, 16))
OTHER = id_card(D(2012, 5, 17))


def shujian(ws: Path, *args: str, user: str = "张检察官", code: int = 0):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, ["-w", str(ws), "-u", user, *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    ws = init_workspace(tmp_path / "ws")
    this_month = Month.of(today_in_china())
    send(ws, "key_minors", [
        {"姓名": "甲", "公民身份号码": MINE, "类别": "严重不良行为", "认定日期": "2025-01-01",
         "所属乡镇（街道）": "城关镇", "村（社区）": "东街社区", "就读学校": "一中"},
        {"姓名": "乙", "公民身份号码": THEIRS, "类别": "严重不良行为", "认定日期": "2025-01-01",
         "所属乡镇（街道）": "龙场乡", "村（社区）": "龙场村"},
        {"姓名": "丙", "公民身份号码": OTHER, "类别": "留守儿童", "认定日期": "2025-01-01",
         "所属乡镇（街道）": "龙场乡", "村（社区）": "龙场村"},
    ], tmp_path / "files")  # fmt: skip
    send(ws, "minor_assignments", [
        {"公民身份号码": MINE, "包保单位": "县妇联", "包保责任人": "刘帮扶", "开始日期": "2025-01-01"},
        {"公民身份号码": THEIRS, "包保单位": "县团委", "包保责任人": "钱七", "开始日期": "2025-01-01"},
    ], tmp_path / "files")  # fmt: skip
    send(ws, "minor_visits", [
        {"公民身份号码": THEIRS, "走访日期": this_month.first.isoformat(),
         "走访对象": "本人、家庭、社区", "走访人": "钱七"},
    ], tmp_path / "files")  # fmt: skip
    service.forget()
    return ws.root


def refs(output: str) -> dict[str, str]:
    """Name → 编号 in a list's output."""
    return {name: ref for ref, name in re.findall(r"^([0-9a-f]{16})\s+(\S+)", output, re.M)}


def test_counts_list_and_filters(ws: Path) -> None:
    counts = shujian(ws, "minors", "counts").output
    assert (
        "在册重点未成年人 3 人" in counts
        and "严重不良行为未成年人（serious_misconduct）：2 人" in counts
    )
    listed = shujian(ws, "minors", "list").output
    assert set(refs(listed)) == {"甲", "乙", "丙"} and "共 3 人。" in listed
    assert MINE not in listed and "5202032********" + MINE[-3:] in listed
    assert "县妇联/刘帮扶" in listed and "未落实包保" in listed
    serious = shujian(ws, "minors", "list", "--category", "严重不良行为").output
    assert set(refs(serious)) == {"甲", "乙"}
    village = shujian(ws, "minors", "list", "--town", "龙场乡", "--village", "龙场村").output
    assert set(refs(village)) == {"乙", "丙"}
    paged = shujian(ws, "minors", "list", "--per-page", "2", "--page", "2").output
    assert len(refs(paged)) == 1 and "第 2/2 页" in paged
    wrong = shujian(ws, "minors", "list", "--category", "好学生", code=2).output
    assert "没有“好学生”这一类别" in wrong


def test_show_masks_unless_revealed_with_a_reason(ws: Path) -> None:
    ref = refs(shujian(ws, "minors", "list").output)["甲"]
    shown = shujian(ws, "minors", "show", ref).output
    assert "甲" in shown and MINE not in shown and "县妇联 刘帮扶" in shown
    assert "四访：待走访（尚缺：本人、家庭、学校、社区）" in shown
    by_number = shujian(ws, "minors", "show", MINE).output
    assert MINE not in by_number and "甲" in by_number
    no_reason = shujian(ws, "minors", "show", ref, "--reveal", code=2).output
    assert "须说明理由" in no_reason
    revealed = shujian(ws, "minors", "show", ref, "--reveal", "--reason", "核对监护人").output
    assert MINE in revealed and "已记入审计日志" in revealed
    views = [e for e in audit.query(open_workspace(ws).store, object_type="minor")]
    assert views[-1]["object_id"] == MINE and views[-1]["detail"]["reason"] == "核对监护人"
    unknown = shujian(ws, "minors", "show", id_card(D(2013, 1, 1)), code=2).output
    assert "名册中找不到未成年人" in unknown


def test_due_lists_what_this_month_still_misses(ws: Path) -> None:
    due = shujian(ws, "minors", "due").output
    month = Month.of(today_in_china()).label
    # 乙 has no school and was visited at home, in person and in the village: done
    assert f"{month} 应走访 2 人，已落实 1 人，尚未落实 1 人" in due
    [row] = [line.split() for line in due.splitlines() if re.match(r"^[0-9a-f]{16} ", line)]
    assert row[1:3] == [month, "甲"] and row[4:7] == [
        "待走访",
        "本人、家庭、学校、社区",
        "县妇联/刘帮扶",
    ]
    everyone = shujian(ws, "minors", "due", "--all").output
    assert {
        line.split()[2] for line in everyone.splitlines() if re.match(r"^[0-9a-f]{16} ", line)
    } == {
        "甲",
        "乙",
    }
    late = shujian(ws, "minors", "due", "--late").output
    assert "逾期未走访：6 人次" in late  # two minors × the three complete months before this one
    assert "--late 不与" in shujian(ws, "minors", "due", "--late", "--month", month, code=2).output
    assert "格式不对" in shujian(ws, "minors", "due", "--month", "13月", code=2).output


def test_a_helper_sees_and_records_only_its_own_minor(ws: Path) -> None:
    shujian(ws, "users", "add", "管理员", "--role", "admin", user="管理员")
    shujian(ws, "users", "add", "刘帮扶", "--role", "helper", "--unit", "县妇联", user="管理员")
    listed = shujian(ws, "minors", "list", user="刘帮扶").output
    assert set(refs(listed)) == {"甲"}
    mine = refs(listed)["甲"]
    today = today_in_china().isoformat()
    out = shujian(
        ws, "minors", "visit", mine, "--target", "学校", "--target", "本人",
        "--help-content", "帮学业", "--note", "到校了解出勤", user="刘帮扶",
    ).output  # fmt: skip
    assert f"已登记走访：{today} 学校、本人，走访人 刘帮扶" in out and "县妇联" in out
    [batch] = [
        b
        for b in Warehouse(open_workspace(ws).warehouse_dir, open_workspace(ws).store).batches()
        if b.file_name == "平台录入"
    ]
    assert batch.agency == "县妇联" and batch.dataset == "minor_visits"
    shown = shujian(ws, "minors", "show", mine, user="刘帮扶").output
    assert "学校、本人" not in shown and "本人、学校  刘帮扶  帮学业" in shown
    assert "预警" not in shown  # a helper sees no lead
    theirs = shujian(ws, "minors", "visit", THEIRS, "--target", "本人", user="刘帮扶", code=2)
    assert "名册中找不到未成年人" in theirs.output and THEIRS not in theirs.output
    future = shujian(ws, "minors", "visit", mine, "--target", "本人", "--date", "2999-01-01",
                     user="刘帮扶", code=2).output  # fmt: skip
    assert "晚于今天" in future
    assert "无权查看线索" in shujian(ws, "leads", "list", user="刘帮扶", code=2).output
    refused = shujian(ws, "minors", "visit", mine, "--target", "本人", user="管理员", code=2)
    assert "无权" in refused.output
