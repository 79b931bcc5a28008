"""数据 in a real browser: a messy GBK CSV (a title row above the header, a bad ID number, a
totals row) uploaded through the form, the counts shown, the batch's rejected rows masked and
its report downloaded after a reason is given (refused without one); a file of several MB whose
progress bar reaches 100 %; a file with a header the dataset does not know, mapped in the form
and imported."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
import xlsxwriter
from playwright.sync_api import expect

from shujian import audit
from shujian.demo.identifiers import make_id_number
from web.browsing import Server, Visit
from web.browsing import wide_shot as shot

pytestmark = pytest.mark.xdist_group("browser")

USCC_A = "91110000600037341L"
ID_A = "11010519491231002X"
BAD_ID = "110105194912310021"


def messy_csv(path: Path, header: str = "姓名") -> Path:
    """A roster as agencies send them: GBK, a title row, a bad ID number, a totals row; a
    unique unit name so that the shared server's workspace has not seen the file."""
    unit = f"青岚县第{uuid.uuid4().hex[:6]}小学"
    lines = [
        "青岚县2026年教职工名单（第一季度）",
        f"单位名称,单位统一社会信用代码,单位类别,{header},身份证号,岗位,入职日期",
        f"{unit},{USCC_A},学校,王芳,{ID_A},教师,2020年9月1日",
        f"{unit},{USCC_A},学校,李四,{BAD_ID},保安,2021/3/1",
        "合计,,,2人,,,",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="gb18030")
    return path


def upload(visit: Visit, path: Path, agency: str) -> None:
    page = visit.page
    page.select_option("#upload-dataset", "staff_roster")  # type: ignore[attr-defined]
    page.fill("#upload-agency", agency)  # type: ignore[attr-defined]
    page.set_input_files("#upload-file", str(path))  # type: ignore[attr-defined]
    page.click("#upload-submit")  # type: ignore[attr-defined]


def test_a_messy_gbk_csv_is_imported_and_its_rejections_downloaded_with_a_reason(
    visit: Visit, server: Server, tmp_path: Path
) -> None:
    visit.sign_in("张检察官")
    visit.go("/data")
    page = visit.page
    expect(page.locator("#upload-crs-label")).to_be_hidden()  # type: ignore[attr-defined]
    shot(visit, "data-empty", tmp_path, 700)
    upload(visit, messy_csv(tmp_path / "名单.csv"), "青岚县教育局")
    result = page.locator("#import-result")  # type: ignore[attr-defined]
    expect(result).to_be_visible()
    assert page.inner_text("#count-imported") == "1"  # type: ignore[attr-defined]
    assert page.inner_text("#count-rejected") == "1"  # type: ignore[attr-defined]
    assert page.inner_text("#count-skipped") == "1"  # type: ignore[attr-defined]
    shot(visit, "data-result", tmp_path, 700)
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#result-batch")  # type: ignore[attr-defined]
    batch_id = int(page.url.rsplit("/", 1)[1])  # type: ignore[attr-defined]
    rejected = page.inner_text("#rejected-rows")  # type: ignore[attr-defined]
    assert "1101051********021" in rejected and BAD_ID not in page.content()  # type: ignore[attr-defined]
    assert "合计" in page.inner_text("#skipped-rows")  # type: ignore[attr-defined]
    store = server.workspace.store
    assert audit.query(store, object_type="batch", object_id=batch_id, action="view")
    page.click("#report-open")  # type: ignore[attr-defined]
    page.fill("#report-reason", "退回报送单位更正")  # type: ignore[attr-defined]
    shot(visit, "data-batch", tmp_path)
    page.fill("#report-reason", "")  # type: ignore[attr-defined]
    page.click("#report-submit")  # type: ignore[attr-defined]  # no reason: the browser asks
    assert page.evaluate("document.getElementById('report-reason').validity.valueMissing")  # type: ignore[attr-defined]
    assert audit.query(store, object_type="batch", object_id=batch_id, action="export") == []
    page.fill("#report-reason", "退回报送单位更正")  # type: ignore[attr-defined]
    with page.expect_download() as download:  # type: ignore[attr-defined]
        page.click("#report-submit")  # type: ignore[attr-defined]
    saved = tmp_path / "report.xlsx"
    download.value.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK" and "退回记录" in download.value.suggested_filename
    (entry,) = audit.query(store, object_type="batch", object_id=batch_id, action="export")
    assert entry["actor"] == "张检察官" and entry["detail"]["reason"] == "退回报送单位更正"
    visit.go("/data")
    assert "名单.csv" in page.inner_text("#batches")  # type: ignore[attr-defined]
    shot(visit, "data-batches", tmp_path, 900)
    assert not [c for c in visit.console if c.startswith("error")], visit.console


