"""未成年人 › 统计 in a real browser: the 未检 prosecutor opens the tab, the chart is drawn from the
figures the page carries, the table by town holds this module's town, the period and the
dimension are chosen in the form, and the .xlsx the download link gives holds the same figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from juvenile.people import id_card, send
from shujian.beijing import today_in_china
from shujian.juvenile import service
from web.browsing import Server, Visit, shot

pytestmark = pytest.mark.xdist_group("browser")

D = dt.date
TOWN = "统计测试镇"  # a town of this module only: the shared server holds other modules' minors
ONE = id_card(D(2011, 6, 1), region="520221")
TWO = id_card(D(2012, 7, 2), region="520221")


@pytest.fixture(scope="module")
def minors(server: Server, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Two minors of TOWN, one of them in two categories and visited on the 1st of this month."""
    ws = server.workspace
    files = tmp_path_factory.mktemp("minor-stats")
    first = today_in_china().replace(day=1).isoformat()
    send(ws, "key_minors", [
        {"姓名": "韦统一", "公民身份号码": ONE, "类别": "严重不良行为", "认定日期": "2025-01-01",
         "所属乡镇（街道）": TOWN, "村（社区）": "一村", "就读学校": "青岚一中"},
        {"姓名": "韦统一", "公民身份号码": ONE, "类别": "单亲", "认定日期": "2025-01-01",
         "所属乡镇（街道）": TOWN, "村（社区）": "一村"},
        {"姓名": "韦统二", "公民身份号码": TWO, "类别": "农村留守儿童", "认定日期": "2025-01-01",
         "所属乡镇（街道）": TOWN, "村（社区）": "二村"},
    ], files)  # fmt: skip
    send(ws, "minor_visits", [
        {"公民身份号码": ONE, "走访日期": first, "走访对象": "本人、家庭、学校、社区",
         "走访人": "张检察官", "帮扶措施": "心理辅导、家庭教育指导"},
    ], files)  # fmt: skip
    service.forget()


def cells(visit: Visit, label: str) -> list[str]:
    row = visit.page.locator("#minor-stats-table tr", has_text=label).first  # type: ignore[attr-defined]
    return [c.strip() for c in row.locator("td").all_inner_texts()]


def test_the_prosecutor_reads_and_downloads_the_statistics(
    visit: Visit, minors: None, tmp_path: Path
) -> None:
    page = visit.page
    visit.sign_in("张检察官")
    visit.go("/minors")
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#tab-stats")  # type: ignore[attr-defined]
    expect(page.locator("#chart-minor-stats")).to_have_attribute("data-drawn", "yes")  # type: ignore[attr-defined]
    # every figure is counted now: none waits, each is explained
    expect(page.locator("#pending-figures")).to_have_count(0)  # type: ignore[attr-defined]
    expect(page.locator("main")).to_contain_text("督促监护令按期回访数（次）")  # type: ignore[attr-defined]

    page.select_option("#s-by", "town")  # type: ignore[attr-defined]
    page.fill("#s-since", today_in_china().replace(day=1).isoformat())  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#stats-submit")  # type: ignore[attr-defined]
    headers = page.locator("#minor-stats-table th").all_inner_texts()  # type: ignore[attr-defined]
    row = cells(visit, TOWN)
    figures = dict(zip(headers[1:], row[1:], strict=True))
    assert figures["在册人数"] == "2"  # 韦统一 once in the town, though in two categories
    assert figures["四访五帮人数"] == "1" and figures["应走访人次"] == "1"
    assert figures["已落实人次"] == "1" and figures["走访落实率"] == "100.0%"
    assert figures["心理辅导人次"] == "1" and figures["家庭教育指导人次"] == "1"
    assert ONE not in page.inner_text("main")  # type: ignore[attr-defined]
    expect(page.locator("#chart-minor-stats")).to_have_attribute("data-drawn", "yes")  # type: ignore[attr-defined]
    shot(visit, "web-minor-stats", tmp_path)

    with page.expect_download() as waiting:  # type: ignore[attr-defined]
        page.click("#minor-stats-download")  # type: ignore[attr-defined]
    download = waiting.value
    assert download.suggested_filename.startswith("未成年人统计-乡镇（街道）-")
    saved = tmp_path / "stats.xlsx"
    download.save_as(saved)
    book = load_workbook(saved)
    assert book.sheetnames == ["按乡镇（街道）", "按类别", "按月份", "说明"]
    sheet = book["按乡镇（街道）"]
    header = [c.value for c in sheet[3]]
    [mine] = [r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0] == TOWN]
    assert mine[header.index("在册人数")] == 2 and mine[header.index("走访落实率")] == 1.0

    page.select_option("#s-by", "month")  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#stats-submit")  # type: ignore[attr-defined]
    month = today_in_china().strftime("%Y-%m")
    assert cells(visit, month)[0] == month
    expect(page.locator("#chart-minor-stats")).to_have_attribute("data-drawn", "yes")  # type: ignore[attr-defined]
    assert not [c for c in visit.console if c.startswith("error")], visit.console
