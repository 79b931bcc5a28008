"""未成年人 › 督促监护令 in a real browser: a prosecutor of the 未成年人检察部 opens a minor's
page, issues a 督促监护令 to the father (the 文号 entered from the 统一业务应用系统), sees its
follow-up schedule, and records the first follow-up visit; the list shows
the order; a guidance session is recorded from the minor's page. The module serves a workspace of its own (it overrides `server`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from juvenile.supervision_county import Minor, build
from shujian.juvenile import service
from shujian.juvenile.service import Register
from web.browsing import Server, Visit, make_workspace, serving, shot

pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    ws = make_workspace(tmp_path_factory.mktemp("guardianship") / "ws")
    with serving(ws) as running:
        yield running
    service.forget()


@pytest.fixture(scope="module")
def county(server: Server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Minor]:
    return build(server.workspace, tmp_path_factory.mktemp("county"))


def submit(visit: Visit, selector: str) -> None:
    with visit.page.expect_navigation():  # type: ignore[attr-defined]
        visit.page.click(selector)  # type: ignore[attr-defined]


def test_issue_an_order_and_record_a_follow_up(
    visit: Visit, server: Server, county: dict[str, Minor], tmp_path: Path
) -> None:
    page = visit.page
    ref = Register(server.workspace).ref(county["A2"].number)
    visit.sign_in("张检察官")
    visit.go(f"/minors/{ref}")
    submit(visit, "#minor-issue-order")
    expect(page.locator("#order-minor")).to_have_text("安二")  # type: ignore[attr-defined]
    page.fill("#o-guardian", "安大山")  # type: ignore[attr-defined]
    page.fill("#o-relation", "父亲")  # type: ignore[attr-defined]
    page.fill("#o-facts", "长期在外务工，对孩子疏于管教，未及时发现其多次夜不归宿。")  # type: ignore[attr-defined]
    page.fill("#o-items", "每周与孩子沟通不少于两次。\n不得让孩子脱离监护单独居住。")  # type: ignore[attr-defined]
    page.check("input[name=basis][value=prevention_61]")  # type: ignore[attr-defined]
    page.fill("#o-guidance", "三个月内参加家庭教育指导不少于四次。")  # type: ignore[attr-defined]
    page.fill("#o-date", "2026-08-30")  # type: ignore[attr-defined]
    page.fill("#o-number", "青检未督监〔2026〕12号")  # type: ignore[attr-defined]
    shot(visit, "web-guardianship-new", tmp_path)
    submit(visit, "#order-submit")
    expect(page.locator("#order-notice")).to_have_text("已制发督促监护令，文书已存档。")  # type: ignore[attr-defined]
    expect(page.locator("#order-number")).to_contain_text("青检未督监〔2026〕12号")  # type: ignore[attr-defined]
    visits = page.locator("#order-visits tbody tr")  # type: ignore[attr-defined]
    expect(visits).to_have_count(3)
    expect(visits.nth(2)).to_contain_text("2027-03-01")
    expect(visits.nth(2)).to_contain_text("暂定")
    expect(page.locator("#order-download")).to_be_visible()  # type: ignore[attr-defined]

    page.fill("#f-date", "2026-09-29")  # type: ignore[attr-defined]
    page.select_option("#f-outcome", "improved")  # type: ignore[attr-defined]
    page.fill("#f-note", "父亲每周通话两次，孩子按时回家")  # type: ignore[attr-defined]
    submit(visit, "#follow-up-submit")
    expect(page.locator("#order-notice")).to_have_text("已登记回访。")  # type: ignore[attr-defined]
    expect(visits.nth(0)).to_contain_text("按期回访")
    expect(visits.nth(0)).to_contain_text("有所改善")
    assert county["A2"].number not in page.inner_text("main")  # type: ignore[attr-defined]
    shot(visit, "web-guardianship-order", tmp_path)

    visit.go("/minors")
    submit(visit, "#tab-orders")
    expect(page.locator("#orders")).to_contain_text("青检未督监〔2026〕12号")  # type: ignore[attr-defined]
    expect(page.locator("#late-visits")).to_contain_text("第2次")  # type: ignore[attr-defined]
    shot(visit, "web-guardianship-list", tmp_path)

    visit.go(f"/minors/{ref}")
    expect(page.locator("#minor-guardianship")).to_be_visible()  # type: ignore[attr-defined]
    submit(visit, "#minor-guidance")
    page.fill("#s-guardians", "安大山、李小红")  # type: ignore[attr-defined]
    page.fill("#s-date", "2026-10-10")  # type: ignore[attr-defined]
    page.select_option("#s-form", "线上")  # type: ignore[attr-defined]
    page.fill("#s-content", "亲子沟通与情绪管理")  # type: ignore[attr-defined]
    submit(visit, "#session-submit")
    expect(page.locator("#guidance-notice")).to_have_text("已登记家庭教育指导。")  # type: ignore[attr-defined]
    expect(page.locator("#sessions")).to_contain_text("安大山、李小红")  # type: ignore[attr-defined]
    shot(visit, "web-guardianship-guidance", tmp_path)
