"""未成年人 › 统计 through the application (no browser): the table and the download say the same
and are audited; a helping unit's account sees its own minors' figures and no warnings; the
other departments are refused; bad dates are refused in Chinese."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from juvenile.people import id_card, send
from shujian import audit
from shujian.beijing import today_in_china
from shujian.juvenile import service
from shujian.workspace import Workspace
from web.test_minors_pages import signed_in

D = dt.date
MINE = id_card(D(2011, 3, 15))  # assigned to 青岚县妇联 (刘帮扶's unit), in two categories
THEIRS = id_card(D(2012, 4, 16))  # assigned to 青岚县团委


@pytest.fixture
def ws(web_ws: Workspace, tmp_path: Path) -> Workspace:
    today = today_in_china()
    files = tmp_path / "files"
    send(web_ws, "key_minors", [
        {"姓名": "甲", "公民身份号码": MINE, "类别": "严重不良行为", "认定日期": "2025-01-01",
         "所属乡镇（街道）": "城关镇", "村（社区）": "东街社区"},
        {"姓名": "甲", "公民身份号码": MINE, "类别": "单亲", "认定日期": "2025-01-01",
         "所属乡镇（街道）": "城关镇", "村（社区）": "东街社区"},
        {"姓名": "乙", "公民身份号码": THEIRS, "类别": "困境儿童", "认定日期": "2025-01-01",
         "所属乡镇（街道）": "龙场乡", "村（社区）": "龙场村"},
    ], files)  # fmt: skip
    send(web_ws, "minor_assignments", [
        {"公民身份号码": MINE, "包保单位": "青岚县妇联", "包保责任人": "刘帮扶", "开始日期": "2025-01-01"},
        {"公民身份号码": THEIRS, "包保单位": "青岚县团委", "包保责任人": "钱帮扶", "开始日期": "2025-01-01"},
    ], files)  # fmt: skip
    send(web_ws, "minor_visits", [
        {"公民身份号码": MINE, "走访日期": today.replace(day=1).isoformat(),
         "走访对象": "本人、家庭、社区", "走访人": "刘帮扶", "帮扶措施": "心理辅导"},
        {"公民身份号码": THEIRS, "走访日期": today.replace(day=1).isoformat(),
         "走访对象": "本人", "走访人": "钱帮扶", "帮扶措施": "经济救助"},
    ], files)  # fmt: skip
    service.forget()
    return web_ws


def table(html: str) -> dict[str, list[str]]:
    """Row label → cells of the statistics table, and `_head` → its headers."""
    found = re.search(r'<table class="counts" id="minor-stats-table">(.*?)</table>', html, re.S)
    assert found, html[:2000]
    out = {"_head": re.findall(r"<th[^>]*>([^<]*)</th>", found.group(1))}
    for row in re.findall(r"<tr[^>]*><td>([^<]*)</td>(.*?)</tr>", found.group(1), re.S):
        out[row[0]] = re.findall(r'<td class="num">([^<]*)</td>', row[1])
    return out


def test_the_table_and_the_download_agree_and_are_audited(ws: Workspace, app) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(app, "张检察官")
    page = client.get("/minors/stats", params={"by": "town"})
    assert page.status_code == 200
    assert 'id="tab-stats"' in page.text and 'aria-current="page" id="tab-stats"' in page.text
    shown = table(page.text)
    head = shown["_head"]
    assert head[:3] == ["乡镇（街道）", "在册人数", "新认定人数"] and "预警数" in head
    active = head.index("在册人数") - 1
    assert shown["城关镇"][active] == "1" and shown["龙场乡"][active] == "1"
    assert shown["合计"][active] == "2"
    assert "合计按人计" in page.text and "尚未统计" not in page.text  # nothing waits now
    assert {"提前干预人数", "督促监护令制发数", "附条件不起诉考验期中人数"} <= set(head)
    assert MINE not in page.text and THEIRS not in page.text

    download = client.get("/minors/stats.xlsx", params={"by": "town"})
    assert download.status_code == 200
    assert "filename*=utf-8''" in download.headers["content-disposition"]
    book = load_workbook(io.BytesIO(download.content))
    assert book.sheetnames[0] == "按乡镇（街道）"
    rows = {r[0]: r for r in book.active.iter_rows(min_row=4, values_only=True) if r[0]}
    assert rows["城关镇"][1] == 1 and rows["合计"][1] == 2
    entries = [e for e in audit.query(ws.store, object_type="minor")][-2:]
    assert [e["action"] for e in entries] == ["stats", "export"]
    assert entries[1]["detail"]["file"].startswith("未成年人统计-乡镇（街道）-")
    assert all(e["actor"] == "张检察官" for e in entries)


def test_a_helper_sees_its_own_minors_and_no_warnings(ws: Workspace, app) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(app, "刘帮扶")
    page = client.get("/minors/stats")
    assert page.status_code == 200
    shown = table(page.text)
    assert "预警数" not in shown["_head"] and "须有查看线索的权限" in page.text
    active = shown["_head"].index("在册人数") - 1
    assert shown["合计"][active] == "1"
    assert shown["单亲、离异家庭未成年人"][active] == "1"
    assert shown["孤儿、事实无人抚养儿童、困境儿童、农村留守儿童"][active] == "0"  # 乙 is not its
    assert "只统计青岚县妇联当日包保的未成年人" in page.text
    download = client.get("/minors/stats.xlsx")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.content))["按类别"]
    assert "预警数" not in [c.value for c in sheet[3]]


def test_other_departments_are_refused_and_bad_dates_explained(ws: Workspace, app) -> None:  # type: ignore[no-untyped-def]
    assert signed_in(app, "公益检察官").get("/minors/stats").status_code == 403
    assert signed_in(app, "公益检察官").get("/minors/stats.xlsx").status_code == 403
    client = signed_in(app, "张检察官")
    bad = client.get("/minors/stats", params={"since": "2026/13/01"})
    assert bad.status_code == 400 and "起始日期“2026/13/01”不是日期" in bad.text
    backwards = client.get(
        "/minors/stats.xlsx", params={"since": "2026-03-02", "until": "2026-03-01"}
    )
    assert backwards.status_code == 400 and "晚于截止日期" in backwards.text
    dimension = client.get("/minors/stats", params={"by": "prosecutor"})
    assert dimension.status_code == 400 and "统计维度只能是" in dimension.text


def test_a_signed_out_visitor_is_sent_to_sign_in(client: TestClient) -> None:
    answer = client.get("/minors/stats", follow_redirects=False)
    assert answer.status_code in (302, 303) and "/login" in answer.headers["location"]
