"""封存记录 in a real browser: 张检察官 has no 封存记录 in the navigation and is answered 404 there;
未检主任 opens the list (no name), is asked for a reason before a record shows, records a query
request and answers it. The module serves a workspace of its own: its sealed records meet no
other browser test's data."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from juvenile.people import id_card
from shujian.data.importer import ImportOptions, import_file
from shujian.data.warehouse import Warehouse
from shujian.users import User, departments_of
from shujian.users.accounts import add_user
from shujian.users.passwords import set_password
from web.browsing import PASSWORD, Server, Visit, make_workspace, serving, shot

pytestmark = pytest.mark.xdist_group("browser")

HEAD = "未检主任"
MINOR = id_card(dt.date(2007, 2, 2))
NAME = "龚秘"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("sealing")
    ws = make_workspace(folder / "ws")
    admin = User("管理员", ws.region.procuratorate_name, None, frozenset({"admin"}))
    add_user(ws.store, admin, HEAD, "未成年人检察部", ["department_head"], departments_of(ws))
    set_password(ws.store, admin, HEAD, PASSWORD)
    path = folder / "records.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                "姓名",
                "公民身份号码",
                "罪名或违法行为",
                "处理结果",
                "处理日期",
                "文书编号",
                "行为日期",
            ]
        )
        writer.writerow([NAME, MINOR, "盗窃罪", "相对不起诉", "2024-09-01", "青检未刑不诉〔2024〕8号", "2024-05-01"])  # fmt: skip
    result = import_file(
        Warehouse(ws.warehouse_dir, ws.store), ws.reports_dir, ws.datasets()["offence_records"],
        path, ImportOptions(),
    )  # fmt: skip
    assert result.imported == 1
    with serving(ws) as running:
        yield running


def test_without_the_right_there_is_no_such_page(visit: Visit) -> None:
    visit.sign_in("张检察官")
    expect(visit.page.locator("nav[aria-label=主导航]")).not_to_contain_text("封存记录")  # type: ignore[attr-defined]
    response = visit.go("/sealed")
    assert response.status == 404  # type: ignore[attr-defined]
    assert NAME not in visit.page.content()  # type: ignore[attr-defined]


def test_the_head_gives_a_reason_then_handles_a_request(visit: Visit, tmp_path: Path) -> None:
    page = visit.page
    visit.sign_in(HEAD)
    page.click("nav[aria-label=主导航] >> text=封存记录")  # type: ignore[attr-defined]
    expect(page.locator("#sealed-records")).to_contain_text("不起诉决定")  # type: ignore[attr-defined]
    expect(page.locator("#sealed-records")).not_to_contain_text(NAME)  # type: ignore[attr-defined]
    shot(visit, "sealing-list", tmp_path)
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#sealed-records a")  # type: ignore[attr-defined]
    assert NAME not in page.content()  # type: ignore[attr-defined]
    page.fill("#reason", "答复县法院的查询申请")  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#reason-submit")  # type: ignore[attr-defined]
    expect(page.locator("#record-facts")).to_contain_text(NAME)  # type: ignore[attr-defined]
    expect(page.locator("#record-events")).to_contain_text("答复县法院的查询申请")  # type: ignore[attr-defined]
    shot(visit, "sealing-record", tmp_path)
    visit.go("/sealed/requests")
    page.fill("#q-record", "1")  # type: ignore[attr-defined]
    page.fill("#q-unit", "某幼儿园")  # type: ignore[attr-defined]
    page.fill("#q-basis", "未成年人保护法第六十二条")  # type: ignore[attr-defined]
    page.fill("#q-purpose", "入职查询")  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#request-submit")  # type: ignore[attr-defined]
    expect(page.locator("#requests-notice")).to_contain_text("已登记查询申请 1")  # type: ignore[attr-defined]
    row = page.locator("#requests tbody tr").first  # type: ignore[attr-defined]
    row.locator("select[name=granted]").select_option("yes")
    row.locator("input[name=text]").fill("提供")
    with page.expect_navigation():  # type: ignore[attr-defined]
        row.locator("button").click()
    # a non-prosecution record is never given to a unit that is not a 司法机关
    assert "第四百八十六条" in page.content()  # type: ignore[attr-defined]
    visit.go("/sealed/requests")
    row = page.locator("#requests tbody tr").first  # type: ignore[attr-defined]
    row.locator("select[name=granted]").select_option("no")
    row.locator("input[name=text]").fill("不起诉记录不得向非司法机关提供")
    with page.expect_navigation():  # type: ignore[attr-defined]
        row.locator("button").click()
    expect(page.locator("#requests")).to_contain_text("按期答复")  # type: ignore[attr-defined]
    shot(visit, "sealing-requests", tmp_path)
