"""数据: uploading an agency file through the web — the size limit, the content sniffed, the
CSRF token required of a multipart form, the sender's file name never used as a path, the
column-mapping form and the permission (import_data)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from shujian.data import mappings
from shujian.data.warehouse import Warehouse
from shujian.web import data as data_page
from shujian.web.app import create_app
from shujian.workspace import Workspace, open_workspace
from web.test_security import sign_in, token

USCC_A = "91110000600037341L"
ID_A = "11010519491231002X"
STAFF = "单位名称,单位统一社会信用代码,单位类别,姓名,公民身份号码,岗位,入职日期\n"


def _client(ws: Workspace, name: str = "张检察官") -> tuple[TestClient, str]:
    client = TestClient(create_app(ws), base_url="http://127.0.0.1")
    assert sign_in(client, name).status_code == 303
    page = client.get("/data")
    assert page.status_code == 200
    return client, token(page.text)


def _upload(client: TestClient, csrf: str | None, name: str, body: bytes, **fields: str):  # type: ignore[no-untyped-def]
    headers = {"X-CSRF-Token": csrf, "HX-Request": "true"} if csrf else {}
    form = {"dataset": "staff_roster", "agency": "青岚县教育局", **fields}
    return client.post(
        "/data/upload", data=form, files={"file": (name, body, "text/csv")}, headers=headers
    )


def _csv(rows: str) -> bytes:
    return (STAFF + rows).encode("gb18030")


def test_a_multipart_upload_without_the_token_is_refused(web_ws: Workspace) -> None:
    client, _ = _client(web_ws)
    answer = _upload(
        client, None, "名单.csv", _csv(f"一小,{USCC_A},学校,王芳,{ID_A},教师,2020-09-01\n")
    )
    assert answer.status_code == 403
    assert Warehouse(web_ws.warehouse_dir, web_ws.store).batches() == []


def test_a_file_too_large_is_refused_in_chinese(web_ws: Workspace) -> None:
    path = web_ws.root / "shujian.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n[web]\nupload_max_mb = 1\n", "utf-8")
    client, csrf = _client(open_workspace(web_ws.root))
    big = _csv("".join(f"一小,{USCC_A},学校,王{i},{ID_A},教师,2020-09-01\n" for i in range(40000)))
    assert len(big) > 1 << 20
    answer = _upload(client, csrf, "大名单.csv", big)
    assert answer.status_code == 413 and "超过上传大小上限 1 MB" in answer.text
    assert Warehouse(web_ws.warehouse_dir, web_ws.store).batches() == []


def test_an_exe_named_xlsx_is_refused_by_its_content(web_ws: Workspace) -> None:
    client, csrf = _client(web_ws)
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(2000)
    answer = _upload(client, csrf, "名单.xlsx", exe)
    assert answer.status_code == 400 and "不是 xlsx、xls 或 csv 表格" in answer.text
    assert "Traceback" not in answer.text


def test_a_path_like_name_is_metadata_only(web_ws: Workspace, tmp_path: Path) -> None:
    client, csrf = _client(web_ws)
    before = set(data_page.UPLOADS.iterdir()) if data_page.UPLOADS.is_dir() else set()
    body = _csv(f"一小,{USCC_A},学校,王芳,{ID_A},教师,2020-09-01\n")
    answer = _upload(client, csrf, "../../x.csv", body)
    assert answer.status_code == 200, answer.text
    assert '导入 <strong id="count-imported">1</strong> 行' in answer.text
    (batch,) = Warehouse(web_ws.warehouse_dir, web_ws.store).batches()
    assert batch.file_name == "../../x.csv"  # recorded as sent, shown escaped
    assert not (web_ws.root.parent.parent / "x.csv").exists()
    assert not (data_page.UPLOADS.parent.parent / "x.csv").exists()
    after = set(data_page.UPLOADS.iterdir())
    assert after <= before  # the temporary file is gone
    page = client.get("/data").text
    assert "../../x.csv" in page and f'href="/data/batches/{batch.id}/report"' in page


def test_an_assistant_may_not_import(web_ws: Workspace) -> None:
    client, csrf = _client(web_ws, "李助理")
    assert 'id="upload-form"' not in client.get("/data").text
    answer = _upload(client, csrf, "名单.csv", _csv(f"一小,{USCC_A},学校,王芳,{ID_A},教师,\n"))
    assert answer.status_code == 403 and "无权" in answer.text


def test_an_unknown_header_is_mapped_and_the_mapping_remembered(web_ws: Workspace) -> None:
    client, csrf = _client(web_ws)
    header = STAFF.replace("姓名", "职工名字")
    body = (header + f"一小,{USCC_A},学校,王芳,{ID_A},教师,2020-09-01\n").encode("gb18030")
    refused = _upload(client, csrf, "名单.csv", body)
    assert refused.status_code == 400 and 'id="mapping-form"' in refused.text
    assert "职工名字" in refused.text
    mapped = client.post(
        "/data/remap",
        data={"map": ["职工名字=name", "单位名称=employer_name"]},
        headers={"X-CSRF-Token": csrf, "HX-Request": "true"},
    )
    assert mapped.status_code == 200, mapped.text
    assert '<strong id="count-imported">1</strong>' in mapped.text
    saved = {m.header: m.column_id for m in mappings.saved(web_ws.store, "青岚县教育局")}
    assert saved.get("职工名字") == "name"
    again = _upload(
        client, csrf, "名单2.csv", body.replace("王芳".encode("gb18030"), "李娜".encode("gb18030"))
    )
    assert again.status_code == 200 and "沿用已保存的表头对应：职工名字→姓名" in again.text
