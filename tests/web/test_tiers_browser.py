"""分级干预 in a real browser: a prosecutor of the 未成年人检察部 opens a minor's page, sets a tier
taking up the minor's warning, and sees it in the tier history and on the timeline; a helping
unit's account sees the timeline of its minor but no tier.

The module serves a workspace of its own (it overrides `server`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from juvenile.people import send
from juvenile.supervision_county import Minor, build
from shujian.juvenile import service
from shujian.juvenile.service import Register
from shujian.juvenile.tiers import service as tiers
from shujian.juvenile.tiers.rules import Change
from shujian.leads.store import leads
from shujian.models.runner import run_models
from shujian.models.spec import load_library
from shujian.users.user import User
from web.browsing import Server, Visit, make_workspace, serving, shot

pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    ws = make_workspace(tmp_path_factory.mktemp("tiers") / "ws")
    with serving(ws) as running:
        yield running
    service.forget()


@pytest.fixture(scope="module")
def county(server: Server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Minor]:
    folder = tmp_path_factory.mktemp("county")
    minors = build(server.workspace, folder)
    send(server.workspace, "minor_assignments", [
        {"公民身份号码": minors["B4"].number, "包保单位": "青岚县团委", "包保责任人": "钱帮扶",
         "开始日期": "2026-11-01"},
    ], folder, agency="护苗办")  # fmt: skip
    service.forget()
    run_models(server.workspace, load_library(), ["juvenile.visit_missing"], dt.date(2026, 11, 2))
    return minors


def submit(visit: Visit, selector: str) -> None:
    with visit.page.expect_navigation():  # type: ignore[attr-defined]
        visit.page.click(selector)  # type: ignore[attr-defined]


def test_a_prosecutor_sets_a_tier_from_a_warning_and_sees_the_timeline(
    visit: Visit, server: Server, county: dict[str, Minor], tmp_path: Path
) -> None:
    page = visit.page
    a4 = county["A4"].number
    with server.workspace.store.connect() as conn:
        lead = conn.execute(select(leads.c.id).where(leads.c.subject == f"{a4}/2026-10")).scalar()
    ref = Register(server.workspace).ref(a4)
    visit.sign_in("张检察官")
    visit.go(f"/minors/{ref}")
    expect(page.locator("#no-tiers")).to_be_visible()  # type: ignore[attr-defined]
    submit(visit, "#set-tier")
    page.check("input[name=tier][value=serious_misconduct]")  # type: ignore[attr-defined]
    page.check("input[name=items][value='38.1']")  # type: ignore[attr-defined]
    page.fill("#t-reason", "十月结伙拦截同学强拿硬要，四访未落实")  # type: ignore[attr-defined]
    page.check("input[name=measures][value=训诫]")  # type: ignore[attr-defined]
    page.check("input[name=measures][value=责令定期报告活动情况]")  # type: ignore[attr-defined]
    page.select_option("#t-lead", str(lead))  # type: ignore[attr-defined]
    shot(visit, "web-tiers-form", tmp_path)
    submit(visit, "#tier-submit")
    expect(page.locator("#minor-notice")).to_have_text("已登记分级干预记录。")  # type: ignore[attr-defined]
    expect(page.locator("#tier-now")).to_contain_text("T2 严重不良行为")  # type: ignore[attr-defined]
    expect(page.locator("#tier-history")).to_contain_text("责令定期报告活动情况（第四十一条）")  # type: ignore[attr-defined]
    expect(page.locator("#tier-history")).to_contain_text(f"线索 {lead}")  # type: ignore[attr-defined]
    expect(page.locator("#timeline-table")).to_contain_text("干预等级")  # type: ignore[attr-defined]
    expect(page.locator("#timeline-table")).to_contain_text("名册认定")  # type: ignore[attr-defined]
    assert a4 not in page.inner_text("main")  # type: ignore[attr-defined]
    page.locator("#tiers").scroll_into_view_if_needed()  # type: ignore[attr-defined]
    shot(visit, "web-tiers-minor", tmp_path)
    assert not [c for c in visit.console if c.startswith("error")], visit.console


def test_a_helping_unit_sees_no_tier(
    visit: Visit, server: Server, county: dict[str, Minor]
) -> None:
    b4 = county["B4"].number
    head = User("周主任", server.workspace.region.procuratorate_name, "未成年人检察部",
                frozenset({"department_head"}))  # fmt: skip
    register = Register(server.workspace)
    tiers.set_tier(
        register,
        head,
        b4,
        Change("misconduct", dt.date(2026, 11, 5), ("28.2",), "多次旷课。", ("予以训导",)),
        dt.date(2026, 12, 6),
    )
    visit.sign_in("钱帮扶")
    visit.go(f"/minors/{register.ref(b4)}")
    expect(visit.page.locator("#timeline-table")).to_contain_text("包保开始")  # type: ignore[attr-defined]
    assert visit.page.locator("#tiers").count() == 0  # type: ignore[attr-defined]
    assert "干预等级" not in visit.page.inner_text("main")  # type: ignore[attr-defined]
    answer = visit.go(f"/minors/{register.ref(b4)}/tier")
    assert answer.status == 403  # type: ignore[attr-defined]
