"""信访 in a real browser: the 控告申诉检察部 records a 检察长接待日 and registers a child's visit
received that day, routed at once to the 民事检察部; answers it procedurally and records the
leader taking it; the 民事检察部's prosecutor answers with the result and records the feedback;
the list names the child by surname only, the petition's page in full with the ID number masked;
the figures page counts it; a department that was not given it sees nothing, a helping unit's
account not even the page.

The module serves a workspace of its own (it overrides `server`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from juvenile.people import id_card
from shujian.beijing import today_in_china
from shujian.models.labels import mask_id_card
from shujian.users import User, departments_of
from shujian.users.accounts import add_user
from shujian.users.passwords import set_password
from web.browsing import PASSWORD, Server, Visit, make_workspace, serving, shot

pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    ws = make_workspace(tmp_path_factory.mktemp("petitions") / "ws")
    admin = User("管理员", ws.region.procuratorate_name, None, frozenset({"admin"}))
    for name, department in (("赵控申", "控告申诉检察部"), ("钱民事", "民事检察部")):
        add_user(ws.store, admin, name, department, ["prosecutor"], departments_of(ws))
        set_password(ws.store, admin, name, PASSWORD)
    with serving(ws) as running:
        yield running


def submit(visit: Visit, selector: str) -> None:
    with visit.page.expect_navigation():  # type: ignore[attr-defined]
        visit.page.click(selector)  # type: ignore[attr-defined]


def sign_out(visit: Visit) -> None:
    submit(visit, "#logout")


def test_a_visit_received_answered_and_counted(visit: Visit, tmp_path: Path) -> None:
    page = visit.page
    today = today_in_china()
    received = today - dt.timedelta(days=3)
    child = id_card(today - dt.timedelta(days=15 * 365))
    visit.sign_in("赵控申")
    submit(visit, "nav a[href='/petitions']")
    expect(page.locator("#petition-empty")).to_be_visible()  # type: ignore[attr-defined]

    submit(visit, "#tab-days")
    page.fill("#d-on", received.isoformat())  # type: ignore[attr-defined]
    page.fill("#d-leader", "王检察长")  # type: ignore[attr-defined]
    page.fill("#d-place", "控告申诉接待大厅")  # type: ignore[attr-defined]
    submit(visit, "#day-submit")
    expect(page.locator("#reception-days tbody tr")).to_have_count(1)  # type: ignore[attr-defined]
    shot(visit, "web-petitions-days", tmp_path)

    submit(visit, "#tab-list")
    submit(visit, "#new-petition")
    page.fill("#n-on", received.isoformat())  # type: ignore[attr-defined]
    page.select_option("#n-channel", "visit")  # type: ignore[attr-defined]
    page.select_option("#n-category", "complaint")  # type: ignore[attr-defined]
    page.fill("#n-matter", "控告某网吧多次容留未成年人上网")  # type: ignore[attr-defined]
    page.select_option("#n-day", index=1)  # type: ignore[attr-defined]
    page.fill("#n-name", "郭小明")  # type: ignore[attr-defined]
    page.fill("#n-id", child)  # type: ignore[attr-defined]
    page.fill("#n-contact", "13800000000")  # type: ignore[attr-defined]
    page.select_option("#n-dept", "民事检察部")  # type: ignore[attr-defined]
    page.fill("#n-handler", "钱民事")  # type: ignore[attr-defined]
    shot(visit, "web-petitions-new", tmp_path)
    submit(visit, "#new-submit")
    expect(page.locator("#petition-notice")).to_have_text("已登记信访件。")  # type: ignore[attr-defined]
    expect(page.locator("#petitioner")).to_contain_text("郭小明")  # type: ignore[attr-defined]
    expect(page.locator("#petitioner")).to_contain_text("未成年人")  # type: ignore[attr-defined]
    expect(page.locator("#petitioner-id")).to_have_text(mask_id_card(child))  # type: ignore[attr-defined]
    assert child not in page.content()  # type: ignore[attr-defined]
    expect(page.locator("#petition-department")).to_contain_text("民事检察部，钱民事")  # type: ignore[attr-defined]
    here = page.url  # type: ignore[attr-defined]
    visit.go("/")  # 首页 tells the 控申 prosecutor what is owed
    expect(page.locator("#home-petitions")).to_contain_text("回复逾期 0 件")  # type: ignore[attr-defined]
    expect(page.locator("#home-petitions")).to_contain_text("未办结 1 件")  # type: ignore[attr-defined]
    page.goto(here)  # type: ignore[attr-defined]

    page.select_option("#pr-outcome", "accepted")  # type: ignore[attr-defined]
    page.fill("#pr-text", "当场告知已受理，转民事检察部办理")  # type: ignore[attr-defined]
    submit(visit, "#procedural-submit")
    expect(page.locator("#deadline-procedural")).to_contain_text("按期")  # type: ignore[attr-defined]
    page.fill("#l-leader", "王检察长")  # type: ignore[attr-defined]
    submit(visit, "#leader-submit")
    expect(page.locator("#petition-leader")).to_contain_text("王检察长")  # type: ignore[attr-defined]
    shot(visit, "web-petitions-petition", tmp_path)
    url = page.url  # type: ignore[attr-defined]
    sign_out(visit)

    visit.sign_in("钱民事")
    visit.go(url.split("?")[0].removeprefix(visit.url))
    expect(page.locator("#route-form")).to_have_count(0)  # type: ignore[attr-defined]
    page.select_option("#rs-kind", "result")  # type: ignore[attr-defined]
    page.fill("#rs-text", "已向市场监管部门制发检察建议")  # type: ignore[attr-defined]
    submit(visit, "#result-submit")
    expect(page.locator("#petition-state")).to_have_text("已办结")  # type: ignore[attr-defined]
    page.check("#fb-satisfied")  # type: ignore[attr-defined]
    submit(visit, "#feedback-submit")
    expect(page.locator("#petition-feedback")).to_contain_text("满意")  # type: ignore[attr-defined]
    expect(page.locator("#timeline tbody tr")).to_have_count(6)  # type: ignore[attr-defined]
    shot(visit, "web-petitions-closed", tmp_path)

    visit.go("/petitions?view=all")
    row = page.locator("#petition-table tbody tr")  # type: ignore[attr-defined]
    expect(row).to_have_count(1)
    expect(row).to_contain_text("郭某（未成年人）")
    expect(row).not_to_contain_text("郭小明")
    expect(row).to_contain_text("包案：王检察长")
    shot(visit, "web-petitions-list", tmp_path)

    submit(visit, "#tab-stats")
    total = page.locator("#petition-stats-table tr.total")  # type: ignore[attr-defined]
    expect(total).to_contain_text("合计")
    cells = total.locator("td")
    expect(cells.nth(1)).to_have_text("1")  # received
    expect(cells.nth(9)).to_have_text("100.0%")  # 办结率
    expect(page.locator("#petition-stats-download")).to_be_visible()  # type: ignore[attr-defined]
    page.select_option("#s-by", "channel")  # type: ignore[attr-defined]
    submit(visit, "#stats-submit")
    expect(total.locator("td").first).to_have_text("合计")
    expect(page.locator("#petition-stats-table tbody tr").first).to_contain_text("来访")  # type: ignore[attr-defined]
    shot(visit, "web-petitions-stats", tmp_path)
    with page.expect_download() as download:  # type: ignore[attr-defined]
        page.click("#petition-stats-download")  # type: ignore[attr-defined]
    assert download.value.suggested_filename.startswith("信访统计-信访渠道-")
    sign_out(visit)

    visit.sign_in("张检察官")  # 未成年人检察部: nothing routed there
    visit.go("/petitions?view=all")
    expect(page.locator("#petition-empty")).to_be_visible()  # type: ignore[attr-defined]
    expect(page.locator("#new-petition")).to_have_count(0)  # type: ignore[attr-defined]
    assert visit.go(url.split("?")[0].removeprefix(visit.url)).status == 404  # type: ignore[attr-defined]
    sign_out(visit)

    visit.sign_in("刘帮扶")  # a helping unit's account: no such page
    expect(page.locator("nav a[href='/petitions']")).to_have_count(0)  # type: ignore[attr-defined]
    assert visit.go("/petitions").status == 404  # type: ignore[attr-defined]
    # the two pages answered 404 on purpose are the console's only complaints
    assert [c for c in visit.console if "404 (Not Found)" not in c] == [], visit.console
