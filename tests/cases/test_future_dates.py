"""No step of a case is dated after today (in China): every service that records the date of
something that happened refuses a date still to come, and today's date is then never refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from helpers import AS_OF, LIBRARY, load_fixture_data, person
from shujian.beijing import today_in_china
from shujian.cases.outcomes import record_outcome
from shujian.cases.recommendations import file_with_superior, issue_recommendation
from shujian.cases.service import add_leads_to_case, get_case, open_case, transition
from shujian.errors import UserError
from shujian.leads.service import list_leads
from shujian.models.runner import run_models
from shujian.workspace import Region, Workspace, init_workspace

D = dt.date
PROSECUTOR = person("张检察官", "公益诉讼检察部")


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    region = Region("贵州省", "六盘水市", "青岚县", "520203", "青岚县人民检察院", "青")
    ws = init_workspace(tmp_path / "ws", region=region)
    load_fixture_data(ws, tmp_path)
    run_models(ws, LIBRARY, ["campus.internet_cafe"], AS_OF)
    return ws


def refused(call, *args, **kwargs) -> str:
    with pytest.raises(UserError) as e:
        call(*args, **kwargs)
    assert e.value.code == "date_in_future", e.value.message
    return e.value.message


def test_every_step_dated_after_today_is_refused_and_today_is_not(ws: Workspace) -> None:
    today = today_in_china()
    tomorrow = today + dt.timedelta(days=1)
    first, second = (r["id"] for r in list_leads(ws.store))
    opening = ("公益诉讼检察部", "张检察官", PROSECUTOR, "网吧距学校不足200米")
    # The steps that start a deadline are dated in the autumn of 2026, so their deadlines fall
    # in a year the bundled calendar knows; the steps dated today start none.
    case_id = open_case(ws.store, [first], *opening, D(2026, 9, 1))
    refused(transition, ws.store, case_id, "investigate", PROSECUTOR, "", tomorrow)
    assert "立案日期" in refused(open_case, ws.store, [second], *opening, tomorrow)
    refused(add_leads_to_case, ws.store, case_id, [second], PROSECUTOR, "同一单位", tomorrow)
    add_leads_to_case(ws.store, case_id, [second], PROSECUTOR, "同一单位", today)

    transition(ws.store, case_id, "investigate", PROSECUTOR, "", D(2026, 9, 2))
    draft = (LIBRARY, case_id, PROSECUTOR)
    recipient = "青岚县文化广电旅游局"
    refused(issue_recommendation, ws, *draft, tomorrow, recipient, category="公益诉讼")
    issued = issue_recommendation(
        ws, *draft, D(2026, 9, 10), recipient, category="公益诉讼", number="青检行公建〔2026〕1号"
    )
    refused(file_with_superior, ws.store, issued.number, PROSECUTOR, tomorrow, "市院公益部")
    file_with_superior(ws.store, issued.number, PROSECUTOR, today, "市院公益部")
    kind = "businesses_rectified"
    refused(record_outcome, ws.store, case_id, kind, PROSECUTOR, tomorrow, count=1)
    record_outcome(ws.store, case_id, kind, PROSECUTOR, today, count=1)

    serve = {"service_method": "书面送达"}
    refused(transition, ws.store, case_id, "serve", PROSECUTOR, "", tomorrow, **serve)
    transition(ws.store, case_id, "serve", PROSECUTOR, "", D(2026, 9, 11), **serve)
    # the reported failure: on 5 December a step dated the 22nd was taken, and today's was
    # then refused as earlier than it
    ahead = today + dt.timedelta(days=17)
    refused(transition, ws.store, case_id, "await_reply", PROSECUTOR, "", ahead)
    transition(ws.store, case_id, "await_reply", PROSECUTOR, "", today)
    assert get_case(ws.store, case_id, PROSECUTOR)["state"] == "awaiting_reply"
