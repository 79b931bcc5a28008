"""未成年人 › 督促监护令 through the application (no browser): the minor's page links to it, the
issue form (the 文号 entered from the 统一业务应用系统, as the workspace numbers), the order's page
with its visits and the .docx download read back, a follow-up (late), a 训诫 and a guidance
session recorded through the forms, the list with overdue visits, the guidance list; a refusal
shown on the form; a helping unit's account 404 on every address, another department 403."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import docx
import pytest
from fastapi.testclient import TestClient

from juvenile.supervision_county import Minor, build
from shujian import audit
from shujian.juvenile.service import Register
from shujian.web.app import create_app
from shujian.workspace import Workspace, open_workspace
from web.browsing import PASSWORD

D = dt.date


@pytest.fixture
def county(web_ws: Workspace, tmp_path: Path) -> tuple[Workspace, dict[str, Minor]]:
    return web_ws, build(web_ws, tmp_path / "files")


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
    form = {**data, "csrf_token": token(client.get("/minors/orders").text)}
    return client.post(path, data=form, follow_redirects=False)


ORDER = {
    "guardian": "安大山",
    "relation": "父亲",
    "facts": "长期在外务工，对孩子疏于管教。\n未及时发现其多次夜不归宿。",
    "items": "每周与孩子沟通不少于两次。\n不得让孩子脱离监护单独居住。",
    "basis": ["family_education_49", "prevention_61"],
    "guidance": "三个月内参加家庭教育指导不少于四次。",
    "on_date": "2025-12-31",
}


def test_an_order_issued_followed_up_and_downloaded(county) -> None:  # type: ignore[no-untyped-def]
    ws, m = county
    app = create_app(ws)
    client = signed_in(app, "张检察官")
    ref = Register(ws).ref(m["A2"].number)

    minor_page = client.get(f"/minors/{ref}").text
    assert f'href="/minors/orders/new?minor={ref}"' in minor_page
    form = client.get(f"/minors/orders/new?minor={ref}")
    assert form.status_code == 200 and "安二" in form.text and 'name="number"' in form.text
    assert m["A2"].number not in form.text

    # entered numbering (the default): a number from the unified system is required
    refused = post(client, "/minors/orders/new", {"minor": ref, **ORDER})
    assert refused.status_code == 400 and "须填写文号" in refused.text
    assert "长期在外务工" in refused.text  # what was typed is kept
    named = post(client, "/minors/orders/new",
                 {"minor": ref, **ORDER, "number": "青检未督监〔2025〕9号", "facts": "与白二结伙。"})  # fmt: skip
    assert named.status_code == 400 and "另一名未成年人的姓名“白二”" in named.text
    done = post(
        client, "/minors/orders/new", {"minor": ref, **ORDER, "number": "青检未督监〔2025〕9号"}
    )
    assert done.status_code == 303
    location = done.headers["location"]
    order_id = int(location.split("/")[-1].split("?")[0])
    page = client.get(location).text
    assert "已制发督促监护令" in page and "青检未督监〔2025〕9号" in page
    assert "2026-02-02" in page and "（顺延）" in page and "逾期未回访" in page
    assert m["A2"].number not in page

    got = client.get(f"/minors/orders/{order_id}/document")
    assert got.status_code == 200
    document = docx.Document(io.BytesIO(got.content))
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    assert texts[1:4] == ["督促监护令", "青检未督监〔2025〕9号", "安大山："]
    assert texts[5:7] == ["长期在外务工，对孩子疏于管教。", "未及时发现其多次夜不归宿。"]
    archived = (ws.root / "documents" / "2025" / "青检未督监〔2025〕9号.docx").read_bytes()
    assert got.content == archived

    late = post(client, f"/minors/orders/{order_id}/follow-up",
                {"visit": "1", "on_date": "2026-02-09", "outcome": "not_improved", "note": ""})  # fmt: skip
    assert late.status_code == 400 and "请填写回访情况" in late.text
    late = post(client, f"/minors/orders/{order_id}/follow-up",
                {"visit": "1", "on_date": "2026-02-09", "outcome": "not_improved",
                 "note": "仍夜不归宿", "by": "张检察官"})  # fmt: skip
    assert late.status_code == 303
    page = client.get(f"/minors/orders/{order_id}").text
    assert "逾期回访 7 日" in page and "未改善待处理" in page and 'id="order-attention"' in page
    assert post(client, f"/minors/orders/{order_id}/reprimand",
                {"guardian": "安大山", "relation": "父亲", "on_date": "2026-02-10",
                 "ground": "prevention_61", "text": "责令依法履行监护职责"}).status_code == 303  # fmt: skip
    assert post(client, f"/minors/orders/{order_id}/guidance",
                {"guardians": "安大山、李小红", "on_date": "2026-02-12", "form": "线下",
                 "content": "亲子沟通方法"}).status_code == 303  # fmt: skip
    page = client.get(f"/minors/orders/{order_id}").text
    assert "未改善待处理" not in page and 'id="order-attention"' not in page
    assert "训诫父亲安大山" in page and "安大山、李小红" in page

    listing = client.get("/minors/orders").text
    assert 'id="late-visits"' in listing and "第2次（第3个月）" in listing
    assert m["A2"].number not in listing
    mine = client.get(f"/minors/orders?minor={ref}").text
    assert "责令依法履行监护职责" in mine and "亲子沟通方法" in mine
    guidance = client.get("/minors/guidance").text
    assert "安大山、李小红" in guidance and "青检未督监〔2025〕9号" in guidance
    recorded = post(client, "/minors/guidance",
                    {"minor": ref, "guardians": "李小红", "on_date": "2026-03-01", "form": "线上",
                     "content": "网络课堂"})  # fmt: skip
    assert recorded.status_code == 303
    assert "网络课堂" in client.get("/minors/guidance").text
    actions = {e["action"] for e in audit.query(ws.store)}
    assert {"issue_guardianship_order", "follow_up_guardianship_order", "reprimand_guardian",
            "record_guidance_session"} <= actions  # fmt: skip


def test_counter_numbering_shows_no_number_field(county) -> None:  # type: ignore[no-untyped-def]
    ws, m = county
    path = ws.root / "shujian.toml"
    path.write_text(
        path.read_text(encoding="utf-8") + '\n[juvenile]\norder_numbering = "counter"\n',
        encoding="utf-8",
    )
    ws = open_workspace(ws.root)
    client = signed_in(create_app(ws), "张检察官")
    ref = Register(ws).ref(m["A1"].number)
    assert 'name="number"' not in client.get(f"/minors/orders/new?minor={ref}").text
    done = post(client, "/minors/orders/new", {"minor": ref, **ORDER, "on_date": "2026-11-02"})
    assert done.status_code == 303
    assert "青检未督监〔2026〕1号" in client.get(done.headers["location"]).text


PAGES = (
    "/minors/orders",
    "/minors/orders/new?minor=0000000000000000",
    "/minors/orders/1",
    "/minors/orders/1/document",
    "/minors/guidance",
)


def test_a_helper_is_answered_404_and_another_department_403(county) -> None:  # type: ignore[no-untyped-def]
    ws, m = county
    app = create_app(ws)
    issuer = signed_in(app, "张检察官")
    ref = Register(ws).ref(m["A1"].number)
    assert post(issuer, "/minors/orders/new",
                {"minor": ref, **ORDER, "number": "青检未督监〔2025〕1号"}).status_code == 303  # fmt: skip
    helper = signed_in(app, "刘帮扶")
    for path in PAGES:
        assert helper.get(path).status_code == 404, path
    assert "/minors/orders" not in helper.get("/minors").text
    other = signed_in(app, "公益检察官")
    assert other.get("/minors/orders").status_code == 403
    assert other.get("/minors/orders/1").status_code == 403
    assistant = signed_in(app, "李助理")
    assert assistant.get("/minors/orders").status_code == 403