def large_csv(path: Path, rows: int) -> Path:
    """A roster of `rows` people, each with a valid ID number of their own, in GBK."""
    unit = f"青岚县第{uuid.uuid4().hex[:6]}中学"
    born = dt.date(1960, 1, 1)
    with path.open("w", encoding="gb18030", newline="") as out:
        out.write("单位名称,单位统一社会信用代码,单位类别,姓名,公民身份号码,岗位,入职日期\n")
        for i in range(rows):
            number = make_id_number("520203", born + dt.timedelta(days=i // 900), i % 900)
            out.write(f"{unit},{USCC_A},学校,教职工{i},{number},教师,2020-09-01\n")
    return path


UPLOAD_BYTES_PER_SECOND = 4 << 20
"""The upload is throttled (Chromium's network emulation) so that it takes about a second, as
a large file on a county's network takes minutes: on 127.0.0.1 it would arrive at once."""


def test_a_file_of_several_mb_shows_its_upload_progress_to_100(
    visit: Visit, tmp_path: Path
) -> None:
    path = large_csv(tmp_path / "全县教职工.csv", 60000)
    assert path.stat().st_size > 4 << 20
    visit.sign_in("张检察官")
    visit.go("/data")
    page = visit.page
    cdp = page.context.new_cdp_session(page)  # type: ignore[attr-defined]
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": UPLOAD_BYTES_PER_SECOND,
        },
    )
    page.evaluate(  # type: ignore[attr-defined]
        """() => {
        window.progressSeen = [];
        const bar = document.getElementById("upload-progress");
        const status = document.getElementById("upload-status");
        new MutationObserver(() => window.progressSeen.push([bar.value, status.textContent]))
          .observe(status, {childList: true});
    }"""
    )
    page.click("#upload-more summary")  # type: ignore[attr-defined]  # shown in the screenshot
    upload(visit, path, "青岚县教育局")
    expect(page.locator("#upload-submit")).to_be_disabled()  # type: ignore[attr-defined]
    expect(page.locator("#import-result")).to_be_visible(timeout=60000)  # type: ignore[attr-defined]
    assert page.inner_text("#count-imported") == "60000"  # type: ignore[attr-defined]
    assert page.inner_text("#count-rejected") == "0"  # type: ignore[attr-defined]
    expect(page.locator("#batches")).to_contain_text("全县教职工.csv")  # type: ignore[attr-defined]
    seen = page.evaluate("window.progressSeen")  # type: ignore[attr-defined]
    values = [value for value, _ in seen]
    assert any(0 < v < 100 for v in values), seen  # the bar moved while the file went up
    assert values == sorted(values) and values[-1] == 100, seen
    assert any("正在导入" in words for _, words in seen), seen  # between upload and result
    bar = page.locator("#upload-progress")  # type: ignore[attr-defined]
    expect(bar).to_be_visible()
    assert bar.evaluate("b => b.value") == 100
    assert page.inner_text("#upload-status") == "已上传 100%。"  # type: ignore[attr-defined]
    expect(page.locator("#upload-submit")).to_be_enabled()  # type: ignore[attr-defined]
    shot(visit, "data-large", tmp_path, 760)


