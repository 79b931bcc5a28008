"""系统管理: the administrator opens an account (password policy enforced), sets a password,
disables an account; reads and verifies the audit log. A prosecutor may do none of it; the
院领导 reads the log but manages no account."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient
from markupsafe import escape

from shujian import audit
from shujian.users.passwords import authenticate
from shujian.web.app import create_app
from shujian.workspace import Workspace
from web.test_security import sign_in, token


def _admin(ws: Workspace) -> TestClient:
    client = TestClient(create_app(ws), base_url="http://127.0.0.1")
    assert sign_in(client, "管理员").status_code == 303
    return client


def _post(client: TestClient, path: str, **form: object) -> str:
    page = client.get("/admin").text
    response = client.post(path, data={"csrf_token": token(page), **form})
    return response.text


def test_the_administrator_opens_an_account_that_then_signs_in(web_ws: Workspace) -> None:
    client = _admin(web_ws)
    weak = _post(client, "/admin/users", name="王检察官", department="未成年人检察部",
                 role="prosecutor", password="short")  # fmt: skip
    assert "密码" in re.search(r'id="refusal">(.*?)<', weak).group(1)  # type: ignore[union-attr]
    assert "<td>王检察官</td>" not in weak  # no account left behind without a password
    done = _post(client, "/admin/users", name="王检察官", department="未成年人检察部",
                 role="prosecutor", password="Qinglan#2027x")  # fmt: skip
    assert "已开通账号“王检察官”" in done and "<td>王检察官</td>" in done
    other = TestClient(create_app(web_ws), base_url="http://127.0.0.1")
    assert sign_in(other, "王检察官", "Qinglan#2027x").status_code == 303
    disabled = _post(client, "/admin/users/王检察官/disable")
    assert "已停用账号“王检察官”" in disabled
    assert [e["action"] for e in audit.query(web_ws.store, object_id="王检察官")][:1] == [
        "add_user"
    ]


def test_the_administrator_opens_a_helping_units_account(web_ws: Workspace) -> None:
    client = _admin(web_ws)
    without = _post(client, "/admin/users", name="周帮扶", role="helper", password="Qinglan#2027x")
    assert "必须写明包保单位" in re.search(r'id="refusal">(.*?)<', without).group(1)  # type: ignore[union-attr]
    done = _post(client, "/admin/users", name="周帮扶", role="helper", unit="青岚县关工委",
                 password="Qinglan#2027x")  # fmt: skip
    assert "已开通账号“周帮扶”" in done and "<td>包保单位：青岚县关工委</td>" in done
    other = TestClient(create_app(web_ws), base_url="http://127.0.0.1")
    assert sign_in(other, "周帮扶", "Qinglan#2027x").status_code == 303
    assert other.get("/", follow_redirects=False).headers["location"] == "/minors"


def test_a_new_password_replaces_the_old_one(web_ws: Workspace) -> None:
    client = _admin(web_ws)
    done = _post(client, "/admin/users/张检察官/password", password="Another#2027y")
    assert "已为“张检察官”设置新密码" in done
    signed = authenticate(
        web_ws.store, "张检察官", "Another#2027y", web_ws.region.procuratorate_name
    )
    assert signed.user.name == "张检察官"


def test_the_audit_log_lists_and_verifies(web_ws: Workspace) -> None:
    client = _admin(web_ws)
    page = client.get("/admin/audit", params={"action": "add_user"}).text
    table = page[page.index('id="audit-entries"') :]
    assert "<td>开通账号</td>" in table and "<td>账号 " in table  # in Chinese, not add_user / user
    assert "add_user" not in table and "时间（北京时间）" in table
    assert '<option value="add_user" selected>开通账号</option>' in page  # the filter kept
    verified = client.post("/admin/audit/verify", data={"csrf_token": token(page)}).text
    assert "审计日志完整" in verified


def test_a_prosecutor_manages_nothing_and_reads_no_log(web_ws: Workspace) -> None:
    client = TestClient(create_app(web_ws), base_url="http://127.0.0.1")
    assert sign_in(client).status_code == 303
    assert client.get("/admin").status_code == 403
    assert client.get("/admin/audit").status_code == 403
    page = client.get("/").text
    refused = client.post(
        "/admin/users",
        data={"csrf_token": token(page), "name": "x", "role": "admin", "password": "Qinglan#2027x"},
    )
    assert refused.status_code == 403 and "x" not in [
        u for u in re.findall(r"<td>(.*?)</td>", refused.text)
    ]


def test_a_long_entry_is_shown_cut_with_its_length_and_where_to_read_it(
    web_ws: Workspace,
) -> None:
    """An entry written before sealing named its records as runs held every sealed record's id
    (1.4 MB for a million-row export): the page shows its start, its length and the command that
    prints it whole, not all of it."""
    ids = list(range(1, 200_001))
    with web_ws.store.begin() as conn:
        audit.record(conn, "system", "seal_records", "batch", 7, {"sealed_records": ids})
    client = _admin(web_ws)
    page = client.get("/admin/audit", params={"action": "seal_records"}).text
    whole = json.dumps({"sealed_records": ids}, ensure_ascii=False)
    assert len(page) < 40_000
    assert str(escape(whole[:2000])) in page and str(escape(whole[:2001])) not in page
    assert (
        f"共 {len(whole):,} 字，页面只显示前 2,000 字；完整内容：shujian audit log --json" in page
    )
    assert f"[{ids[0]}, {ids[1]}" in page
