"""未成年人 › 督办 through the application (no browser): the monthly prompts page and its
downloads (one unit's .xlsx, all in a .zip, read back), a warning taken up and followed to its
close, the quarter's page and .xlsx, a month's sample drawn and a check recorded; a helping
unit's account answered 404 on every one of these addresses, another department 403."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from juvenile.supervision_county import Minor, build
from shujian import audit
from shujian.beijing import today_in_china
from shujian.juvenile.supervision.rules import deadline_after
from shujian.leads.store import leads
from shujian.models.runner import run_models
from shujian.models.spec import load_library
from shujian.workspace import Workspace
from web.browsing import PASSWORD

D = dt.date
PROMPT_DAY = D(2026, 11, 2)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def county(web_ws: Workspace, tmp_path: Path) -> tuple[Workspace, dict[str, Minor], dict[str, int]]:
    """The county imported into the web workspace, and juvenile.visit_missing's warnings
    (subject → lead id) as of the first working day of November 2026."""
    minors = build(web_ws, tmp_path / "files")
    run_models(web_ws, load_library(), ["juvenile.visit_missing"], PROMPT_DAY)
    with web_ws.store.connect() as conn:
        found = dict(conn.execute(select(leads.c.subject, leads.c.id)).all())
    return web_ws, minors, found


def signed_in(app, name: str) -> TestClient:  # type: ignore[no-untyped-def]
    client = TestClient(app, base_url="http://127.0.0.1")
    answer = client.post(
        "/login",
        data={"name": name, "password": PASSWORD, "csrf_token": token(client.get("/login").text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    return client


def token(html: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert found
    return found.group(1)


def post(client: TestClient, path: str, data: dict[str, object], page: str = "/minors/supervision"):  # type: ignore[no-untyped-def]
    form = {**data, "csrf_token": token(client.get(page).text)}
    return client.post(path, data=form, follow_redirects=False)


def rows_of(content: bytes) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [tuple(r) for r in book.worksheets[0].iter_rows(values_only=True)]


PAGES = (
    "/minors/supervision",
    "/minors/supervision/new?lead=1",
    "/minors/supervision/items/1",
    "/minors/supervision/prompts?month=2026-10",
    "/minors/supervision/prompts/2026-10.zip",
    "/minors/supervision/prompts/2026-10/unit.xlsx?unit=县妇联",
    "/minors/supervision/quarter?quarter=2026Q4",
    "/minors/supervision/quarter.xlsx?quarter=2026Q4",
    "/minors/supervision/spot-checks?month=2026-11",
    "/minors/supervision/spot-checks.xlsx?month=2026-11",
)


def test_the_prompts_page_and_each_units_file(county, app) -> None:  # type: ignore[no-untyped-def]
    ws, m, _ = county
    client = signed_in(app, "张检察官")
    page = client.get("/minors/supervision/prompts?month=2026-10")
    assert page.status_code == 200
    html = page.text
    assert 'id="prompt-day">2026-11-02<' in html and 'id="prompt-units">4<' in html
    assert "安二（缺学校）" in html and "全部落实、无需提示：县教育局" in html
    assert "另有 1 人该月最后一日没有包保单位" in html and "安六" in html
    assert not any(minor.number in html for minor in m.values())
    links = re.findall(r'href="(/minors/supervision/prompts/2026-10/unit\.xlsx\?unit=[^"]+)"', html)
    assert len(links) == 4
    fulian = next(link for link in links if unquote(link).endswith("unit=县妇联"))
    answer = client.get(fulian)
    assert answer.status_code == 200 and answer.headers["content-type"] == XLSX
    assert unquote(answer.headers["content-disposition"]).endswith("县妇联.xlsx")
    rows = rows_of(answer.content)
    assert rows[1][0] == "包保单位：县妇联"
    assert [r[1] for r in rows if r and r[0] == 1] == ["安二"]
    everything = client.get("/minors/supervision/prompts/2026-10.zip")
    assert everything.status_code == 200
    assert unquote(everything.headers["content-disposition"]).endswith("一月一提示-2026-10.zip")
    with zipfile.ZipFile(io.BytesIO(everything.content)) as archive:
        assert sorted(archive.namelist()) == sorted(
            ["县妇联.xlsx", "县团委.xlsx", "城关镇_东街社区居委会.xlsx", "龙场乡政府.xlsx"]
        )
    exports = [e for e in audit.query(ws.store) if e["action"] == "export"]
    assert [e["actor"] for e in exports] == ["张检察官", "张检察官"]
    not_over = client.get(f"/minors/supervision/prompts?month={today_in_china():%Y-%m}")
    assert not_over.status_code == 400 and "尚未结束" in not_over.text


def test_a_helping_unit_never_reaches_supervision_and_another_department_is_refused(
    county,  # type: ignore[no-untyped-def]
    app,
) -> None:
    helper = signed_in(app, "刘帮扶")
    for path in PAGES:
        assert helper.get(path).status_code == 404, path
    assert "督办" not in helper.get("/minors").text
    answer = post(helper, "/minors/supervision/spot-checks/draw", {"month": "2026-11"}, "/minors")
    assert answer.status_code == 404
    for name in ("公益检察官", "李助理"):
        other = signed_in(app, name)
        for path in PAGES[:1] + PAGES[3:4] + PAGES[6:7]:
            answer = other.get(path)
            assert answer.status_code == 403, (name, path)
            assert "未成年人检察部" in answer.text or "无权" in answer.text


def test_a_warning_taken_up_on_the_web_and_followed_to_its_close(county, app) -> None:  # type: ignore[no-untyped-def]
    ws, m, found = county
    lead = found[f"{m['A2'].number}/2026-10"]
    client = signed_in(app, "张检察官")
    today = today_in_china()
    form = client.get(f"/minors/supervision/new?lead={lead}")
    assert form.status_code == 200
    assert 'id="n-unit" name="unit" value="县妇联"' in form.text
    due = deadline_after(today, 10, ws.calendar)
    assert f"即 {due.isoformat()}" in form.text

    wrong = post(client, "/minors/supervision/new", {"lead": lead, "unit": "县妇联", "mode": "days",
                                                      "working_days": "300", "note": "写错了"})  # fmt: skip
    assert wrong.status_code == 400 and "督办期限应为1至250个工作日" in wrong.text
    assert "写错了" in wrong.text  # what was typed is kept
    opened = post(client, "/minors/supervision/new", {"lead": lead, "unit": "县妇联", "mode": "days",
                                                       "working_days": "10", "note": "请补访学校"})  # fmt: skip
    assert opened.status_code == 303
    item = opened.headers["location"].split("?")[0]
    page = client.get(opened.headers["location"]).text
    assert "已列为督办事项。" in page and f"{due.isoformat()}（10个工作日）" in page
    assert m["A2"].number not in page

    refused = post(client, f"{item}/deadline", {"deadline": "", "reason": "x"}, item)
    assert refused.status_code == 400 and "请填写新的期限" in refused.text
    assert (
        post(client, f"{item}/follow-up", {"text": "电话督促", "by": "张检察官"}, item).status_code
        == 303
    )
    assert post(client, f"{item}/close", {"result": "已补访学校"}, item).status_code == 303
    closed = client.get(item).text
    assert 'id="item-status">已办结' in closed and "已补访学校" in closed
    assert "follow-up-form" not in closed  # nothing more to do on a closed item
    listed = client.get("/minors/supervision?state=closed").text
    assert f'href="{item}" class="item-link"' in listed and "安二" in listed

    again = client.get(f"/minors/supervision/new?lead={lead}")
    assert "这条预警已列为" in again.text
    missing = client.get("/minors/supervision/new?lead=99999")
    assert missing.status_code == 404 and "找不到线索 99999" in missing.text
    bad = client.get("/minors/supervision/new?lead=abc")
    assert bad.status_code == 400 and "应为数字" in bad.text
    minor_page = client.get(f"/minors/{re.search(r'/minors/([0-9a-f]{16})', closed).group(1)}")  # type: ignore[union-attr]
    assert "列为督办" in minor_page.text  # the minor's other warnings may be taken up from there
    actions = [e["action"] for e in audit.query(ws.store, object_type="supervision_item")]
    assert {"open_supervision_item", "follow_up_supervision_item", "close_supervision_item"} <= set(
        actions
    )


def test_the_quarter_page_and_its_xlsx(county, app) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(app, "张检察官")
    page = client.get("/minors/supervision/quarter?quarter=2026Q4")
    assert page.status_code == 200
    assert "一季一督导：2026年第四季度" in page.text and 'id="quarter-towns"' in page.text
    assert "<td>城关镇</td>" in page.text and "<td>县团委</td>" in page.text
    answer = client.get("/minors/supervision/quarter.xlsx?quarter=2026Q4")
    assert answer.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["按乡镇（街道）", "按包保单位"]
    bad = client.get("/minors/supervision/quarter?quarter=2026Q9")
    assert bad.status_code == 400 and "2026Q4" in bad.text


def test_a_months_sample_drawn_and_a_check_recorded(county, app) -> None:  # type: ignore[no-untyped-def]
    ws, m, _ = county
    client = signed_in(app, "张检察官")
    page = "/minors/supervision/spot-checks?month=2026-11"
    assert "尚未抽取" in client.get(page).text
    drawn = post(client, "/minors/supervision/spot-checks/draw", {"month": "2026-11"}, page)
    assert drawn.status_code == 303
    html = client.get(drawn.headers["location"]).text
    assert "已抽取本月的暗访样本" in html and 'id="sample-size">2<' in html
    assert "样本与抽取时一致" in html
    assert not any(minor.number in html for minor in m.values())
    check = re.findall(r'id="check-(\d+)"', html)[0]
    refused = post(client, f"/minors/supervision/spot-checks/{check}/result",
                   {"month": "2026-11", "result": "not_visited", "note": ""}, page)  # fmt: skip
    assert refused.status_code == 400 and "请写明核查情况" in refused.text
    recorded = post(client, f"/minors/supervision/spot-checks/{check}/result",
                    {"month": "2026-11", "result": "as_reported", "checked_on": "2026-12-01"}, page)  # fmt: skip
    assert recorded.status_code == 303
    html = client.get(page).text
    assert "走访属实" in html and 'id="sample-checked">1<' in html
    again = post(client, "/minors/supervision/spot-checks/draw", {"month": "2026-11"}, page)
    assert again.status_code == 400 and "不能重新抽取" in again.text
    answer = client.get("/minors/supervision/spot-checks.xlsx?month=2026-11")
    assert answer.status_code == 200
    rows = rows_of(answer.content)
    assert rows[0][0] == "一月一暗访：2026年11月抽查名单及核查结果"
    assert "走访属实" in [r[7] for r in rows if r and isinstance(r[0], int)]
    chief_view = [e for e in audit.query(ws.store, object_type="spot_check")]
    assert {"draw_spot_checks", "record_spot_check", "list", "export"} <= {
        e["action"] for e in chief_view
    }