def test_an_unknown_header_is_mapped_in_the_form(visit: Visit, tmp_path: Path) -> None:
    visit.sign_in("张检察官")
    visit.go("/data")
    page = visit.page
    upload(visit, messy_csv(tmp_path / "花名册.csv", header="职工名字"), "青岚县卫健局")
    form = page.locator("#mapping-form")  # type: ignore[attr-defined]
    expect(form).to_be_visible()
    page.select_option('select[data-header="职工名字"]', "职工名字=name")  # type: ignore[attr-defined]
    shot(visit, "data-mapping", tmp_path, 900)
    page.click("#mapping-submit")  # type: ignore[attr-defined]
    expect(page.locator("#import-result")).to_be_visible()  # type: ignore[attr-defined]
    assert page.inner_text("#count-imported") == "1"  # type: ignore[attr-defined]
    assert "职工名字→姓名" in page.inner_text("#import-result")  # type: ignore[attr-defined]


def test_the_sheet_of_a_workbook_is_chosen_after_the_upload(visit: Visit, tmp_path: Path) -> None:
    unit = f"青岚县第{uuid.uuid4().hex[:6]}幼儿园"
    path = tmp_path / "报送.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("填表说明").write_string(0, 0, "请按模板填写，身份证号码列设为文本")
    roster = book.add_worksheet("教职工名单")
    rows = [
        ["单位名称", "单位统一社会信用代码", "单位类别", "姓名", "身份证号", "岗位", "入职日期"],
        [unit, USCC_A, "幼儿园", "王芳", ID_A, "教师", "2020-09-01"],
    ]
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            roster.write_string(i, j, cell)
    book.add_worksheet("2025年（已报）")
    book.close()
    visit.sign_in("张检察官")
    visit.go("/data")
    page = visit.page
    upload(visit, path, "青岚县教育局")
    expect(page.locator("#sheet-form")).to_be_visible()  # type: ignore[attr-defined]
    assert page.locator("#sheet-form input[name=sheet]").count() == 3  # type: ignore[attr-defined]
    page.check("#sheet-form input[value='教职工名单']")  # type: ignore[attr-defined]
    shot(visit, "data-sheet", tmp_path, 700)
    page.click("#sheet-submit")  # type: ignore[attr-defined]
    expect(page.locator("#import-result")).to_be_visible()  # type: ignore[attr-defined]
    assert page.inner_text("#count-imported") == "1"  # type: ignore[attr-defined]
    assert page.inner_text("#upload-status") == ""  # type: ignore[attr-defined]


FILE_LINES = """(name) => {
  const cell = [...document.querySelectorAll('#batches td.file')]
    .find((td) => td.firstChild.textContent === name);
  const range = document.createRange();
  range.selectNodeContents(cell.firstChild);
  return range.getClientRects().length;
}"""
"""How many lines a batch's file name takes in the table of batches."""


def test_a_file_name_in_the_table_of_batches_is_never_broken_inside(
    visit: Visit, server: Server, tmp_path: Path
) -> None:
    """`minor_assignments.csv` once showed as “minor_assignme” over “nts.csv” beside a long
    agency name: the name now takes one line whenever it fits the column at all."""
    visit.sign_in("张检察官")
    visit.go("/data")
    page = visit.page
    name = f"teaching_staff_{uuid.uuid4().hex[:6]}.csv"
    agency = "青岚县人力资源和社会保障局（劳动保障监察大队）青岚县教育局人事科"
    upload(visit, messy_csv(tmp_path / name), agency)
    expect(page.locator("#upload-result")).to_contain_text("导入")  # type: ignore[attr-defined]
    page.set_viewport_size({"width": 1024, "height": 800})  # type: ignore[attr-defined]
    visit.go("/data")
    assert page.evaluate(FILE_LINES, name) == 1  # type: ignore[attr-defined]
