"""模型: the library, a model's page (rule, legal basis with its verification, parameters in force
with their source), running a model as of a date in the background — its progress, its summary,
its failures in Chinese, one run at a time — and who may run one."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from helpers import CAFE, load_fixture_data
from shujian import audit
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


def _run(client: TestClient, page: str, as_of: str, *models: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/models/run",
        data={"csrf_token": token(page), "as_of": as_of, "model": list(models)},
        follow_redirects=False,
    )


def _panel(client: TestClient, location: str) -> str:
    return client.get(f"{location}/progress").text


def _until(client: TestClient, location: str, done: Callable[[str], bool]) -> str:
    """The run's panel once `done` says so (asked as the page asks, up to 60 s)."""
    deadline = time.monotonic() + 60
    while True:
        panel = _panel(client, location)
        if done(panel) or time.monotonic() > deadline:
            return panel
        time.sleep(0.05)


def _finished(panel: str) -> bool:
    return "hx-trigger" not in panel


def test_a_prosecutor_runs_a_model_and_its_leads_are_counted(
    web_ws: Workspace, tmp_path: Path
) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    load_fixture_data(web_ws, folder)
    client = _client(web_ws)
    started = _run(client, client.get(f"/models/{CAFE}").text, "2026-06-01", CAFE)
    assert started.status_code == 303
    location = started.headers["location"]
    assert re.fullmatch(r"/models/runs/\d+", location)
    panel = _until(client, location, _finished)
    found = list_leads(web_ws.store, CAFE)
    assert found
    assert f'运行完成：发现线索 <strong id="run-found">{len(found)}</strong> 条' in panel
    assert "基准日 2026-06-01，1 个模型，张检察官" in panel
    assert panel == _panel(client, location)  # finished: the same, without asking again
    again = client.get(location)  # the page survives a reload
    assert again.status_code == 200 and 'id="run-done"' in again.text
    (entry,) = audit.query(web_ws.store, action="run_models")  # audited by the run service
    assert entry["actor"] == "张检察官"
    history = client.get("/models").text
    assert 'id="run-history"' in history and "2026-06-01" in history
    assert 'id="model-run"' not in history  # no run in progress


def test_a_run_refused_by_its_calendar_says_why_in_chinese(web_ws: Workspace) -> None:
    client = _client(web_ws)
    started = _run(client, client.get("/models").text, "1990-01-01", "wage.deposit_missing")
    panel = _until(client, started.headers["location"], _finished)
    assert 'id="run-error"' in panel and "1990" in panel
    assert "本次运行没有写入任何线索" in panel and "Traceback" not in panel
    assert audit.query(web_ws.store, action="run_models") == []


BROKEN = """
id: local.broken_cast
name: 学校名称转为数字（测试用）
category: [未检]
department: 未成年人检察部
supervision_point: 测试：查询在运行时出错
description: 把学校名称当作数字读取，运行时必然出错。
legal_basis: [{law: 中华人民共和国未成年人保护法, article: 第三十五条, tag: V, text: 测试}]
datasets: [schools]
subject: {column: school_uscc, dataset: schools, label: 学校统一社会信用代码}
title: "{school_name}"
evidence: [school_name, school_uscc, name_as_number]
labels: {name_as_number: 名称数值}
trace: {schools: school_batch}
query: |
  SELECT name AS school_name, uscc AS school_uscc, CAST(name AS INTEGER) AS name_as_number,
         _batch AS school_batch
  FROM schools
"""


def test_a_model_that_fails_inside_fails_alone_with_a_chinese_message_not_a_traceback(
    web_ws: Workspace, tmp_path: Path
) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    load_fixture_data(web_ws, folder)
    (web_ws.models_dir / "local.broken_cast.yaml").write_text(BROKEN, encoding="utf-8")
    client = _client(web_ws)
    page = client.get("/models").text
    started = _run(client, page, "2026-06-01", "local.broken_cast", CAFE)
    panel = _until(client, started.headers["location"], _finished)
    assert 'id="run-failed"' in panel and "1 个模型运行出错" in panel
    assert "运行出错（数据类型转换出错），本次未生成线索，原有线索保持不变" in panel
    assert "Traceback" not in panel and "Conversion Error" not in panel
    leads = list_leads(web_ws.store)
    assert leads and {lead["model_id"] for lead in leads} == {CAFE}


def test_a_second_run_is_refused_while_one_runs(web_ws: Workspace, tmp_path: Path) -> None:
    """A write of someone else holds the store: the run waits to write its leads, and meanwhile
    the page shows it and refuses another."""
    folder = tmp_path / "files"
    folder.mkdir()
    load_fixture_data(web_ws, folder)
    client = _client(web_ws)
    page = client.get("/models").text
    other = sqlite3.connect(web_ws.root / "case_store.sqlite", timeout=30)
    other.execute("BEGIN IMMEDIATE")
    try:
        started = _run(client, page, "2026-06-01", CAFE)
        location = started.headers["location"]
        waiting = _until(client, location, lambda p: "正在写入线索" in p)
        assert (
            "1 个模型均已运行完毕，正在写入线索" in waiting and 'hx-trigger="every 1s"' in waiting
        )
        assert 'id="run-found">2</strong>' in waiting
        refused = _run(client, page, "2026-06-01")
        assert refused.status_code == 409
        assert "开始的模型运行（基准日 2026-06-01）尚未结束，请等它结束后再运行" in refused.text
        assert 'id="model-run"' in client.get("/models").text  # the library shows the run
    finally:
        other.rollback()
        other.close()
    assert 'id="run-done"' in _until(client, location, _finished)
    assert _run(client, page, "2026-06-01", CAFE).status_code == 303  # free again


def test_a_run_the_server_does_not_know_says_where_to_look(web_ws: Workspace) -> None:
    client = _client(web_ws)
    missing = client.get("/models/runs/999")
    assert missing.status_code == 404 and "运行记录" in missing.text
    unknown = _run(client, client.get("/models").text, "2026-06-01", "no.such")
    assert unknown.status_code == 400 and "没有编号为 no.such 的模型" in unknown.text


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
