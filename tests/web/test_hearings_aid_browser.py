"""公开听证 and 国家司法救助 in a real browser. A prosecutor sets a hearing on a 检察建议 case from
its page — refused with two 听证员, set with three — records it held, the three opinions and the
decision, downloads the 听证会公告 and reads the counts under 统计 › 公开听证. Then 受理 an aid
application under 统计 › 国家司法救助, 审查认定 on the case page, an amount above the cap refused,
决定救助 with its 决定书, the figures per ground; a second application on the fast track.

The module serves a workspace of its own (it overrides `server`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from helpers import AS_OF, LIBRARY, load_fixture_data, person
from shujian.beijing import today_in_china
from shujian.cases.service import open_case
from shujian.leads.service import list_leads
from shujian.models.runner import run_models
from shujian.users import User, departments_of
from shujian.users.accounts import add_user
from shujian.users.passwords import set_password
from web.browsing import PASSWORD, Server, Visit, make_workspace, serving, shot

pytestmark = pytest.mark.xdist_group("browser")

WAGE = '\n[judicial_aid]\nmonthly_wage = 8000\nmonthly_wage_source = "贵州省统计局公布的2025年平均工资 ÷ 12"\n'
CASE: dict[str, int] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("hearings")
    ws = make_workspace(root / "ws")
    config = ws.root / "shujian.toml"
    config.write_text(config.read_text(encoding="utf-8") + WAGE, encoding="utf-8")
    ws.settings["judicial_aid"] = {"monthly_wage": 8000,
                                   "monthly_wage_source": "贵州省统计局公布的2025年平均工资 ÷ 12"}  # fmt: skip
    load_fixture_data(ws, root)
    run_models(ws, LIBRARY, ["campus.internet_cafe"], AS_OF)
    ids = [lead["id"] for lead in list_leads(ws.store)]
    CASE["id"] = open_case(ws.store, ids, "未成年人检察部", "张检察官",
                           person("张检察官", "未成年人检察部"), "网吧距学校不足200米",
                           today_in_china() - dt.timedelta(days=30))  # fmt: skip
    admin = User("管理员", ws.region.procuratorate_name, None, frozenset({"admin"}))
    for name, department, role in (("王检察长", None, "chief"),
                                   ("控申检察官", "控告申诉检察部", "prosecutor")):  # fmt: skip
        add_user(ws.store, admin, name, department, [role], departments_of(ws))
        set_password(ws.store, admin, name, PASSWORD)
    with serving(ws) as running:
        yield running


def submit(visit: Visit, selector: str) -> None:
    with visit.page.expect_navigation():  # type: ignore[attr-defined]
        visit.page.click(selector)  # type: ignore[attr-defined]


def test_a_hearing_on_a_case_page_from_panel_to_counts(visit: Visit, tmp_path: Path) -> None:
    page = visit.page
    today = today_in_china()
    held = today - dt.timedelta(days=5)
    told = today - dt.timedelta(days=10)
    visit.sign_in("张检察官")
    visit.go(f"/cases/{CASE['id']}")
    expect(page.locator("#no-hearings")).to_be_visible()  # type: ignore[attr-defined]
    page.click("#new-hearing summary")  # type: ignore[attr-defined]
    form = page.locator("#new-hearing form")  # type: ignore[attr-defined]
    form.locator("[name=matter]").fill("是否制发检察建议")
    form.locator("[name=held_on]").fill(held.isoformat())
    form.locator("[name=notified_on]").fill(told.isoformat())
    form.locator("[name=announced_on]").fill(told.isoformat())
    form.locator("[name=members]").fill("周某,人大代表,1970-03-01\n吴某,政协委员,1965-07-09")
    with page.expect_navigation():  # type: ignore[attr-defined]
        form.locator("button[type=submit]").click()
    expect(page.locator("#case-error")).to_contain_text("听证员只有2人，至少应为3人")  # type: ignore[attr-defined]
    form = page.locator("#new-hearing form")  # type: ignore[attr-defined]
    expect(form.locator("[name=matter]")).to_have_value("是否制发检察建议")  # kept
    form.locator("[name=members]").fill(
        "周某,人大代表,1970-03-01\n吴某,政协委员,1965-07-09\n郑某,人民监督员,1980-01-20"
    )
    with page.expect_navigation():  # type: ignore[attr-defined]
        form.locator("button[type=submit]").click()
    expect(page.locator("#case-notice")).to_contain_text("已登记听证会")  # type: ignore[attr-defined]
    hearing = page.locator("article.hearing").first  # type: ignore[attr-defined]
    hearing.locator("summary", has_text="登记举行和笔录").click()
    hearing.locator("[name=record]").fill("承办检察官介绍案情；听证员提问；当事人陈述。")
    with page.expect_navigation():  # type: ignore[attr-defined]
        hearing.locator("button", has_text="登记举行").click()
    for seq, stance in (("1", "agree"), ("2", "agree"), ("3", "disagree")):
        hearing = page.locator("article.hearing").first  # type: ignore[attr-defined]
        hearing.locator("summary", has_text="登记听证员意见").click()
        hearing.locator("[name=member]").select_option(seq)
        hearing.locator("[name=stance]").select_option(stance)
        hearing.locator("[name=text]").fill(f"听证员{seq}的意见")
        with page.expect_navigation():  # type: ignore[attr-defined]
            hearing.locator("button", has_text="登记意见").click()
    hearing = page.locator("article.hearing").first  # type: ignore[attr-defined]
    expect(hearing.locator(".majority")).to_have_text("同意承办检察官的处理意见")
    hearing.locator("summary", has_text="作出处理决定").click()
    hearing.locator("[name=decision]").fill("暂不制发检察建议")
    hearing.locator("[name=follows]").select_option("否")
    with page.expect_navigation():  # type: ignore[attr-defined]
        hearing.locator("button", has_text="作出决定").click()
    expect(page.locator("#case-error")).to_contain_text("检察长报告并获同意")  # type: ignore[attr-defined]
    hearing = page.locator("article.hearing").first  # type: ignore[attr-defined]
    hearing.locator("summary", has_text="作出处理决定").click()
    hearing.locator("[name=decision]").fill("制发检察建议")
    with page.expect_navigation():  # type: ignore[attr-defined]
        hearing.locator("button", has_text="作出决定").click()
    expect(page.locator("article.hearing .decision")).to_contain_text("制发检察建议")  # type: ignore[attr-defined]
    shot(visit, "hearing-case-page", tmp_path)
    with page.expect_download() as download:  # type: ignore[attr-defined]
        page.click("a[href$='notice.docx']")  # type: ignore[attr-defined]
    assert download.value.suggested_filename.endswith(".docx")
    visit.go("/stats")
    submit(visit, "#to-hearing-stats")
    row = page.locator("#hearing-stats tbody tr").first  # type: ignore[attr-defined]
    expect(row).to_contain_text("未成年人检察部")
    expect(row).to_contain_text("检察建议")
    assert [c.strip() for c in row.locator("td.num").all_inner_texts()] == ["1", "1", "3", "1", "0"]
    shot(visit, "hearing-stats", tmp_path)


def test_aid_applied_reviewed_capped_approved_and_counted(visit: Visit, tmp_path: Path) -> None:
    page = visit.page
    visit.sign_in("张检察官")
    visit.go("/cases")  # the way in from 案件, as for 支持起诉
    page.click("#aid-apply-link")  # type: ignore[attr-defined]
    expect(page.locator("#aid-apply")).to_be_visible()  # type: ignore[attr-defined]
    expect(page.locator("#aid-cap-value")).to_have_text("288,000.00")  # type: ignore[attr-defined]
    page.fill("#aid-apply [name=reason]", "被害人重伤，加害人无赔偿能力")  # type: ignore[attr-defined]
    submit(visit, "#aid-apply button[type=submit]")
    expect(page.locator("#case-notice")).to_contain_text("已受理")  # type: ignore[attr-defined]
    expect(page.locator("#recommend")).to_have_count(0)  # type: ignore[attr-defined]
    section = page.locator("#judicial-aid")  # type: ignore[attr-defined]
    section.locator("[name=ground]").first.select_option("重伤或严重残疾")
    section.locator("[name=applicant]").first.fill("王某某")
    section.locator("[name=people]").first.fill("2")
    submit(visit, "#judicial-aid form[action$='/aid/review'] button")
    page.fill("#judicial-aid [name=amount]", "30万")  # type: ignore[attr-defined]
    submit(visit, "#aid-approve")
    expect(page.locator("#case-error")).to_contain_text("超过救助限额 288,000.00 元")  # type: ignore[attr-defined]
    page.fill("#judicial-aid [name=amount]", "5万元")  # type: ignore[attr-defined]
    submit(visit, "#aid-approve")
    expect(page.locator("#aid-decision")).to_contain_text("50,000.00")  # type: ignore[attr-defined]
    shot(visit, "aid-case-page", tmp_path)
    with page.expect_download() as download:  # type: ignore[attr-defined]
        page.click("#aid-decision a")  # type: ignore[attr-defined]
    assert download.value.suggested_filename.endswith("号.docx")
    # the fast track, from a second application received today
    visit.go("/stats/judicial-aid")
    page.fill("#aid-apply [name=reason]", "被害人急需救治")  # type: ignore[attr-defined]
    submit(visit, "#aid-apply button[type=submit]")
    page.click("#aid-fast-open")  # type: ignore[attr-defined]
    fast = page.locator("#judicial-aid form[action$='/aid/fast']")  # type: ignore[attr-defined]
    fast.locator("[name=ground]").select_option("危及生命急需救治")
    fast.locator("[name=applicant]").fill("李小明")
    fast.locator("[name=minor]").check()
    fast.locator("[name=amount]").fill("8000")
    with page.expect_navigation():  # type: ignore[attr-defined]
        fast.locator("button").click()
    expect(page.locator("#case-notice")).to_contain_text("已快速救助")  # type: ignore[attr-defined]
    visit.go("/stats")
    submit(visit, "#to-aid-stats")
    total = page.locator("#aid-stats tr.total")  # type: ignore[attr-defined]
    assert [c.strip() for c in total.locator("td.num").all_inner_texts()] == [
        "2", "3", "58,000.00", "1", "0", "0.00"]  # fmt: skip
    shot(visit, "aid-stats", tmp_path)
    # 首页: the aid cases, which the lead funnel does not follow, are counted beside it
    visit.go("/")
    other = page.locator("#other-kinds li")  # type: ignore[attr-defined]
    expect(other).to_have_count(1)
    expect(other).to_contain_text("国家司法救助：立案数 2 · 决定司法救助 2 · 其中快速救助 1")
    shot(visit, "home-other-kinds", tmp_path)
    page.click("#to-kind-stats")  # type: ignore[attr-defined]
    rows = page.locator("#stats-table tbody tr")  # type: ignore[attr-defined]
    expect(rows.filter(has_text="国家司法救助")).to_have_count(1)
    expect(rows.filter(has_text="检察建议")).to_have_count(1)
    expect(rows.filter(has_text="线索（不分案件类别）")).to_have_count(1)
    expect(page.locator("#chart-stats")).to_have_count(0)  # type: ignore[attr-defined]
    shot(visit, "stats-by-kind", tmp_path)


def test_who_cannot_act_is_offered_no_form_and_no_dead_end(visit: Visit, tmp_path: Path) -> None:
    """The 检察长 sees the case's hearing and aid sections but is offered none of their forms
    (nor 登记成效): every one would be refused. A 控申 prosecutor has `view_minors` by role but
    is refused the register: the 未成年人 entry is not shown to lead to that refusal."""
    page = visit.page
    visit.sign_in("王检察长")
    visit.go(f"/cases/{CASE['id']}")
    expect(page.locator("#hearings")).to_be_visible()  # type: ignore[attr-defined]
    expect(page.locator("#new-hearing")).to_have_count(0)  # type: ignore[attr-defined]
    expect(page.locator("#hearings form")).to_have_count(0)  # type: ignore[attr-defined]
    expect(page.locator("#outcomes form")).to_have_count(0)  # type: ignore[attr-defined]
    shot(visit, "chief-case-page", tmp_path)
    page.context.clear_cookies()  # type: ignore[attr-defined]
    visit.sign_in("控申检察官")
    nav = page.locator("header nav")  # type: ignore[attr-defined]
    expect(nav).to_contain_text("信访")
    expect(nav).not_to_contain_text("未成年人")
    # an aid case (the kind records its results itself: no 成效 section)
    visit.go("/stats/judicial-aid")
    page.fill("#aid-apply [name=reason]", "被害人之子（未成年）生活困难")  # type: ignore[attr-defined]
    page.check("#aid-apply [name=juvenile]")  # type: ignore[attr-defined]
    submit(visit, "#aid-apply button[type=submit]")
    expect(page.locator("#judicial-aid")).to_be_visible()  # type: ignore[attr-defined]
    expect(page.locator("#outcomes")).to_have_count(0)  # type: ignore[attr-defined]
    expect(page.locator("main")).to_contain_text("未成年人保护")  # type: ignore[attr-defined]
    shot(visit, "aid-juvenile-case", tmp_path)
