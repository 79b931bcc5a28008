"""数据: uploading an agency file through the web — the size limit, the content sniffed, the
CSRF token required of a multipart form, the sender's file name never used as a path, the
column-mapping form, the options a clerk gives (encoding, a value for a column the file lacks,
the sheet of a workbook, the coordinate system) each refused in Chinese when wrong, the
permission (import_data); a batch's rejected rows shown masked and audited, its report
downloaded only with a reason that the audit log keeps; the batch list paged."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import xlsxwriter
from fastapi.testclient import TestClient

from shujian import audit
from shujian.data import mappings
from shujian.data.datasets import load_datasets
from shujian.data.importer import ImportOptions, import_file
from shujian.data.warehouse import Warehouse
from shujian.errors import UserError
from shujian.users import departments_of
from shujian.users.accounts import add_user
from shujian.users.passwords import set_password
from shujian.web import upload as data_page
from shujian.web.app import create_app
from shujian.workspace import Workspace, open_workspace
from web.browsing import PASSWORD
from web.test_security import ADMIN, sign_in, token

USCC_A = "91110000600037341L"
ID_A = "11010519491231002X"
STAFF = "单位名称,单位统一社会信用代码,单位类别,姓名,公民身份号码,岗位,入职日期\n"
BAD_ID = "110105194912310021"
"""Shaped like an ID number, its check digit wrong: rejected, and shown only masked."""


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
    uploads = web_ws.root / data_page.UPLOADS
    body = _csv(f"一小,{USCC_A},学校,王芳,{ID_A},教师,2020-09-01\n")
    answer = _upload(client, csrf, "../../x.csv", body)
    assert answer.status_code == 200, answer.text
    assert '导入 <strong id="count-imported">1</strong> 行' in answer.text
    (batch,) = Warehouse(web_ws.warehouse_dir, web_ws.store).batches()
    assert batch.file_name == "../../x.csv"  # recorded as sent, shown escaped
    assert not (web_ws.root.parent.parent / "x.csv").exists()
    assert not (uploads.parent / "x.csv").exists()
    assert uploads.is_dir() and list(uploads.iterdir()) == []  # the temporary file is gone
    page = client.get("/data").text
    assert "../../x.csv" in page and f'href="/data/batches/{batch.id}"' in page


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


def _htmx(csrf: str) -> dict[str, str]:
    return {"X-CSRF-Token": csrf, "HX-Request": "true"}


def _batch_with_rejections(client: TestClient, csrf: str, ws: Workspace) -> int:
    body = _csv(
        f"一小,{USCC_A},学校,王芳,{ID_A},教师,2020-09-01\n"
        f"一小,{USCC_A},学校,李四,{BAD_ID},保安,2021-03-01\n"
        "合计,,,2人,,,\n"
    )
    answer = _upload(client, csrf, "名单.csv", body)
    assert answer.status_code == 200, answer.text
    assert '<strong id="count-rejected">1</strong>' in answer.text
    (batch,) = Warehouse(ws.warehouse_dir, ws.store).batches()
    assert f'href="/data/batches/{batch.id}"' in answer.text
    return batch.id


def _entries(ws: Workspace, batch_id: int, action: str) -> list[dict[str, object]]:
    return audit.query(ws.store, object_type="batch", object_id=batch_id, action=action)


def test_the_rejected_rows_are_shown_masked_and_the_view_audited(web_ws: Workspace) -> None:
    client, csrf = _client(web_ws)
    batch_id = _batch_with_rejections(client, csrf, web_ws)
    page = client.get(f"/data/batches/{batch_id}")
    assert page.status_code == 200
    assert "1101051********021" in page.text and BAD_ID not in page.text
    assert "校验码" in page.text or "校验位" in page.text  # the reason, per row
    assert "合计/总计行" in page.text  # the skipped row
    for html in (page.text, client.get("/data").text):  # the CSP forbids inline code and style
        assert not re.search(r"<script(?![^>]*\bsrc=)", html) and " style=" not in html
    (view,) = _entries(web_ws, batch_id, "view")
    assert view["actor"] == "张检察官"
    assert view["detail"] == {
        "what": "rejections",
        "dataset": "staff_roster",
        "shown": 1,
        "total": 1,
        "revealed": False,
    }
    client.get(f"/data/batches/{batch_id}")
    assert len(_entries(web_ws, batch_id, "view")) == 2  # every view


def test_the_report_is_downloaded_only_with_a_reason_which_is_audited(web_ws: Workspace) -> None:
    client, csrf = _client(web_ws)
    batch_id = _batch_with_rejections(client, csrf, web_ws)
    url = f"/data/batches/{batch_id}/report"
    for reason in ("", "   "):
        refused = client.post(url, data={"reason": reason}, headers=_htmx(csrf))
        assert refused.status_code == 400
        assert "下载退回报告须填写理由" in refused.text
        assert refused.headers["content-type"].startswith("text/html")
    assert _entries(web_ws, batch_id, "export") == []
    assert client.get(url).status_code == 405  # no download without the form
    got = client.post(url, data={"reason": "退回青岚县教育局更正"}, headers=_htmx(csrf))
    assert got.status_code == 200 and got.content[:2] == b"PK"
    assert "attachment" in got.headers["content-disposition"]
    (entry,) = _entries(web_ws, batch_id, "export")
    assert entry["actor"] == "张检察官"
    assert entry["detail"] == {
        "what": "rejection_report",
        "dataset": "staff_roster",
        "file_name": "名单.csv",
        "rejected": 1,
        "reason": "退回青岚县教育局更正",
    }
    assert audit.verify(web_ws.store).ok


def _chief(ws: Workspace) -> None:
    add_user(ws.store, ADMIN, "王院长", None, ["chief"], departments_of(ws))
    set_password(ws.store, ADMIN, "王院长", PASSWORD)


@pytest.mark.parametrize("name", ["李助理", "王院长"])
def test_a_user_without_import_data_sees_no_rejected_rows(web_ws: Workspace, name: str) -> None:
    client, csrf = _client(web_ws)
    batch_id = _batch_with_rejections(client, csrf, web_ws)
    _chief(web_ws)
    other, other_csrf = _client(web_ws, name)
    listed = other.get("/data").text
    assert "名单.csv" in listed and f'href="/data/batches/{batch_id}"' not in listed
    page = other.get(f"/data/batches/{batch_id}")
    assert page.status_code == 403 and "无权导入机关报送的数据" in page.text
    assert "1101051" not in page.text
    got = other.post(
        f"/data/batches/{batch_id}/report", data={"reason": "看看"}, headers=_htmx(other_csrf)
    )
    assert got.status_code == 403 and not got.content.startswith(b"PK")
    assert _entries(web_ws, batch_id, "export") == []
    assert _entries(web_ws, batch_id, "view") == []


def test_a_batch_that_does_not_exist_is_404(web_ws: Workspace) -> None:
    client, csrf = _client(web_ws)
    assert client.get("/data/batches/999").status_code == 404
    missing = client.post("/data/batches/999/report", data={"reason": "x"}, headers=_htmx(csrf))
    assert missing.status_code == 404


def test_the_batches_of_a_dataset_are_paged(web_ws: Workspace, tmp_path: Path) -> None:
    staff = load_datasets()["staff_roster"]
    warehouse = Warehouse(web_ws.warehouse_dir, web_ws.store)
    for i in range(45):
        path = tmp_path / f"名单{i}.csv"
        path.write_bytes(_csv(f"一小,{USCC_A},学校,王{i},{ID_A},教师,2020-09-01\n"))
        import_file(warehouse, web_ws.reports_dir, staff, path, ImportOptions())
    client, _ = _client(web_ws)
    first = client.get("/data?dataset=staff_roster").text
    assert len(re.findall(r'<tr id="batch-\d+"', first)) == 20
    assert "共 45 个批次，第 1 / 3 页" in first and 'id="batch-45"' in first
    assert 'id="batch-25"' not in first  # newest first, twenty a page
    last = client.get("/data?dataset=staff_roster&page=3").text
    assert len(re.findall(r'<tr id="batch-\d+"', last)) == 5 and 'id="batch-1"' in last
    assert 'id="next-page"' not in last and 'id="previous-page"' in last
    counts = re.search(
        r"staff_roster</span></td><td>[^<]*</td>\s*<td[^>]*>\d+</td>"
        r'<td class="num">(\d+)</td>',
        first,
    )
    assert counts and counts.group(1) == "45"  # the dataset's, not the page's
    assert "“经营场所”还没有导入过文件。" in client.get("/data?dataset=venues").text
    beyond = client.get("/data?dataset=staff_roster&page=9").text
    assert "第 9 页没有批次（共 45 个批次）" in beyond


# ---- the options of an upload ----------------------------------------------------------------

DATASETS = load_datasets()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"dataset_id": ""}, "请选择数据集。"),
        ({"encoding": "latin-1"}, "编码“latin-1”不是可选的编码"),
        ({"dataset_id": "venues"}, "“经营场所”有经纬度：请选择文件所用的坐标系。"),
        ({"dataset_id": "venues", "crs": "CGCS2000"}, "坐标系“CGCS2000”不是可选的坐标系"),
        ({"set_columns": [""], "set_values": ["城关镇"]}, "请选择这个值填入哪个字段"),
        ({"set_columns": ["所属乡镇"], "set_values": ["城关镇"]}, "没有名为“所属乡镇”的字段"),
        ({"set_columns": ["employer_name"], "set_values": [" "]}, "“employer_name=”没有给出值"),
        ({"set_columns": ["hired_on"], "set_values": ["去年"]}, "整份文件统一取值“入职日期=去年”"),
        ({"set_columns": ["employer_type"], "set_values": ["网吧"]}, "不是规定的单位类别"),
        (
            {"set_columns": ["employer_name", "单位名称"], "set_values": ["一小", "二小"]},
            "字段“单位名称”选了两次",
        ),
    ],
)
def test_each_refused_option_is_named_in_chinese(fields: dict, message: str) -> None:  # type: ignore[type-arg]
    given = {"dataset_id": "staff_roster", **fields}
    with pytest.raises(UserError) as refused:
        data_page.upload_options(DATASETS, **given)
    assert message in refused.value.message


def test_the_options_as_the_import_takes_them() -> None:
    staff = data_page.upload_options(
        DATASETS,
        "staff_roster",
        agency=" 青岚县教育局 ",
        encoding="gbk",
        crs="GCJ02",  # no coordinates in a staff roster: not an option of its import
        set_columns=["单位名称", ""],
        set_values=["青岚县第一小学", ""],
    )
    assert staff == {
        "dataset": "staff_roster",
        "agency": "青岚县教育局",
        "encoding": "gbk",
        "crs": "",
        "constants": {"employer_name": "青岚县第一小学"},
        "sheet": "",
    }
    venues = data_page.upload_options(DATASETS, "venues", crs="file")
    assert venues["crs"] == "" and venues["encoding"] == "auto"
    assert data_page.upload_options(DATASETS, "venues", crs="BD09")["crs"] == "BD09"


def test_a_value_for_a_column_the_file_lacks_is_given_to_every_row(web_ws: Workspace) -> None:
    client, csrf = _client(web_ws)
    header = STAFF.replace("单位名称,", "")
    body = (header + f"{USCC_A},学校,王芳,{ID_A},教师,2020-09-01\n").encode("gb18030")
    fields = {"set_column": ["employer_name", ""], "set_value": ["青岚县第一小学", ""]}
    answer = _upload(client, csrf, "一小名单.csv", body, **fields)  # type: ignore[arg-type]
    assert answer.status_code == 200, answer.text
    assert '<strong id="count-imported">1</strong>' in answer.text
    assert "整份文件统一取值：单位名称=青岚县第一小学" in answer.text
    present = _upload(
        client,
        csrf,
        "名单.csv",
        _csv(f"一小,{USCC_A},学校,王芳,{ID_A},教师,2020-09-01\n"),
        set_column="employer_name",
        set_value="青岚县第一小学",
    )
    assert present.status_code == 400
    assert (
        "文件中已有“单位名称”列（表头“单位名称”），不能再为它指定整份文件统一的值" in present.text
    )


def test_a_gbk_file_read_as_utf8_is_refused_in_chinese(web_ws: Workspace) -> None:
    client, csrf = _client(web_ws)
    body = _csv(f"一小,{USCC_A},学校,王芳,{ID_A},教师,2020-09-01\n")
    answer = _upload(client, csrf, "名单.csv", body, encoding="utf-8")
    assert answer.status_code == 400 and "Traceback" not in answer.text
    assert "文件 名单.csv 不能按 UTF-8 编码读取" in answer.text
    assert Warehouse(web_ws.warehouse_dir, web_ws.store).batches() == []
    read = _upload(client, csrf, "名单.csv", body, encoding="gbk")
    assert read.status_code == 200 and '<strong id="count-imported">1</strong>' in read.text


def test_a_utf8_file_read_as_gbk_is_refused_or_pointed_out(web_ws: Workspace) -> None:
    """GB18030 decodes most UTF-8 bytes as other characters: a file whose bytes it refuses is
    refused naming the encoding; one it reads has garbled headers, and the mapping form says
    why."""
    client, csrf = _client(web_ws)
    for unit, decodes in (("一中", False), ("城关小学", True)):
        body = (STAFF + f"{unit},{USCC_A},学校,王芳,{ID_A},教师,2020-09-01\n").encode("utf-8")
        answer = _upload(client, csrf, "名单.csv", body, encoding="gbk")
        assert answer.status_code == 400
        if decodes:
            assert 'id="mapping-form"' in answer.text
            assert "按所选编码 GBK 读取，而文件看来是 UTF-8 编码" in answer.text
        else:
            assert "文件 名单.csv 不能按 GB18030 编码读取" in answer.text
            assert "请改用自动识别的编码" in answer.text


def _workbook(path: Path, sheets: dict[str, list[list[str]]]) -> bytes:
    book = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for i, row in enumerate(rows):
            for j, cell in enumerate(row):
                sheet.write_string(i, j, cell)
    book.close()
    return path.read_bytes()


def _xlsx(client: TestClient, csrf: str, name: str, body: bytes):  # type: ignore[no-untyped-def]
    form = {"dataset": "staff_roster", "agency": "青岚县教育局"}
    files = {"file": (name, body, "application/octet-stream")}
    return client.post("/data/upload", data=form, files=files, headers=_htmx(csrf))


def test_the_sheet_of_a_workbook_with_several_is_chosen(web_ws: Workspace, tmp_path: Path) -> None:
    client, csrf = _client(web_ws)
    roster = [
        STAFF.strip().split(","),
        ["一小", USCC_A, "学校", "王芳", ID_A, "教师", "2020-09-01"],
    ]
    body = _workbook(tmp_path / "b.xlsx", {"填表说明": [["请按模板填写"]], "名单": roster})
    asked = _xlsx(client, csrf, "报送.xlsx", body)
    assert asked.status_code == 200 and 'id="sheet-form"' in asked.text
    assert 'value="填表说明"' in asked.text and 'value="名单"' in asked.text
    assert Warehouse(web_ws.warehouse_dir, web_ws.store).batches() == []
    wrong = client.post("/data/sheet", data={"sheet": "Sheet9"}, headers=_htmx(csrf))
    assert wrong.status_code == 400
    assert "文件“报送.xlsx”中没有名为“Sheet9”的工作表，请从下列工作表中选择" in wrong.text
    none = client.post("/data/sheet", data={}, headers=_htmx(csrf))
    assert none.status_code == 400 and "请选择要导入的工作表" in none.text
    chosen = client.post("/data/sheet", data={"sheet": "名单"}, headers=_htmx(csrf))
    assert chosen.status_code == 200, chosen.text
    assert '<strong id="count-imported">1</strong>' in chosen.text
    (batch,) = Warehouse(web_ws.warehouse_dir, web_ws.store).batches()
    assert batch.details["sheet"] == "名单"
    again = client.post("/data/sheet", data={"sheet": "名单"}, headers=_htmx(csrf))
    assert again.status_code == 400 and "没有等待导入的上传文件" in again.text
    single = _workbook(
        tmp_path / "c.xlsx", {"名单": [*roster[:1], [*roster[1][:3], "李娜", *roster[1][4:]]]}
    )
    direct = _xlsx(client, csrf, "一张表.xlsx", single)
    assert direct.status_code == 200 and 'id="import-result"' in direct.text
