"""The issue's "done when": the register opens, and a helper account records in the web
application the visits that clear a minor's warning at the next run.

A workspace with key_minors (a serious_misconduct minor with a school) and minor_assignments
imported from the 护苗 files; juvenile.visit_missing run as of today warns for each complete month
of its look-back; the helper of the minor's unit signs in and records the missing visits of the
last complete month through the form; the model run again no longer finds that minor and month,
while the months still unvisited stay warned.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from juvenile.people import id_card, send
from shujian.beijing import today_in_china
from shujian.juvenile import service
from shujian.juvenile.register import Month, late_months
from shujian.leads.store import leads
from shujian.models.runner import run_models
from shujian.models.spec import load_library
from shujian.users.accounts import resolve
from shujian.workspace import Workspace
from web.browsing import PASSWORD

MODEL = "juvenile.visit_missing"
MINOR = id_card(dt.date(2011, 11, 11), region="520201")


def signed_in(app, name: str) -> TestClient:  # type: ignore[no-untyped-def]
    client = TestClient(app, base_url="http://127.0.0.1")
    token = token_of(client.get("/login").text)
    client.post(
        "/login",
        data={"name": name, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    return client


def token_of(html: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert found
    return found.group(1)


def warnings(ws: Workspace) -> dict[str, bool]:
    """The model's leads: subject → still found by the latest run."""
    with ws.store.connect() as conn:
        rows = conn.execute(
            select(leads.c.subject, leads.c.active).where(leads.c.model_id == MODEL)
        ).all()
    return {r.subject: bool(r.active) for r in rows}


def test_a_helper_records_the_visits_that_clear_a_minors_warning(
    web_ws: Workspace, app, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    ws = web_ws
    today = today_in_china()
    send(ws, "key_minors", [
        {"姓名": "龙小川", "公民身份号码": MINOR, "类别": "严重不良行为", "细类": "盗窃",
         "认定日期": "2025-01-01", "所属乡镇（街道）": "城关镇", "村（社区）": "东街社区",
         "就读学校": "青岚二中"},
    ], tmp_path / "files", agency="护苗办")  # fmt: skip
    send(ws, "minor_assignments", [
        {"公民身份号码": MINOR, "包保单位": "青岚县妇联", "包保责任人": "刘帮扶",
         "包保方式": "一对一", "开始日期": "2025-01-01"},
    ], tmp_path / "files", agency="护苗办")  # fmt: skip
    service.forget()
    library = load_library(ws.models_dir)
    prosecutor = resolve(ws.store, "张检察官", ws.region.procuratorate_name)
    months = late_months(today, 3)
    last = months[-1]

    run_models(ws, library, [MODEL], today, user=prosecutor)
    assert warnings(ws) == {f"{MINOR}/{m.label}": True for m in months}

    # the register opens, for the prosecutor and for the helper
    register = signed_in(app, "张检察官").get("/minors")
    assert register.status_code == 200 and "龙小川" in register.text and MINOR not in register.text
    helper = signed_in(app, "刘帮扶")
    page = helper.get("/minors/late")
    assert page.status_code == 200 and MINOR not in page.text
    ref = re.search(r'href="/minors/([0-9a-f]{16})/visit"', page.text)
    assert ref, page.text
    form = helper.get(f"/minors/{ref.group(1)}/visit")
    token = token_of(form.text)
    # the visits of the last complete month: the minor and the family one day, school and
    # village another
    for day, targets in ((last.first + dt.timedelta(days=4), ["本人", "家庭"]),
                         (last.last, ["学校", "社区"])):  # fmt: skip
        sent = helper.post(
            f"/minors/{ref.group(1)}/visit",
            data={
                "csrf_token": token,
                "visited_on": day.isoformat(),
                "target": targets,
                "visitor": "刘帮扶",
                "help_content": ["帮学业", "帮法治"],
                "notes": "补录上月走访",
            },
            follow_redirects=False,
        )
        assert sent.status_code == 303, sent.text

    run_models(ws, library, [MODEL], today, user=prosecutor)
    after = warnings(ws)
    assert after[f"{MINOR}/{last.label}"] is False  # no longer found: the warning is cleared
    assert all(after[f"{MINOR}/{m.label}"] for m in months[:-1])  # the others still stand
    file = signed_in(app, "张检察官").get(f"/minors/{ref.group(1)}").text
    assert "不再命中" in file and MINOR not in file
    assert f"{MINOR[:7]}********{MINOR[-3:]}/{last.label}" in file
    late = helper.get("/minors/late").text
    assert Month(last.first).label not in re.findall(r"<td>(\d{4}-\d{2})</td>", late)
