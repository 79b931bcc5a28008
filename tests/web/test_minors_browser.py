"""未成年人 in a real browser: a helping unit's staff member signs in, sees only the minors assigned
to the unit, records a visit in the form and finds it on the minor's page; another unit's minor
by its address, and the lead and case pages, answer 404."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import expect

from juvenile.people import id_card, send
from shujian.juvenile import service
from shujian.juvenile.service import Register
from web.browsing import Server, Visit, shot

pytestmark = pytest.mark.xdist_group("browser")

D = dt.date
MINE = id_card(D(2010, 8, 18), region="520221")
ALSO_MINE = id_card(D(2013, 9, 19), region="520221")
THEIRS = id_card(D(2011, 10, 20), region="520221")


@pytest.fixture(scope="module")
def register(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Register:
    """The shared server's workspace with a register: two minors of 青岚县妇联 (刘帮扶's unit)
    and one of 青岚县团委."""
    ws = server.workspace
    files = tmp_path_factory.mktemp("minors")
    send(ws, "key_minors", [
        {"姓名": "韦小雨", "公民身份号码": MINE, "类别": "严重不良行为", "认定日期": "2025-01-01",
         "所属乡镇（街道）": "城关镇", "村（社区）": "东街社区", "就读学校": "青岚一中"},
        {"姓名": "韦小雪", "公民身份号码": ALSO_MINE, "类别": "农村留守儿童", "认定日期": "2025-01-01",
         "所属乡镇（街道）": "城关镇", "村（社区）": "东街社区"},
        {"姓名": "韦小风", "公民身份号码": THEIRS, "类别": "严重不良行为", "认定日期": "2025-01-01",
         "所属乡镇（街道）": "龙场乡", "村（社区）": "龙场村"},
    ], files)  # fmt: skip
    send(ws, "minor_assignments", [
        {"公民身份号码": MINE, "包保单位": "青岚县妇联", "包保责任人": "刘帮扶", "开始日期": "2025-01-01"},
        {"公民身份号码": ALSO_MINE, "包保单位": "青岚县妇联", "包保责任人": "刘帮扶", "开始日期": "2025-01-01"},
        {"公民身份号码": THEIRS, "包保单位": "青岚县团委", "包保责任人": "钱帮扶", "开始日期": "2025-01-01"},
    ], files)  # fmt: skip
    service.forget()
    return Register(ws)


def test_a_helper_records_a_visit_of_its_own_minor_and_sees_nothing_else(
    visit: Visit, register: Register, tmp_path: Path
) -> None:
    page = visit.page
    visit.sign_in("刘帮扶")
    assert page.url == visit.url + "/minors"  # type: ignore[attr-defined]
    assert page.inner_text("header nav").split() == ["未成年人"]  # type: ignore[attr-defined]
    names = page.locator("#minor-list a.minor-link").all_inner_texts()  # type: ignore[attr-defined]
    assert sorted(names) == ["韦小雨", "韦小雪"]
    body = page.inner_text("main")  # type: ignore[attr-defined]
    assert MINE not in body and "韦小风" not in body
    shot(visit, "web-minors-helper", tmp_path)

    page.click("#tab-due")  # type: ignore[attr-defined]
    expect(page.locator("#visits-table")).to_contain_text("韦小雨")  # type: ignore[attr-defined]
    expect(page.locator("#visits-table")).to_contain_text("本人、家庭、学校、社区")  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#visits-table a.record-link")  # type: ignore[attr-defined]
    page.check("#v-targets input[value='本人']")  # type: ignore[attr-defined]
    page.check("#v-targets input[value='家庭']")  # type: ignore[attr-defined]
    page.check("#v-help input[value='帮法治']")  # type: ignore[attr-defined]
    page.check("#v-measures input[value='心理辅导']")  # type: ignore[attr-defined]
    page.fill("#v-notes", "入户走访，与监护人谈话")  # type: ignore[attr-defined]
    assert page.input_value("#v-visitor") == "刘帮扶"  # type: ignore[attr-defined]
    shot(visit, "web-minors-visit", tmp_path)
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#visit-submit")  # type: ignore[attr-defined]
    expect(page.locator("#minor-notice")).to_contain_text("已登记走访")  # type: ignore[attr-defined]
    expect(page.locator("#visits")).to_contain_text("本人、家庭")  # type: ignore[attr-defined]
    expect(page.locator("#month-check")).to_contain_text("学校、社区")  # type: ignore[attr-defined]
    assert MINE not in page.inner_text("main")  # type: ignore[attr-defined]
    assert not [c for c in visit.console if c.startswith("error")], visit.console

    for path in (f"/minors/{register.ref(THEIRS)}", "/leads", "/cases", "/leads/1", "/stats"):
        answer = visit.go(path)
        assert answer.status == 404, path  # type: ignore[attr-defined]
        assert "页面不存在" in page.inner_text("main")  # type: ignore[attr-defined]


def test_the_register_of_the_juvenile_department(
    visit: Visit, register: Register, tmp_path: Path
) -> None:
    page = visit.page
    visit.sign_in("张检察官")
    visit.go("/minors?town=城关镇")
    expect(page.locator("#counts-table")).to_contain_text("东街社区")  # type: ignore[attr-defined]
    names = page.locator("#minor-list a.minor-link").all_inner_texts()  # type: ignore[attr-defined]
    assert {"韦小雨", "韦小雪"} <= set(names) and "韦小风" not in names
    shot(visit, "web-minors-register", tmp_path)
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#minor-list a.minor-link >> text=韦小雨")  # type: ignore[attr-defined]
    assert MINE not in page.inner_text("main")  # type: ignore[attr-defined]
    page.click("#reveal-open")  # type: ignore[attr-defined]
    page.fill("#reveal-reason", "核对走访记录")  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#reveal-submit")  # type: ignore[attr-defined]
    expect(page.locator("#minor-number")).to_have_text(MINE)  # type: ignore[attr-defined]
    expect(page.locator("#revealed-note")).to_be_visible()  # type: ignore[attr-defined]
    shot(visit, "web-minors-minor", tmp_path)
