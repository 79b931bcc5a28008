"""Triage of the leads ticked in the list (no browser): 成案 into a new case or a case the user may
add to, 不成案 with one reason, 分派 — all of them or none, each audited as for one lead; a lead
outside the user's scope in the form answers 404 and nothing changes; other refusals are shown
above the list with the ticks kept; the 乡镇 filter."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from helpers import AS_OF, CAFE, LIBRARY, load_fixture_data
from shujian import audit
from shujian.cases.service import open_case
from shujian.cases.store import case_leads, cases
from shujian.leads import triage
from shujian.leads.queue import homes
from shujian.leads.service import list_leads
from shujian.leads.store import lead_events
from shujian.models.runner import run_models
from shujian.users import User, departments_of
from shujian.users.accounts import add_user
from shujian.users.passwords import set_password
from shujian.users.user import SYSTEM
from shujian.workspace import Workspace
from web.test_leads_pages import signed_in, token_of

MODEL = "staff.barred_offence"
HEAD = "王主任"
"""A department head of 未成年人检察部 (who may dispatch)."""
ELSEWHERE = ("公益诉讼检察部", "钱检察官")
"""Where one lead is dispatched: outside the scope of 张检察官 and 王主任."""
CHANGES = ("dispatch", "dismiss", "open_case", "add_leads")


@pytest.fixture
def ws(web_ws: Workspace, tmp_path: Path) -> Workspace:
    """The staff model's leads (all 未成年人检察部's), the last of them dispatched elsewhere, and
    a department head's account."""
    admin = User("管理员", web_ws.region.procuratorate_name, None, frozenset({"admin"}))
    departments = departments_of(web_ws)
    add_user(web_ws.store, admin, HEAD, "未成年人检察部", ["department_head"], departments)
    set_password(web_ws.store, admin, HEAD, "Qinglan#2026")
    add_user(web_ws.store, admin, ELSEWHERE[1], ELSEWHERE[0], ["prosecutor"], departments)
    load_fixture_data(web_ws, tmp_path, None, MODEL)
    run_models(web_ws, LIBRARY, [MODEL], AS_OF)
    last = list_leads(web_ws.store, MODEL)[-1]["id"]
    triage.dispatch(web_ws.store, [last], *ELSEWHERE, SYSTEM, departments=departments)
    return web_ws


def own(ws: Workspace) -> list[int]:
    return [x["id"] for x in list_leads(ws.store, MODEL)][:-1]


def elsewhere(ws: Workspace) -> int:
    return int(list_leads(ws.store, MODEL)[-1]["id"])


def snapshot(ws: Workspace) -> dict[str, Any]:
    """Everything a triage step changes: statuses, events, cases, changes in the audit log."""
    with ws.store.connect() as conn:
        events = conn.execute(select(func.count()).select_from(lead_events)).scalar()
        made = conn.execute(select(func.count()).select_from(cases)).scalar()
        joined = conn.execute(select(func.count()).select_from(case_leads)).scalar()
    return {
        "statuses": {x["id"]: x["status"] for x in list_leads(ws.store)},
        "events": events,
        "cases": made,
        "case_leads": joined,
        "audit": [e["seq"] for a in CHANGES for e in audit.query(ws.store, action=a)],
    }


def page_token(client: TestClient) -> str:
    return token_of(client.get("/leads").text)


ACCEPT_NEW = {
    "into": "new",
    "case_department": "未成年人检察部",
    "case_prosecutor": "张检察官",
    "accept_reason": "同一单位多名人员，一并立案",
}


@pytest.mark.parametrize(
    ("who", "path", "fields"),
    [
        ("张检察官", "/leads/accept", ACCEPT_NEW),
        ("张检察官", "/leads/accept", {"into": "existing", "accept_reason": "并案"}),
        ("张检察官", "/leads/dismiss", {"dismiss_reason": "经核实不存在违法情形"}),
        (HEAD, "/leads/dispatch", {"department": "未成年人检察部", "prosecutor": "张检察官"}),
    ],
)
def test_a_lead_outside_the_scope_in_a_bulk_form_is_404_and_changes_nothing(
    ws: Workspace, client: TestClient, who: str, path: str, fields: dict[str, str]
) -> None:
    signed_in(client, who)
    ids = [*own(ws)[:2], elsewhere(ws)]
    if fields.get("into") == "existing":  # a case 张检察官 may add to
        fields = {**fields, "case_id": str(_open_case_of(ws, own(ws)[2]))}
    before = snapshot(ws)
    refused = client.post(
        path, data={**fields, "lead_ids": [str(i) for i in ids], "csrf_token": page_token(client)}
    )
    assert refused.status_code == 404
    assert "没有这个页面，或您无权查看它" in refused.text
    assert "找不到线索" not in refused.text  # the page names no id: which exist is not disclosed
    assert snapshot(ws) == before


def _open_case_of(ws: Workspace, lead_id: int) -> int:
    zhang = User(
        "张检察官", ws.region.procuratorate_name, "未成年人检察部", frozenset({"prosecutor"})
    )
    return open_case(
        ws.store,
        [lead_id],
        "未成年人检察部",
        "张检察官",
        zhang,
        "立案",
        AS_OF,
        departments=departments_of(ws),
        calendar=ws.calendar,
        home=homes(LIBRARY, departments_of(ws)),
    )


