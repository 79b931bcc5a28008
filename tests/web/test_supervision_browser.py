"""未成年人 › 督办 in a real browser: a prosecutor of the 未成年人检察部 takes a warning up as an
item and follows it up, downloads October's prompts for every unit as a .zip, reads the quarter,
draws November's sample and records a check; a helping unit's account sees no 督办 at all.

The module serves a workspace of its own (it overrides `server`): its warnings, items and
samples meet no other browser test's leads."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from juvenile.supervision_county import Minor, build
from shujian.juvenile import service
from shujian.leads.store import leads
from shujian.models.runner import run_models
from shujian.models.spec import load_library
from web.browsing import Server, Visit, docs_shot, make_workspace, serving, shot

pytestmark = pytest.mark.xdist_group("browser")

PROMPT_DAY = dt.date(2026, 11, 2)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    ws = make_workspace(tmp_path_factory.mktemp("supervision") / "ws")
    with serving(ws) as running:
        yield running
    service.forget()


@pytest.fixture(scope="module")
def county(server: Server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Minor]:
    minors = build(server.workspace, tmp_path_factory.mktemp("county"))
    run_models(server.workspace, load_library(), ["juvenile.visit_missing"], PROMPT_DAY)
    return minors


def warning(server: Server, subject: str) -> int:
    with server.workspace.store.connect() as conn:
        found = conn.execute(select(leads.c.id).where(leads.c.subject == subject)).scalar()
    assert found is not None
    return int(found)


def submit(visit: Visit, selector: str) -> None:
    with visit.page.expect_navigation():  # type: ignore[attr-defined]
        visit.page.click(selector)  # type: ignore[attr-defined]


def test_the_department_takes_up_a_warning_and_sends_the_months_prompts(
    visit: Visit, server: Server, county: dict[str, Minor], tmp_path: Path
) -> None:
    page = visit.page
    visit.sign_in("张检察官")
    visit.go("/minors")
    submit(visit, "#tab-supervision")
    expect(page.locator("#items-empty")).to_be_visible()  # type: ignore[attr-defined]

    lead = warning(server, f"{county['B4'].number}/2026-10")
    page.fill("#take-lead", str(lead))  # type: ignore[attr-defined]
    submit(visit, "#take-submit")
    assert page.input_value("#n-unit") == "县团委"  # type: ignore[attr-defined]  # the unit of today
    page.fill("#n-note", "白四10月无走访，请县团委本周内四访")  # type: ignore[attr-defined]
    shot(visit, "web-supervision-new", tmp_path)
    submit(visit, "#new-submit")
    expect(page.locator("#item-notice")).to_have_text("已列为督办事项。")  # type: ignore[attr-defined]
    page.fill("#f-text", "电话督促县团委，答复周五前完成")  # type: ignore[attr-defined]
    submit(visit, "#follow-up-submit")
    expect(page.locator("#item-events")).to_contain_text("电话督促县团委")  # type: ignore[attr-defined]
    assert county["B4"].number not in page.inner_text("main")  # type: ignore[attr-defined]
    shot(visit, "web-supervision-item", tmp_path)
    visit.go("/minors/supervision")
    expect(page.locator("#items-table")).to_contain_text("白四")  # type: ignore[attr-defined]
    shot(visit, "web-supervision-items", tmp_path)

    visit.go("/minors/supervision/prompts?month=2026-10")
    expect(page.locator("#prompt-day")).to_have_text("2026-11-02")  # type: ignore[attr-defined]
    expect(page.locator("#prompts-table")).to_contain_text("城关镇/东街社区居委会")  # type: ignore[attr-defined]
    shot(visit, "web-supervision-prompts", tmp_path)
    docs_shot(visit, "web-supervision-prompts", 720)
    with page.expect_download() as downloading:  # type: ignore[attr-defined]
        page.click("#prompts-zip")  # type: ignore[attr-defined]
    download = downloading.value
    assert download.suggested_filename == "一月一提示-2026-10.zip"
    saved = tmp_path / "prompts.zip"
    download.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        archive.extractall(tmp_path / "prompts")
    book = openpyxl.load_workbook(tmp_path / "prompts" / "县团委.xlsx")
    names = [r[1] for r in book.worksheets[0].iter_rows(values_only=True) if isinstance(r[0], int)]
    assert names == ["安四", "白四"]

    visit.go("/minors/supervision/quarter?quarter=2026Q4")
    expect(page.locator("#quarter-towns")).to_contain_text("龙场乡")  # type: ignore[attr-defined]
    expect(page.locator("#quarter-units")).to_contain_text("县团委")  # type: ignore[attr-defined]
    shot(visit, "web-supervision-quarter", tmp_path)

    visit.go("/minors/supervision/spot-checks?month=2026-11")
    expect(page.locator("#sample-none")).to_be_visible()  # type: ignore[attr-defined]
    submit(visit, "#draw-submit")
    expect(page.locator("#sample-size")).to_have_text("2")  # type: ignore[attr-defined]
    first = page.locator("#sample-table tbody tr").first  # type: ignore[attr-defined]
    first.locator("select[name=result]").select_option("not_visited")
    first.locator("input[name=note]").fill("入户核实，家长称当月无人走访")
    with page.expect_navigation():  # type: ignore[attr-defined]
        first.locator("button[type=submit]").click()
    expect(page.locator("#sample-notice")).to_have_text("已登记核查结果。")  # type: ignore[attr-defined]
    expect(page.locator("#sample-table")).to_contain_text("走访不实（未走访）")  # type: ignore[attr-defined]
    expect(page.locator("#sample-checked")).to_have_text("1")  # type: ignore[attr-defined]
    shot(visit, "web-supervision-spot-checks", tmp_path)
    docs_shot(visit, "web-supervision-spot-checks", 640)
    assert not [c for c in visit.console if c.startswith("error")], visit.console


def test_a_helping_unit_sees_no_supervision(
    visit: Visit, server: Server, county: dict[str, Minor]
) -> None:
    visit.sign_in("刘帮扶")
    assert visit.page.locator("#tab-supervision").count() == 0  # type: ignore[attr-defined]
    for path in ("/minors/supervision", "/minors/supervision/spot-checks?month=2026-11"):
        answer = visit.go(path)
        assert answer.status == 404, path  # type: ignore[attr-defined]
        assert "页面不存在" in visit.page.inner_text("main")  # type: ignore[attr-defined]
