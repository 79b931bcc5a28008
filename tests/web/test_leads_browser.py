"""线索 in a real browser: the queue of the user's scope with ID numbers masked, a department
head's 分派, a prosecutor's 成案 and the new case's number, 不成案 refused in Chinese without the
note 其他 needs, the reveal of a whole ID number with a reason, a venue named as markup shown as
text, and another department's lead answering 404 like a missing one; ticked leads taken into one
new case or dismissed with one reason, the 乡镇 filter, and a model run from the 模型 page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from helpers import AS_OF, LIBRARY, load_fixture_data
from shujian import audit
from shujian.leads.queue import homes, queue
from shujian.leads.service import list_leads
from shujian.models.runner import run_models
from shujian.models.spec import load_library
from shujian.users import User, departments_of
from shujian.users.accounts import add_user
from shujian.users.passwords import set_password
from web.browsing import PASSWORD, XSS, Server, Visit, docs_shot, shot

pytestmark = pytest.mark.xdist_group("browser")

MODELS = ("campus.internet_cafe", "hotel.minor_guest", "staff.barred_offence")
TOWNS = ("新场镇", "白岩镇")
"""The towns in the addresses of the first two venues (each a lead of campus.internet_cafe)."""
HEAD = "王主任"
OTHER_ASSISTANT = "赵助理"
"""An assistant of 公益诉讼检察部: none of the leads (all 未成年人检察部's) is theirs."""


@pytest.fixture(scope="module")
def leads(server: Server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    """The fixtures of three models imported into the server's workspace (the first venue
    renamed to markup) and run: model id → its leads, as stored (ID numbers whole)."""
    ws = server.workspace
    admin = User("管理员", ws.region.procuratorate_name, None, frozenset({"admin"}))
    for name, department, role in (
        (HEAD, "未成年人检察部", "department_head"),
        (OTHER_ASSISTANT, "公益诉讼检察部", "assistant"),
    ):
        add_user(ws.store, admin, name, department, [role], departments_of(ws))
        set_password(ws.store, admin, name, PASSWORD)

    def markup_venue(dataset: str, rows: list[dict]) -> None:
        if dataset == "venues":
            rows[0]["场所名称"] = XSS
            for row, town in zip(rows, TOWNS, strict=False):
                row["地址"] = f"青岚县{town}兴业路8号"

    for model in MODELS:
        folder = tmp_path_factory.mktemp(model)
        load_fixture_data(ws, folder, markup_venue if model == MODELS[0] else None, model)
    run_models(ws, LIBRARY, list(MODELS), AS_OF)
    out: dict[str, list[dict]] = {m: [] for m in MODELS}
    for lead in list_leads(ws.store):
        out[lead["model_id"]].append(lead)
    return out


def text(visit: Visit, selector: str) -> str:
    return str(visit.page.inner_text(selector))  # type: ignore[attr-defined]


def submit(visit: Visit, selector: str) -> None:
    with visit.page.expect_navigation():  # type: ignore[attr-defined]
        visit.page.click(selector)  # type: ignore[attr-defined]


def test_id_numbers_are_masked_in_the_queue(
    visit: Visit, leads, server: Server, tmp_path: Path
) -> None:
    visit.sign_in("张检察官")
    visit.go("/leads")
    listed = text(visit, "#lead-list")
    staff = leads["staff.barred_offence"]
    for lead in staff:
        whole = lead["subject"]
        assert whole not in listed
        assert whole[:6] in listed  # the region stays
    # Other browser tests share this server's workspace (they add leads and take some into
    # cases): the total shown is what the queue service gives 张检察官.
    ws = server.workspace
    zhang = User(
        "张检察官", ws.region.procuratorate_name, "未成年人检察部", frozenset({"prosecutor"})
    )
    expected = queue(ws.store, zhang, home=homes(load_library(), departments_of(ws))).total
    assert text(visit, "#lead-total") == str(expected)
    assert expected >= len(staff)
    shot(visit, "leads-queue", tmp_path)
    # the filters replace the list in place (htmx) and the address follows
    visit.page.select_option("#f-model", "staff.barred_offence")  # type: ignore[attr-defined]
    # (a locator waits without evaluating a string, which the page's CSP forbids)
    expect(visit.page.locator("#lead-total")).to_have_text(str(len(staff)))  # type: ignore[attr-defined]
    assert "model=staff.barred_offence" in visit.page.url  # type: ignore[attr-defined]


def test_a_department_head_dispatches_leads_from_the_queue(
    visit: Visit, leads, server: Server, tmp_path: Path
) -> None:
    first, second = leads["staff.barred_offence"][:2]
    visit.sign_in(HEAD)
    visit.go("/leads?undispatched=1")
    visit.page.check(f"input[name=lead_ids][value='{first['id']}']")  # type: ignore[attr-defined]
    visit.page.check(f"input[name=lead_ids][value='{second['id']}']")  # type: ignore[attr-defined]
    visit.page.fill("#b-prosecutor", "张检察官")  # type: ignore[attr-defined]
    shot(visit, "leads-head-dispatch", tmp_path)
    submit(visit, "#dispatch-selected")
    assert text(visit, "#lead-notice") == "已分派 2 条线索。"
    assert "undispatched=1" in visit.page.url  # back to the list it came from  # type: ignore[attr-defined]
    visit.go(f"/leads/{first['id']}")
    assert text(visit, "#lead-owner") == "未成年人检察部 / 张检察官"
    entries = audit.query(server.workspace.store, object_type="lead", action="dispatch")
    assert entries and entries[-1]["detail"]["lead_ids"] == [first["id"], second["id"]]


def test_a_prosecutor_takes_a_lead_to_a_case_and_sees_its_number(
    visit: Visit, leads, tmp_path: Path
) -> None:
    lead = leads["hotel.minor_guest"][0]
    visit.sign_in("张检察官")
    visit.go(f"/leads/{lead['id']}")
    deciding = visit.page.eval_on_selector_all(  # type: ignore[attr-defined]
        "#evidence th.deciding", "cells => cells.map(c => c.textContent)"
    )
    assert "未登记项目" in deciding  # the deciding columns are marked
    assert "第 " in text(visit, "#evidence tbody") and "批次" in text(visit, "#evidence tbody")
    shot(visit, "lead-page", tmp_path)
    visit.page.fill("#a-reason", "宾馆未登记未成年人监护人联系方式，拟制发检察建议")  # type: ignore[attr-defined]
    submit(visit, "#accept-submit")
    assert text(visit, "#lead-status") == "成案"
    link = visit.page.get_attribute("#case-link", "href")  # type: ignore[attr-defined]
    case_id = link.rsplit("/", 1)[1]
    assert case_id.isdigit() and text(visit, "#case-link") == f"案件 {case_id}"
    assert text(visit, "#lead-notice") == f"已成案：新立案件 {case_id}。"
    shot(visit, "lead-accepted", tmp_path)
    docs_shot(visit, "web-leads-lead", 1000)


def test_dismissing_with_other_and_no_note_is_refused_in_chinese(visit: Visit, leads) -> None:
    lead = leads["hotel.minor_guest"][1]
    visit.sign_in("张检察官")
    visit.go(f"/leads/{lead['id']}")
    visit.page.select_option("#x-reason", "其他")  # type: ignore[attr-defined]
    submit(visit, "#dismiss-submit")
    assert text(visit, "#lead-error") == "选择“其他”作为不成案理由时，必须填写具体说明。"
    assert text(visit, "#lead-status") == "待研判"
    visit.page.fill("#x-note", "该宾馆已于六月停业")  # type: ignore[attr-defined]
    submit(visit, "#dismiss-submit")
    assert text(visit, "#lead-status") == "不成案"


def test_the_whole_id_number_is_shown_only_with_a_reason_and_audited(
    visit: Visit, leads, server: Server
) -> None:
    lead = leads["staff.barred_offence"][3]
    visit.sign_in("张检察官")
    visit.go(f"/leads/{lead['id']}")
    assert lead["subject"] not in text(visit, "main")
    visit.page.click("#reveal-open")  # type: ignore[attr-defined]
    visit.page.fill("#reveal-reason", "核对身份")  # type: ignore[attr-defined]
    submit(visit, "#reveal-submit")
    assert text(visit, "#lead-subject") == lead["subject"]
    views = audit.query(
        server.workspace.store, object_type="lead", object_id=lead["id"], action="view"
    )
    assert views[-1]["detail"]["revealed"] is True
    assert views[-1]["detail"]["reason"] == "核对身份"


def test_another_departments_lead_is_not_found_like_a_missing_one(visit: Visit, leads) -> None:
    lead = leads["staff.barred_offence"][4]
    visit.sign_in(OTHER_ASSISTANT)
    hidden = visit.go(f"/leads/{lead['id']}")
    hidden_text = text(visit, "main")
    missing = visit.go("/leads/987654")
    assert hidden.status == missing.status == 404  # type: ignore[attr-defined]
    assert hidden_text == text(visit, "main")
    visit.go("/leads")
    assert "没有符合条件的线索" in text(visit, "#lead-list")


def test_a_venue_named_as_markup_shows_as_text(visit: Visit, leads) -> None:
    lead = next(x for x in leads["campus.internet_cafe"] if XSS in x["title"])
    visit.sign_in("张检察官")
    visit.go("/leads?model=campus.internet_cafe")
    assert XSS in text(visit, "#lead-list")
    visit.go(f"/leads/{lead['id']}")
    assert XSS in text(visit, "#lead-title")
    assert XSS in text(visit, "#evidence")
    assert visit.dialogs == []


def test_two_ticked_leads_become_one_new_case(visit: Visit, leads, server: Server) -> None:
    first, second = leads["staff.barred_offence"][5:7]
    visit.sign_in(HEAD)
    visit.go("/leads?model=staff.barred_offence")
    page = visit.page
    page.check(f"input[name=lead_ids][value='{first['id']}']")  # type: ignore[attr-defined]
    page.check(f"input[name=lead_ids][value='{second['id']}']")  # type: ignore[attr-defined]
    page.fill("#b-case-prosecutor", "张检察官")  # type: ignore[attr-defined]
    page.fill("#b-accept-reason", "同一单位两名从业人员有前科，一并立案")  # type: ignore[attr-defined]
    submit(visit, "#accept-selected")
    notice = text(visit, "#lead-notice")
    case_id = page.get_attribute("#notice-case", "href").rsplit("/", 1)[1]  # type: ignore[attr-defined]
    assert notice.startswith(f"2 条线索已成案：新立案件 {case_id}。")
    stored = {x["id"]: x["status"] for x in list_leads(server.workspace.store)}
    assert stored[first["id"]] == stored[second["id"]] == "accepted"
    submit(visit, "#notice-case")
    case_page = text(visit, "main")
    assert f"/leads/{first['id']}" in str(page.content())  # type: ignore[attr-defined]
    assert f"/leads/{second['id']}" in str(page.content())  # type: ignore[attr-defined]
    assert "张检察官" in case_page


def test_ticked_leads_are_dismissed_with_one_reason(visit: Visit, leads, server: Server) -> None:
    first, second = leads["staff.barred_offence"][7:9]
    visit.sign_in("张检察官")
    visit.go("/leads?model=staff.barred_offence")
    page = visit.page
    page.check(f"input[name=lead_ids][value='{first['id']}']")  # type: ignore[attr-defined]
    page.check(f"input[name=lead_ids][value='{second['id']}']")  # type: ignore[attr-defined]
    page.select_option("#b-dismiss-reason", "已由其他机关依法处理")  # type: ignore[attr-defined]
    submit(visit, "#dismiss-selected")
    assert text(visit, "#lead-notice").startswith("2 条线索已作不成案处理")
    stored = {x["id"]: x["status"] for x in list_leads(server.workspace.store)}
    assert stored[first["id"]] == stored[second["id"]] == "dismissed"
    entry = audit.query(server.workspace.store, action="dismiss")[-1]
    assert entry["detail"]["lead_ids"] == [first["id"], second["id"]]
    assert entry["detail"]["reason"] == "已由其他机关依法处理"
    visit.go(f"/leads/{first['id']}")
    assert text(visit, "#lead-status") == "不成案"


def test_the_town_filter_narrows_the_list(visit: Visit, leads) -> None:
    visit.sign_in("张检察官")
    visit.go("/leads?status=all")
    page = visit.page
    everything = int(text(visit, "#lead-total"))
    page.select_option("#f-town", TOWNS[1])  # type: ignore[attr-defined]
    # the list is replaced in place: wait until no row of another town is left
    cells = page.locator("#lead-list td.town")  # type: ignore[attr-defined]
    expect(cells.filter(has_not_text=TOWNS[1])).to_have_count(0)
    towns = page.eval_on_selector_all("#lead-list td.town", "c => c.map(x => x.textContent)")  # type: ignore[attr-defined]
    assert towns and set(towns) == {TOWNS[1]}
    assert int(text(visit, "#lead-total")) < everything
    assert "town=" in page.url  # type: ignore[attr-defined]
    # a model whose data names no town says so, and the list is that model's
    page.select_option("#f-model", "hotel.minor_guest")  # type: ignore[attr-defined]
    expect(page.locator("#f-town")).to_be_disabled()  # type: ignore[attr-defined]
    assert text(visit, "#town-filter").endswith("本模型未登记乡镇")
    expect(page.locator("#lead-total")).to_have_text(str(len(leads["hotel.minor_guest"])))  # type: ignore[attr-defined]


def test_a_model_run_from_its_page_counts_its_leads(visit: Visit, leads, server: Server) -> None:
    model = "hotel.minor_guest"
    visit.sign_in("张检察官")
    visit.go(f"/models/{model}")
    page = visit.page
    page.fill("#run-one input[name=as_of]", AS_OF.isoformat())  # type: ignore[attr-defined]
    submit(visit, "#run-one button[type=submit]")
    assert "/models/runs/" in page.url  # type: ignore[attr-defined]
    # the panel asks for itself every second until the run is done
    expect(page.locator("#run-done")).to_be_visible(timeout=60_000)  # type: ignore[attr-defined]
    assert text(visit, "#run-found") == str(len(leads[model]))
    assert "基准日 2026-06-01，1 个模型" in text(visit, "#model-run")
    page.reload()  # type: ignore[attr-defined]
    assert text(visit, "#run-found") == str(len(leads[model]))
    visit.go("/models")
    assert AS_OF.isoformat() in text(visit, "#run-history")
