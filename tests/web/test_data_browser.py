"""数据 in a real browser: a messy GBK CSV (a title row above the header, a bad ID number, a
totals row) uploaded through the form with its progress bar, the counts shown, the rejection
report downloaded; a file with a header the dataset does not know, mapped in the form and
imported."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from web.browsing import Visit

pytestmark = pytest.mark.xdist_group("browser")

USCC_A = "91110000600037341L"
ID_A = "11010519491231002X"
SHOTS_ENV = "SHUJIAN_SCREENSHOTS"


def shot(visit: Visit, name: str, tmp_path: Path) -> Path:
    folder = Path(os.environ.get(SHOTS_ENV) or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    visit.page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


def messy_csv(path: Path, header: str = "姓名") -> Path:
    """A roster as agencies send them: GBK, a title row, a bad ID number, a totals row; a
    unique unit name so that the shared server's workspace has not seen the file."""
    unit = f"青岚县第{uuid.uuid4().hex[:6]}小学"
    lines = [
        "青岚县2026年教职工名单（第一季度）",
        f"单位名称,单位统一社会信用代码,单位类别,{header},身份证号,岗位,入职日期",
        f"{unit},{USCC_A},学校,王芳,{ID_A},教师,2020年9月1日",
        f"{unit},{USCC_A},学校,李四,12345,保安,2021/3/1",
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


def test_a_messy_gbk_csv_is_imported_and_its_rejections_downloaded(
    visit: Visit, tmp_path: Path
) -> None:
    visit.sign_in("张检察官")
    visit.go("/data")
    page = visit.page
    expect(page.locator("#upload-crs-label")).to_be_hidden()  # type: ignore[attr-defined]
    shot(visit, "data-empty", tmp_path)
    upload(visit, messy_csv(tmp_path / "名单.csv"), "青岚县教育局")
    result = page.locator("#import-result")  # type: ignore[attr-defined]
    expect(result).to_be_visible()
    assert page.inner_text("#count-imported") == "1"  # type: ignore[attr-defined]
    assert page.inner_text("#count-rejected") == "1"  # type: ignore[attr-defined]
    assert page.inner_text("#count-skipped") == "1"  # type: ignore[attr-defined]
    shot(visit, "data-result", tmp_path)
    with page.expect_download() as download:  # type: ignore[attr-defined]
        page.click("#result-report")  # type: ignore[attr-defined]
    saved = tmp_path / "report.xlsx"
    download.value.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK" and "退回记录" in download.value.suggested_filename
    visit.go("/data")
    assert "名单.csv" in page.inner_text("#batches")  # type: ignore[attr-defined]
    shot(visit, "data-batches", tmp_path)
    assert not [c for c in visit.console if c.startswith("error")], visit.console


def test_an_unknown_header_is_mapped_in_the_form(visit: Visit, tmp_path: Path) -> None:
    visit.sign_in("张检察官")
    visit.go("/data")
    page = visit.page
    upload(visit, messy_csv(tmp_path / "花名册.csv", header="职工名字"), "青岚县卫健局")
    form = page.locator("#mapping-form")  # type: ignore[attr-defined]
    expect(form).to_be_visible()
    page.select_option('select[data-header="职工名字"]', "职工名字=name")  # type: ignore[attr-defined]
    shot(visit, "data-mapping", tmp_path)
    page.click("#mapping-submit")  # type: ignore[attr-defined]
    expect(page.locator("#import-result")).to_be_visible()  # type: ignore[attr-defined]
    assert page.inner_text("#count-imported") == "1"  # type: ignore[attr-defined]
    assert "职工名字→姓名" in page.inner_text("#import-result")  # type: ignore[attr-defined]