def test_two_ticked_leads_become_one_new_case_audited_once(
    ws: Workspace, client: TestClient
) -> None:
    signed_in(client)
    first, second = own(ws)[:2]
    done = client.post(
        "/leads/accept",
        data={
            **ACCEPT_NEW,
            "lead_ids": [str(first), str(second)],
            "back": f"?status=new&model={MODEL}",
            "csrf_token": page_token(client),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    location = done.headers["location"]
    case_id = int(re.search(r"case=(\d+)", location).group(1))  # type: ignore[union-attr]
    assert location.startswith(f"/leads?status=new&model={MODEL}&")  # the list it came from
    statuses = {x["id"]: x["status"] for x in list_leads(ws.store)}
    assert statuses[first] == statuses[second] == "accepted"
    (entry,) = audit.query(ws.store, action="open_case")
    assert entry["object_id"] == str(case_id)
    assert entry["detail"]["lead_ids"] == [first, second]
    page = client.get(location).text
    assert f"2 条线索已成案：新立案件 {case_id}。" in page
    assert f'<a href="/cases/{case_id}" id="notice-case">' in page


def test_ticked_leads_join_a_case_the_user_may_add_to(ws: Workspace, client: TestClient) -> None:
    signed_in(client)
    first, second, third = own(ws)[:3]
    case_id = _open_case_of(ws, first)
    offered = client.get("/leads/open-cases").text
    assert f'<option value="{case_id}">案件 {case_id} · ' in offered
    done = client.post(
        "/leads/accept",
        data={
            "into": "existing",
            "case_id": str(case_id),
            "accept_reason": "同一单位，并入已立案件",
            "lead_ids": [str(second), str(third)],
            "csrf_token": page_token(client),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and f"done=merged&n=2&case={case_id}" in done.headers["location"]
    (entry,) = audit.query(ws.store, action="add_leads")
    assert entry["detail"]["lead_ids"] == [second, third]
    with ws.store.connect() as conn:
        joined = conn.execute(select(case_leads.c.lead_id).where(case_leads.c.case_id == case_id))
        assert sorted(joined.scalars()) == [first, second, third]


def test_one_reason_dismisses_the_ticked_leads_and_a_missing_note_keeps_the_ticks(
    ws: Workspace, client: TestClient
) -> None:
    signed_in(client)
    first, second = own(ws)[:2]
    ticked = {"lead_ids": [str(first), str(second)], "dismiss_reason": "其他"}
    refused = client.post("/leads/dismiss", data={**ticked, "csrf_token": page_token(client)})
    assert refused.status_code == 400
    assert 'id="bulk-error">选择“其他”作为不成案理由时，必须填写具体说明。' in refused.text
    for i in (first, second):
        assert re.search(rf'name="lead_ids" value="{i}"[^>]*checked', refused.text)
    assert {x["status"] for x in list_leads(ws.store, MODEL)} == {"new"}

    done = client.post(
        "/leads/dismiss",
        data={**ticked, "note": "两人均已离职", "csrf_token": page_token(client)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    statuses = {x["id"]: x["status"] for x in list_leads(ws.store)}
    assert statuses[first] == statuses[second] == "dismissed"
    (entry,) = audit.query(ws.store, action="dismiss")
    recorded = entry["detail"].pop("state_digests")  # the two leads' new records (tamper/)
    assert entry["detail"] == {
        "lead_ids": [first, second],
        "reason": "其他",
        "note": "两人均已离职",
    }
    assert recorded["rows"] == 2
    assert "2 条线索已作不成案处理" in client.get(done.headers["location"]).text


def test_a_lead_already_triaged_refuses_the_whole_bulk_step(
    ws: Workspace, client: TestClient
) -> None:
    signed_in(client)
    first, second = own(ws)[:2]
    _open_case_of(ws, first)
    before = snapshot(ws)
    refused = client.post(
        "/leads/accept",
        data={
            **ACCEPT_NEW,
            "lead_ids": [str(first), str(second)],
            "csrf_token": page_token(client),
        },
    )
    assert refused.status_code == 400 and "成案" in refused.text
    assert 'id="bulk-error"' in refused.text
    assert snapshot(ws) == before  # the second lead was not taken alone


def test_the_town_filter_lists_the_towns_present_and_says_when_a_model_has_none(
    ws: Workspace, client: TestClient, tmp_path: Path
) -> None:
    def addresses(dataset: str, rows: list[dict]) -> None:
        if dataset == "venues":
            for r in rows:
                r["地址"] = "青岚县白岩镇滨河路8号"

    folder = tmp_path / "cafe"
    folder.mkdir()
    load_fixture_data(ws, folder, addresses)
    run_models(ws, LIBRARY, [CAFE], AS_OF)
    cafes = {x["id"] for x in list_leads(ws.store, CAFE)}
    signed_in(client)
    page = client.get("/leads").text
    assert "<option>白岩镇</option>" in page and '<option value="未登记乡镇">' in page
    in_town = client.get("/leads?town=白岩镇").text
    listed = {int(i) for i in re.findall(r'<td><a href="/leads/(\d+)">', in_town)}
    assert listed == cafes
    staff = client.get(f"/leads?model={MODEL}").text
    assert "本模型未登记乡镇" in staff
    part = client.get(
        f"/leads?model={MODEL}", headers={"HX-Request": "true", "HX-Target": "lead-list"}
    ).text
    assert '<div id="town-filter" hx-swap-oob="true">' in part and "本模型未登记乡镇" in part
