"""未成年人 › 附条件不起诉 through the application (no browser): a review registered by the form
for a minor on the register, completed, decided, served, reports recorded; the lists and their
tabs; the page's check, schedule and timeline; the 考察意见书 issued and downloaded as .docx and
read back; a revocation from its form; the minor's page linking here; a helping unit answered
404 everywhere here, another department 403; the ID number never on a page or in an address."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import docx
from fastapi.testclient import TestClient

from juvenile.people import id_card, send
from shujian.beijing import today_in_china
from shujian.calendar import add_months
from shujian.juvenile import service as register_service
from shujian.juvenile.probation import rules
from shujian.models.labels import mask_id_card
from shujian.workspace import Workspace
from web.browsing import PASSWORD

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


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


def post(client: TestClient, path: str, data: dict[str, object]):  # type: ignore[no-untyped-def]
    form = {**data, "csrf_token": token(client.get("/minors/probation").text)}
    return client.post(path, data=form, follow_redirects=False)


def on_register(ws: Workspace, tmp_path: Path, born: dt.date) -> str:
    number = id_card(born)
    send(ws, "key_minors", [{"姓名": "郭小明", "公民身份号码": number, "类别": "严重不良行为",
                             "认定日期": "2025-01-10", "所属乡镇（街道）": "城关镇"}],
         tmp_path / "files")  # fmt: skip
    register_service.forget()
    return number


def test_a_probation_through_its_pages(web_ws: Workspace, app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    today = today_in_china()
    decided = add_months(today, -7)
    number = on_register(web_ws, tmp_path, decided - dt.timedelta(days=16 * 365))
    client = signed_in(app, "张检察官")

    assert "登记审查" in client.get("/minors/probation").text
    made = post(client, "/minors/probation/new", {
        "id_card": number, "name": "", "opened_on": (decided - dt.timedelta(days=10)).isoformat(),
        "act_on": (decided - dt.timedelta(days=40)).isoformat(), "charge": "264",
        "sentence": "8", "prosecutable": "yes", "remorse": "yes",
        "heard": ["heard", "none", "heard", "heard", ""], "objection": "none",
    })  # fmt: skip
    assert made.status_code == 303
    path = made.headers["location"].split("?")[0]
    assert path == "/minors/probation/1" and number not in made.headers["location"]
    page = client.get(made.headers["location"]).text
    assert "已登记审查。" in page and "郭小明" in page  # the register's name
    assert mask_id_card(number) in page and number not in page
    assert 'id="cond-heard_defender"' in page and "尚不能判断" in page

    refused = post(client, f"{path}/decide", {"decided_on": decided.isoformat(), "months": "6",
                                              "agency": "县检察院未检部"})  # fmt: skip
    assert refused.status_code == 400 and "听取辩护人的意见" in refused.text
    assert post(client, f"{path}/facts", {"heard": ["", "", "", "", "heard"]}).status_code == 303
    assert "符合附条件不起诉的条件" in client.get(path).text
    decided_answer = post(client, f"{path}/decide", {
        "decided_on": decided.isoformat(), "months": "6", "agency": "县检察院未检部",
        "mentor": "李老师", "measure": ["education", "service"],
    })  # fmt: skip
    assert decided_answer.status_code == 303
    ends = rules.period_end(decided, 6)
    page = client.get(path).text
    assert f"6 个月，至 {ends.isoformat()}" in page and "接受相关教育" in page
    assert "逾期未送达" in page or rules.service_deadline(decided, web_ws.calendar) >= today
    late_service = rules.service_deadline(decided, web_ws.calendar) + dt.timedelta(days=1)
    assert post(client, f"{path}/serve", {"on": late_service.isoformat()}).status_code == 303
    assert "逾期送达" in client.get(path).text

    windows = rules.report_windows(decided, ends, 30, web_ws.calendar)
    for w in windows[:2]:
        answer = post(client, f"{path}/report", {"on": w.due.isoformat(), "text": f"第{w.no}期"})
        assert answer.status_code == 303
    page = client.get(path).text
    assert page.count("已报告") >= 2 and "逾期未报告" in page
    lists = client.get("/minors/probation?view=late").text
    assert "郭小明" in lists and "逾期未报告" in lists
    assert "郭小明" in client.get("/minors/probation?view=ending").text  # past its end
    future = post(client, f"{path}/report", {"on": (today + dt.timedelta(days=1)).isoformat(),
                                             "text": "x"})  # fmt: skip
    assert future.status_code == 400 and "晚于今天" in future.text

    issued = post(client, f"{path}/opinion", {"performance": "遵守规定，报告不按期。",
                                              "victim": "被害人同意不起诉。",
                                              "conclusion": "not_prosecute"})  # fmt: skip
    assert issued.status_code == 303
    page = client.get(path).text
    assert "考察意见书 青检未考〔" in page and "opinion.docx" in page
    download = client.get(f"{path}/opinion.docx")
    assert download.status_code == 200 and download.headers["content-type"] == DOCX
    body = "\n".join(p.text for p in docx.Document(io.BytesIO(download.content)).paragraphs)
    assert "青岚县人民检察院" in body and "附条件不起诉考察意见书" in body
    assert mask_id_card(number) in body and number not in body
    assert post(client, f"{path}/end", {}).status_code == 303
    ended_page = client.get(path).text
    assert "考验期满，已作出不起诉决定" in ended_page
    assert "郭小明" in client.get("/minors/probation?view=ended").text

    # the minor's page links to their probations, by reference
    ref = register_service.Register(web_ws).ref(number)
    minor = client.get(f"/minors/{ref}").text
    assert f"/minors/probation?minor={ref}" in minor
    assert "郭小明" in client.get(f"/minors/probation?minor={ref}").text


def test_a_revocation_from_its_form_and_who_may_see(web_ws: Workspace, app) -> None:  # type: ignore[no-untyped-def]
    today = today_in_china()
    client = signed_in(app, "张检察官")
    suspect = id_card(today - dt.timedelta(days=16 * 365))
    made = post(client, "/minors/probation/new", {
        "id_card": suspect, "name": "安小红", "act_on": (today - dt.timedelta(days=30)).isoformat(),
        "charge": "聚众斗殴罪", "sentence": "拘役", "prosecutable": "yes", "remorse": "yes",
        "heard": ["heard", "heard", "heard", "heard", "none"], "objection": "terms",
    })  # fmt: skip
    path = made.headers["location"].split("?")[0]
    assert (
        post(client, f"{path}/decide", {"months": "8", "agency": "县检察院未检部"}).status_code
        == 303
    )
    assert post(client, f"{path}/serve", {}).status_code == 303
    missing = post(client, f"{path}/revoke", {"ground": "", "text": "x"})
    assert missing.status_code == 400 and "撤销的理由应为下列之一" in missing.text
    revoked = post(client, f"{path}/revoke", {"ground": "new_crime", "text": "又实施盗窃"})
    assert revoked.status_code == 303
    page = client.get(path).text
    assert "已撤销附条件不起诉，提起公诉" in page and "实施新的犯罪" in page
    assert 'id="report-form"' not in page  # no step is left

    bad = post(client, "/minors/probation/new", {"id_card": "110101200901010000", "name": "某"})
    assert (
        bad.status_code == 400 and "校验码不对" in bad.text and "110101200901010000" not in bad.text
    )

    helper = signed_in(app, "刘帮扶")
    for address in ("/minors/probation", path, f"{path}/opinion.docx", "/minors/probation/new"):
        assert helper.get(address).status_code == 404
    assert 'id="tab-probation"' not in helper.get("/minors").text
    other = signed_in(app, "公益检察官")
    assert other.get("/minors/probation").status_code == 403
    assert other.get(path).status_code == 403
