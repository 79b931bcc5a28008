"""未成年人 pages through the application (no browser): the register and a minor's page masked
and audited, a reveal that needs a reason, the due and late lists, the visit form; and a helping
unit's account fenced in — its own minors only, every other family of pages answering 404."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from juvenile.people import id_card, send
from shujian import audit
from shujian.beijing import today_in_china
from shujian.data.warehouse import Warehouse
from shujian.juvenile import service
from shujian.workspace import Workspace
from web.browsing import PASSWORD

D = dt.date
MINE = id_card(D(2010, 3, 15))  # assigned to 青岚县妇联 (刘帮扶's unit)
THEIRS = id_card(D(2011, 4, 16))  # assigned to 青岚县团委 (钱帮扶's)
GUARDIAN = id_card(D(1980, 6, 1))


@pytest.fixture
def ws(web_ws: Workspace, tmp_path: Path) -> Workspace:
    send(web_ws, "key_minors", [
        {"姓名": "甲", "公民身份号码": MINE, "类别": "严重不良行为", "认定日期": "2025-01-01",
         "所属乡镇（街道）": "城关镇", "村（社区）": "东街社区", "就读学校": "一中",
         "监护人姓名": "甲父", "监护人公民身份号码": GUARDIAN},
        {"姓名": "乙", "公民身份号码": THEIRS, "类别": "严重不良行为", "认定日期": "2025-01-01",
         "所属乡镇（街道）": "龙场乡", "村（社区）": "龙场村"},
    ], tmp_path / "files")  # fmt: skip
    send(web_ws, "minor_assignments", [
        {"公民身份号码": MINE, "包保单位": "青岚县妇联", "包保责任人": "刘帮扶", "开始日期": "2025-01-01"},
        {"公民身份号码": THEIRS, "包保单位": "青岚县团委", "包保责任人": "钱帮扶", "开始日期": "2025-01-01"},
    ], tmp_path / "files")  # fmt: skip
    service.forget()
    return web_ws


def signed_in(app, name: str) -> TestClient:  # type: ignore[no-untyped-def]
    client = TestClient(app, base_url="http://127.0.0.1")
    token = token_of(client.get("/login").text)
    answer = client.post(
        "/login",
        data={"name": name, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    return client


def token_of(html: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert found
    return found.group(1)


def refs(html: str) -> dict[str, str]:
    """Name → reference of the minors a page links to."""
    return {
        name: ref
        for ref, name in re.findall(
            r'href="/minors/([0-9a-f]{16})" class="minor-link">([^<]+)<', html
        )
    }


def nav(html: str) -> list[str]:
    found = re.search(r'<nav aria-label="主导航">(.*?)</nav>', html, re.S)
    return re.findall(r">([^<>\s]+)</a>", found.group(1)) if found else []


def test_the_register_and_a_minors_page_are_masked_and_audited(ws: Workspace, app) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(app, "张检察官")
    page = client.get("/minors")
    assert page.status_code == 200 and "未成年人" in nav(page.text)
    assert MINE not in page.text and THEIRS not in page.text
    assert 'id="count-minors">2<' in page.text
    assert set(refs(page.text)) == {"甲", "乙"}
    town = client.get("/minors", params={"town": "龙场乡"})
    assert set(refs(town.text)) == {"乙"} and "龙场村" in town.text
    serious = client.get("/minors", params={"category": "严重不良行为"})
    assert set(refs(serious.text)) == {"甲", "乙"}
    one = client.get(f"/minors/{refs(page.text)['甲']}")
    assert one.status_code == 200 and "甲父" in one.text
    assert MINE not in one.text and GUARDIAN not in one.text
    assert "5202032********" + MINE[-3:] in one.text
    seen = [e for e in audit.query(ws.store, object_type="minor") if e["action"] == "view"]
    assert seen[-1]["actor"] == "张检察官" and seen[-1]["object_id"] == MINE


def test_a_reveal_needs_a_reason_and_is_audited(ws: Workspace, app) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(app, "张检察官")
    ref = refs(client.get("/minors").text)["甲"]
    page = client.get(f"/minors/{ref}")
    blank = client.post(
        f"/minors/{ref}/reveal", data={"reason": " ", "csrf_token": token_of(page.text)}
    )
    assert blank.status_code == 400 and "须填写查看理由" in blank.text and MINE not in blank.text
    shown = client.post(
        f"/minors/{ref}/reveal", data={"reason": "核对监护人", "csrf_token": token_of(page.text)}
    )
    assert shown.status_code == 200 and MINE in shown.text and GUARDIAN in shown.text
    entry = [e for e in audit.query(ws.store, object_type="minor") if e["action"] == "view"][-1]
    assert entry["detail"]["revealed"] is True and entry["detail"]["reason"] == "核对监护人"


def test_a_number_typed_finds_the_minor_without_putting_it_in_an_address(
    ws: Workspace, app
) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(app, "张检察官")
    token = token_of(client.get("/minors").text)
    found = client.post(
        "/minors/find", data={"number": THEIRS, "csrf_token": token}, follow_redirects=False
    )
    assert found.status_code == 303 and THEIRS not in found.headers["location"]
    assert "乙" in client.get(found.headers["location"]).text
    missing = client.post(
        "/minors/find", data={"number": id_card(D(2013, 3, 3)), "csrf_token": token}
    )
    assert missing.status_code == 404 and "名册中找不到" in missing.text


def test_the_due_and_late_lists(ws: Workspace, app) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(app, "张检察官")
    due = client.get("/minors/due")
    assert due.status_code == 200 and 'id="visits-due">2<' in due.text
    assert set(refs(due.text)) == {"甲", "乙"} and MINE not in due.text
    late = client.get("/minors/late")
    assert late.status_code == 200 and 'id="visits-total">6<' in late.text
    assert client.get("/minors/due", params={"month": "13月"}).status_code == 400


def test_the_register_is_refused_to_whom_it_does_not_belong(ws: Workspace, app) -> None:  # type: ignore[no-untyped-def]
    for name, says in (
        ("管理员", "无权查看重点未成年人名册"),
        ("李助理", "无权查看重点未成年人名册"),
        ("公益检察官", "重点未成年人名册由未成年人检察部和院领导查看"),
    ):
        client = signed_in(app, name)
        refused = client.get("/minors")
        assert refused.status_code == 403 and says in refused.text
    assert "未成年人" not in nav(signed_in(app, "管理员").get("/").text)


def test_a_helper_sees_only_its_minor_and_records_a_visit(ws: Workspace, app) -> None:  # type: ignore[no-untyped-def]
    helper = signed_in(app, "刘帮扶")
    home = helper.get("/", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/minors"
    page = helper.get("/minors")
    assert nav(page.text) == ["未成年人"] and "包保单位：青岚县妇联" in page.text
    assert set(refs(page.text)) == {"甲"} and 'id="count-minors">1<' in page.text
    assert "龙场乡" not in page.text  # not even where another unit's minor lives
    mine = refs(page.text)["甲"]
    theirs = refs(signed_in(app, "钱帮扶").get("/minors").text)["乙"]
    assert helper.get(f"/minors/{theirs}").status_code == 404
    assert helper.get(f"/minors/{theirs}/visit").status_code == 404
    assert set(refs(helper.get("/minors/due").text)) == {"甲"}
    form = helper.get(f"/minors/{mine}/visit")
    assert form.status_code == 200 and 'value="刘帮扶"' in form.text
    today = today_in_china().isoformat()
    token = token_of(form.text)
    sent = helper.post(
        f"/minors/{mine}/visit",
        data={
            "csrf_token": token,
            "visited_on": today,
            "target": ["本人", "家庭"],
            "visitor": "刘帮扶",
            "help_content": ["帮学业"],
            "measures": ["心理辅导"],
            "notes": "谈话",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"] == f"/minors/{mine}?done=visit"
    after = helper.get(sent.headers["location"])
    assert "已登记走访" in after.text and "本人、家庭" in after.text and "预警" not in after.text
    [batch] = [
        b for b in Warehouse(ws.warehouse_dir, ws.store).batches() if b.file_name == "平台录入"
    ]
    assert batch.agency == "青岚县妇联"
    other = helper.post(
        f"/minors/{theirs}/visit",
        data={"csrf_token": token, "visited_on": today, "target": ["本人"], "visitor": "刘帮扶"},
    )
    assert other.status_code == 404
    future = helper.post(
        f"/minors/{mine}/visit",
        data={"csrf_token": token, "visited_on": "2999-01-01", "target": ["本人"], "visitor": "x"},
    )
    assert future.status_code == 400 and "晚于今天" in future.text and 'value="x"' in future.text


FENCED = (
    "/leads", "/leads/1", "/leads?status=all", "/cases", "/cases/1", "/models",
    "/models/report.mandatory", "/data", "/data/batches/1", "/map", "/map/data.json", "/leads.xlsx",
    "/stats", "/stats.xlsx", "/admin", "/admin/audit",
)  # fmt: skip


@pytest.mark.parametrize("path", FENCED)
def test_a_helper_opens_nothing_but_the_register(ws: Workspace, app, path: str) -> None:  # type: ignore[no-untyped-def]
    helper = signed_in(app, "刘帮扶")
    answer = helper.get(path)
    assert answer.status_code == 404 and "没有这个页面" in answer.text
    assert nav(answer.text) == ["未成年人"]


@pytest.mark.parametrize(
    "path", ["/leads/dispatch", "/leads/1/reveal", "/models/run", "/data/upload", "/admin/users"]
)
def test_a_helper_changes_nothing_elsewhere(ws: Workspace, app, path: str) -> None:  # type: ignore[no-untyped-def]
    helper = signed_in(app, "刘帮扶")
    token = token_of(helper.get("/minors").text)
    assert helper.post(path, data={"csrf_token": token}).status_code == 404
