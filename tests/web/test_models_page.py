"""模型: the library, a model's page (rule, legal basis with its verification, parameters in force
with their source), running a model as of a date, and who may run one."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from helpers import load_fixture_data
from shujian.leads.service import list_leads
from shujian.web.app import create_app
from shujian.workspace import Workspace
from web.test_security import sign_in, token


def _client(ws: Workspace, name: str = "张检察官") -> TestClient:
    client = TestClient(create_app(ws), base_url="http://127.0.0.1")
    assert sign_in(client, name).status_code == 303
    return client


def test_a_model_page_says_the_rule_the_law_and_the_parameters(web_ws: Workspace) -> None:
    client = _client(web_ws)
    library = client.get("/models").text
    assert '<a href="/models/campus.internet_cafe">校园周边网吧</a>' in library
    page = client.get("/models/campus.internet_cafe").text
    assert "中学、小学校园周围200米范围内" in page
    assert "《互联网上网服务营业场所管理条例》第九条</strong>［已核实］" in page
    assert re.search(r"<td>最小距离（米）</td><td>200</td><td>[^<]*第九条", page)
    assert client.get("/models/no.such").status_code == 404


def test_a_prosecutor_runs_a_model_and_its_leads_are_found(
    web_ws: Workspace, tmp_path: Path
) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    load_fixture_data(web_ws, folder)
    client = _client(web_ws)
    page = client.get("/models/campus.internet_cafe").text
    ran = client.post(
        "/models/run",
        data={"csrf_token": token(page), "as_of": "2026-06-01", "model": "campus.internet_cafe"},
    )
    assert ran.status_code == 200 and "基准日 2026-06-01" in ran.text
    found = list_leads(web_ws.store, "campus.internet_cafe")
    assert found and re.search(rf'<td class="num">{len(found)}</td>', ran.text)
    history = client.get("/models/campus.internet_cafe").text
    assert 'id="run-history"' in history and "2026-06-01" in history


def test_an_assistant_may_not_run_and_a_future_date_is_refused(web_ws: Workspace) -> None:
    assistant = _client(web_ws, "李助理")
    page = assistant.get("/models").text
    assert 'id="run-all"' not in page
    refused = assistant.post("/models/run", data={"csrf_token": token(page), "as_of": "2026-06-01"})
    assert refused.status_code == 403 and "无权" in refused.text
    prosecutor = _client(web_ws)
    page = prosecutor.get("/models").text
    future = prosecutor.post("/models/run", data={"csrf_token": token(page), "as_of": "2999-01-01"})
    assert future.status_code == 400 and "晚于今天" in future.text
