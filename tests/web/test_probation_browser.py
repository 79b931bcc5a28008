"""未成年人 › 附条件不起诉 in a real browser: a prosecutor of the 未成年人检察部 opens the tab,
registers a review for a suspect not on the register, reads the check, completes it, decides
(period and service deadline shown), records the service and a report; the page keeps the ID
number masked; a helping unit's account has no such tab.

The module serves a workspace of its own (it overrides `server`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from juvenile.people import id_card
from shujian.beijing import today_in_china
from shujian.juvenile import service
from shujian.juvenile.probation import rules
from shujian.models.labels import mask_id_card
from web.browsing import Server, Visit, make_workspace, serving, shot

pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    ws = make_workspace(tmp_path_factory.mktemp("probation") / "ws")
    with serving(ws) as running:
        yield running
    service.forget()


def submit(visit: Visit, selector: str) -> None:
    with visit.page.expect_navigation():  # type: ignore[attr-defined]
        visit.page.click(selector)  # type: ignore[attr-defined]


def test_a_review_decided_served_and_reported(visit: Visit, server: Server, tmp_path: Path) -> None:
    page = visit.page
    today = today_in_china()
    decided = today - dt.timedelta(days=20)
    suspect = id_card(today - dt.timedelta(days=16 * 365))
    visit.sign_in("张检察官")
    visit.go("/minors")
    submit(visit, "#tab-probation")
    expect(page.locator("#probation-empty")).to_be_visible()  # type: ignore[attr-defined]
    submit(visit, "#new-probation")
    page.fill("#p-id", suspect)  # type: ignore[attr-defined]
    page.fill("#p-name", "郭小明")  # type: ignore[attr-defined]
    page.fill("#p-opened", (decided - dt.timedelta(days=5)).isoformat())  # type: ignore[attr-defined]
    page.fill("#p-act-on", (decided - dt.timedelta(days=60)).isoformat())  # type: ignore[attr-defined]
    page.fill("#p-charge", "寻衅滋事罪")  # type: ignore[attr-defined]
    page.fill("#p-sentence", "拘役")  # type: ignore[attr-defined]
    page.select_option("#p-prosecutable", "yes")  # type: ignore[attr-defined]
    page.select_option("#p-remorse", "yes")  # type: ignore[attr-defined]
    for party in ("police", "victim", "suspect", "guardian"):
        page.select_option(f"#p-heard-{party}", "heard")  # type: ignore[attr-defined]
    page.select_option("#p-objection", "none")  # type: ignore[attr-defined]
    shot(visit, "web-probation-new", tmp_path)
    submit(visit, "#new-submit")
    expect(page.locator("#probation-notice")).to_have_text("已登记审查。")  # type: ignore[attr-defined]
    expect(page.locator("#cond-heard_defender")).to_contain_text("未记录")  # type: ignore[attr-defined]
    expect(page.locator("#verdict")).to_contain_text("尚不能判断")  # type: ignore[attr-defined]

    page.locator("#facts-form #p-heard-defender").select_option("none")  # type: ignore[attr-defined]
    submit(visit, "#facts-submit")
    expect(page.locator("#verdict")).to_contain_text("符合附条件不起诉的条件")  # type: ignore[attr-defined]
    page.fill("#d-on", decided.isoformat())  # type: ignore[attr-defined]
    page.fill("#d-months", "6")  # type: ignore[attr-defined]
    page.fill("#d-agency", "青岚县人民检察院未成年人检察部")  # type: ignore[attr-defined]
    page.fill("#d-mentor", "李老师")  # type: ignore[attr-defined]
    page.check("#m-education")  # type: ignore[attr-defined]
    page.check("#m-prohibitions")  # type: ignore[attr-defined]
    submit(visit, "#decide-submit")
    ends = rules.period_end(decided, 6)
    expect(page.locator("#probation-period")).to_contain_text(f"至 {ends.isoformat()}")  # type: ignore[attr-defined]
    expect(page.locator("#probation-service")).to_contain_text("逾期未送达")  # type: ignore[attr-defined]
    page.fill("#s-on", (decided + dt.timedelta(days=1)).isoformat())  # type: ignore[attr-defined]
    submit(visit, "#serve-submit")
    expect(page.locator("#probation-state")).to_have_text("考验期中")  # type: ignore[attr-defined]
    page.fill("#r-text", "在校学习正常，按时参加法治教育")  # type: ignore[attr-defined]
    submit(visit, "#report-submit")
    expect(page.locator("#timeline")).to_contain_text("按时参加法治教育")  # type: ignore[attr-defined]
    expect(page.locator("#schedule")).to_contain_text("已报告")  # type: ignore[attr-defined]
    main = page.inner_text("main")  # type: ignore[attr-defined]
    assert suspect not in main and mask_id_card(suspect) in main
    assert suspect not in page.url  # type: ignore[attr-defined]
    shot(visit, "web-probation-page", tmp_path)
    visit.go("/minors/probation")
    expect(page.locator("#probation-table")).to_contain_text("郭小明")  # type: ignore[attr-defined]
    shot(visit, "web-probation-list", tmp_path)
    assert not [c for c in visit.console if c.startswith("error")], visit.console


def test_a_helping_unit_has_no_probation_tab(visit: Visit, server: Server) -> None:
    visit.sign_in("刘帮扶")
    assert visit.page.locator("#tab-probation").count() == 0  # type: ignore[attr-defined]
    answer = visit.go("/minors/probation")
    assert answer.status == 404  # type: ignore[attr-defined]
