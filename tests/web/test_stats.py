"""统计 in the browser's terms: the table of the user's scope, the chart's figures, the .xlsx
download, and refusals in Chinese (a bad date; the 系统管理员, who sees no case data)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from shujian import audit
from shujian.web.app import create_app
from shujian.workspace import Workspace
from web.test_home import _with_a_case
from web.test_security import sign_in


def _client(ws: Workspace, name: str = "张检察官") -> TestClient:
    client = TestClient(create_app(ws), base_url="http://127.0.0.1")
    assert sign_in(client, name).status_code == 303
    return client


def test_the_table_and_the_download_agree_and_are_audited(
    web_ws: Workspace, tmp_path: Path
) -> None:
    _with_a_case(web_ws, tmp_path)
    client = _client(web_ws)
    page = client.get("/stats", params={"by": "model"}).text
    row = re.search(r"<tr><td>校园周边网吧</td>(.*?)</tr>", page, re.S)
    assert row is not None
    cells = re.findall(r'<td class="num">([^<]*)</td>', row.group(1))
    leads, _triaged, accepted = int(cells[0]), cells[1], int(cells[2])
    assert leads >= 1 and accepted == 1
    download = client.get("/stats.xlsx", params={"by": "model"})
    assert download.status_code == 200
    assert "filename*=utf-8''" in download.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(download.content)).active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert any("校园周边网吧" in str(r[0]) or "campus.internet_cafe" in str(r[0]) for r in values)
    actions = [e["action"] for e in audit.query(web_ws.store, object_type="stats")]
    assert actions[-2:] == ["view", "export"]


def test_a_bad_date_and_the_administrator_are_refused_in_chinese(
    web_ws: Workspace, tmp_path: Path
) -> None:
    client = _client(web_ws)
    bad = client.get("/stats", params={"since": "2026/13/01"})
    assert bad.status_code == 400 and "不是日期" in bad.text
    admin = _client(web_ws, "管理员").get("/stats")
    assert admin.status_code == 403 and "系统管理员" in admin.text
