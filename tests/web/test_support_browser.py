"""支持起诉 in Chromium: a 民事检察部 prosecutor registers an application on its form, accepts it,
records the evidence gathered and the decision on the case page's step forms, issues the
支持起诉意见书 with the number of the 统一业务应用系统, and downloads it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from shujian.beijing import today_in_china
from web.browsing import Visit, shot

pytestmark = pytest.mark.xdist_group("browser")


def _step(visit: Visit, action: str, fill: dict[str, str], reason: str = "") -> None:
    page = visit.page
    page.click(f"summary[data-action={action}]")  # type: ignore[attr-defined]
    for field, value in fill.items():
        page.fill(f"#{action}-{field}", value)  # type: ignore[attr-defined]
    if reason:
        page.fill(f"#{action}-reason", reason)  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click(f"form:has(input[name=action][value={action}]) button[type=submit]")  # type: ignore[attr-defined]


def test_an_application_walks_to_its_opinion_in_the_browser(visit: Visit, tmp_path: Path) -> None:
    page = visit.page
    visit.sign_in("民事检察官")
    visit.go("/cases")
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#support-apply")  # type: ignore[attr-defined]
    page.fill("#sp-applicant", "王大军等十七人")  # type: ignore[attr-defined]
    page.select_option("#sp-category", "农民工")  # type: ignore[attr-defined]
    page.fill("#sp-respondent", "青岚县宏达建筑工程有限公司")  # type: ignore[attr-defined]
    page.fill("#sp-claim", "判令被申请人支付拖欠的劳动报酬")  # type: ignore[attr-defined]
    page.fill("#sp-amount", "29万元")  # type: ignore[attr-defined]
    page.fill("#sp-people", "17")  # type: ignore[attr-defined]
    shot(visit, "support-apply", tmp_path)
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#apply-button")  # type: ignore[attr-defined]
    assert "已登记支持起诉申请" in page.inner_text("#case-notice")  # type: ignore[attr-defined]
    assert page.inner_text("#case-state") == "已申请"  # type: ignore[attr-defined]
    assert "受理期限" in page.inner_text("#case-deadline")  # type: ignore[attr-defined]

    _step(visit, "accept", {})
    assert page.inner_text("#case-state") == "已受理"  # type: ignore[attr-defined]
    _step(visit, "collect_evidence", {"evidence": "调取劳动保障监察案卷及责令支付文书"})
    _step(visit, "decide_support", {}, reason="申请人系农民工，诉讼能力较弱，符合支持起诉条件")
    assert page.inner_text("#case-state") == "决定支持起诉"  # type: ignore[attr-defined]

    page.click("#to-support-opinion")  # type: ignore[attr-defined]
    page.fill("#sp-court", "青岚县人民法院")  # type: ignore[attr-defined]
    page.fill("#sp-facts", "申请人等十七人在被申请人承建的工地务工，被拖欠劳动报酬共计29万元。")  # type: ignore[attr-defined]
    page.fill("#sp-reasons", "申请人系农民工，诉讼能力较弱，经行政机关责令支付后仍未实现。")  # type: ignore[attr-defined]
    year = today_in_china().year  # the year of the 文号 is China's
    page.fill("#sp-number", f"青检民支〔{year}〕5号")  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#sp-issue-button")  # type: ignore[attr-defined]
    assert f"已制发支持起诉意见书 青检民支〔{year}〕5号" in page.inner_text("#case-notice")  # type: ignore[attr-defined]
    assert page.inner_text("#case-state") == "已制发支持起诉意见书"  # type: ignore[attr-defined]
    shot(visit, "support-case", tmp_path)
    with page.expect_download() as download:  # type: ignore[attr-defined]
        page.click("#support-opinions a")  # type: ignore[attr-defined]
    saved = tmp_path / "opinion.docx"
    download.value.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK"
    # the court's steps are the generic forms now
    assert page.locator("summary[data-action=court_file]").count() == 1  # type: ignore[attr-defined]

    # 统计 by 申请人类别: the kind's own figures, not the leads' under 不适用
    visit.go("/stats?by=applicant_category")
    expect(page.locator("#kind-note")).to_contain_text("本表只列支持起诉案件的数字")  # type: ignore[attr-defined]
    head = page.locator("#stats-table thead")  # type: ignore[attr-defined]
    expect(head).to_contain_text("支持起诉申请")
    expect(head).not_to_contain_text("线索数")
    row = page.locator("#stats-table tbody tr", has_text="农民工")  # type: ignore[attr-defined]
    assert row.locator("td.num").first.inner_text().strip() == "1"
    expect(page.locator("#stats-table tbody")).not_to_contain_text("（不适用）")  # type: ignore[attr-defined]
    shot(visit, "support-stats", tmp_path)
