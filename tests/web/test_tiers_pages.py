"""分级干预 through the application (no browser): the minor's page with its tier history and
timeline, the form reached from it (and from a warning), a refusal shown on the form with what
was typed kept, a tier set and seen; a helping unit's account sees no tier and may not set one,
another department and an assistant are refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from juvenile.people import send
from juvenile.supervision_county import Minor, build
from shujian import audit
from shujian.beijing import today_in_china
from shujian.juvenile import service
from shujian.juvenile.service import Register
from shujian.juvenile.tiers.store import intervention_tiers
from shujian.leads import triage
from shujian.leads.queue import homes
from shujian.leads.store import leads
from shujian.models.runner import run_models
from shujian.models.spec import load_library
from shujian.users.departments import departments_of
from shujian.users.user import User
from shujian.workspace import Workspace
from web.test_supervision_pages import post, signed_in

D = dt.date


@pytest.fixture
def county(web_ws: Workspace, tmp_path: Path) -> tuple[Workspace, dict[str, Minor], dict[str, int]]:
    """The 督办 county in the web workspace, A4 also helped by 青岚县团委 (钱帮扶's unit) from
    1 November 2026, and juvenile.visit_missing's warnings as of 2 November."""
    minors = build(web_ws, tmp_path / "files")
    send(web_ws, "minor_assignments", [
        {"公民身份号码": minors["A4"].number, "包保单位": "青岚县团委", "包保责任人": "钱帮扶",
         "开始日期": "2026-11-01"},
    ], tmp_path / "files", agency="护苗办")  # fmt: skip
    service.forget()
    run_models(web_ws, load_library(), ["juvenile.visit_missing"], D(2026, 11, 2))
    with web_ws.store.connect() as conn:
        found = dict(conn.execute(select(leads.c.subject, leads.c.id)).all())
    return web_ws, minors, found


def test_a_tier_set_from_the_minors_page(county, app) -> None:  # type: ignore[no-untyped-def]
    ws, m, found = county
    a4 = m["A4"].number
    ref = Register(ws).ref(a4)
    lead = found[f"{a4}/2026-10"]
    client = signed_in(app, "张检察官")
    page = client.get(f"/minors/{ref}")
    assert page.status_code == 200
    assert 'id="no-tiers"' in page.text and f'href="/minors/{ref}/tier"' in page.text
    assert 'id="timeline-table"' in page.text and "名册认定" in page.text

    lead_page = client.get(f"/leads/{lead}")
    assert lead_page.status_code == 200
    assert f'href="/minors/{ref}/tier?lead={lead}" id="lead-set-tier"' in lead_page.text
    form = client.get(f"/minors/{ref}/tier?lead={lead}")
    assert form.status_code == 200
    assert f'<option value="{lead}" selected>' in form.text
    assert "第四十一条（T2 严重不良行为、触法）" in form.text and "第四十五条（触法）" in form.text
    assert a4 not in form.text

    wrong = post(
        client,
        f"/minors/{ref}/tier",
        {"tier": "misconduct", "decided_on": today_in_china().isoformat(), "items": ["28.2"],
         "reason": "旷课", "measures": ["训诫"], "lead": str(lead)},
        f"/minors/{ref}/tier",
    )  # fmt: skip
    assert wrong.status_code == 400
    assert "“训诫”（第四十一条）不是T1 不良行为可以采取的措施" in wrong.text
    assert 'value="misconduct" checked' in wrong.text and ">旷课</textarea>" in wrong.text

    done = post(
        client,
        f"/minors/{ref}/tier",
        {"tier": "serious_misconduct", "decided_on": today_in_china().isoformat(), "items": ["38.1"],
         "reason": "结伙拦截同学强拿硬要。", "measures": ["训诫", "送专门学校"], "lead": str(lead)},
        f"/minors/{ref}/tier",
    )  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == f"/minors/{ref}?done=tier#tiers"
    shown = client.get(f"/minors/{ref}?done=tier").text
    assert "已登记分级干预记录。" in shown
    assert "当前干预等级：<strong>T2 严重不良行为</strong>" in shown
    assert "送专门学校（第四十三条、第四十四条）" in shown
    assert f'<a href="/leads/{lead}">线索 {lead}</a>' in shown
    assert "干预等级</td>" in shown  # on the timeline
    assert a4 not in shown
    with ws.store.connect() as conn:
        assert conn.execute(select(intervention_tiers.c.decided_by)).scalars().all() == ["张检察官"]
    [entry] = [e for e in audit.query(ws.store) if e["action"] == "set_intervention_tier"]
    assert entry["actor"] == "张检察官" and entry["detail"]["measures"] == ["训诫", "送专门学校"]


def test_a_helper_sees_no_tier_and_others_are_refused(county, app) -> None:  # type: ignore[no-untyped-def]
    ws, m, found = county
    a4 = m["A4"].number
    ref = Register(ws).ref(a4)
    prosecutor = signed_in(app, "张检察官")
    assert (
        post(
            prosecutor,
            f"/minors/{ref}/tier",
            {"tier": "misconduct", "decided_on": today_in_china().isoformat(), "items": ["28.2"],
             "reason": "多次旷课。"},
            f"/minors/{ref}/tier",
        ).status_code
        == 303
    )  # fmt: skip
    helper = signed_in(app, "钱帮扶")
    page = helper.get(f"/minors/{ref}")
    assert page.status_code == 200 and 'id="timeline-table"' in page.text
    assert "分级干预" not in page.text and "干预等级" not in page.text
    assert helper.get(f"/minors/{ref}/tier").status_code == 403
    refused = post(helper, f"/minors/{ref}/tier", {"tier": "misconduct", "reason": "x"}, "/minors")
    assert refused.status_code == 403
    for name in ("公益检察官", "李助理"):
        other = signed_in(app, name)
        assert other.get(f"/minors/{ref}/tier").status_code == 403, name
    # a juvenile warning dispatched to another department: its page offers them no tier
    lead = found[f"{a4}/2026-10"]
    head = User(
        "周主任", ws.region.procuratorate_name, "未成年人检察部", frozenset({"department_head"})
    )
    home = homes(load_library(), departments_of(ws))
    triage.dispatch(ws.store, [lead], "公益诉讼检察部", "公益检察官", head, home=home)
    lead_page = signed_in(app, "公益检察官").get(f"/leads/{lead}")
    assert lead_page.status_code == 200 and 'id="lead-set-tier"' not in lead_page.text
    with ws.store.connect() as conn:
        assert len(conn.execute(select(intervention_tiers.c.id)).all()) == 1
