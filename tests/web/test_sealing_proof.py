"""The proof that a sealed juvenile record is invisible without the right, decided at view time.

A kindergarten's roster and the offence records are imported; `staff.barred_offence` finds two
staff with records; the lead of one of them becomes a case and its 检察建议书 is issued. Then the
court's corrected file arrives with the act date (17 at the act) and the sentence (three years):
the record is sealed on import — after the lead, the case and the document were made from it.

For 张检察官 (no `view_sealed`), every surface — the command line (leads list/show/export,
cases list, the document re-printed, statistics, the minor's file) and the web pages (the lead
queue, the lead's page, its xlsx export, the data browser, the case list and page, the document's
download, statistics, the minor's file, the 封存记录 pages) — is walked, and none shows the sealed
record's name, ID number in any masking, offence, judgment number or document number, while the
other staffer's lead stays, the list's total equal to its rows. Before the sealing the same
surfaces showed them (so the checks can fail). 未检主任 (with `view_sealed`) sees the same as
everybody without a reason, and the record, its lead and its document only after giving one —
recorded on the record and in the audit log.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from docx import Document
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from helpers import LIBRARY, numbered_by_counter
from juvenile.people import id_card, send
from shujian import audit
from shujian.cases.recommendations import issue_recommendation
from shujian.cases.service import open_case, transition
from shujian.cli.main import cli
from shujian.data.importer import ImportOptions, import_file
from shujian.data.warehouse import Warehouse
from shujian.juvenile.service import Register
from shujian.leads.store import leads
from shujian.models.labels import mask_id_card
from shujian.models.runner import run_models
from shujian.users import User, departments_of
from shujian.users.accounts import add_user
from shujian.users.passwords import set_password
from shujian.users.user import SYSTEM
from shujian.workspace import Workspace
from web.browsing import PASSWORD

D = dt.date
SEALED = id_card(D(2002, 1, 1))
"""17 on 2019-11-01 (the act), 22 at the 2024-08-01 judgment: without the act date, not sealed."""
OPEN = id_card(D(1985, 5, 5))
NAME, OFFENCE, JUDGMENT = "龚秘", "拐卖儿童罪", "（2024）黔0221刑初88号"
OPEN_NAME = "韩公开"
HEAD = "未检主任"
PROSECUTOR = User("张检察官", "青岚县人民检察院", "未成年人检察部", frozenset({"prosecutor"}))
ROSTER = [
    "单位名称",
    "单位统一社会信用代码",
    "单位类别",
    "姓名",
    "公民身份号码",
    "岗位",
    "入职日期",
]
RECORDS = ["姓名", "公民身份号码", "罪名或违法行为", "处理结果", "处理日期", "文书编号"]


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _import(ws: Workspace, dataset: str, path: Path) -> None:
    result = import_file(
        Warehouse(ws.warehouse_dir, ws.store), ws.reports_dir, ws.datasets()[dataset], path,
        ImportOptions(),
    )  # fmt: skip
    assert result.rejected == 0 and result.imported > 0


def shujian(ws: Workspace, *args: str, user: str = "张检察官", code: int = 0) -> Result:
    result = CliRunner().invoke(cli, ["-w", str(ws.root), "-u", user, *args])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


def signed_in(app: FastAPI, name: str) -> TestClient:
    client = TestClient(app, base_url="http://127.0.0.1")
    page = client.get("/login")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert token
    client.post(
        "/login",
        data={"name": name, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    return client


def csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', client.get(path).text)
    assert found
    return found.group(1)


def forbidden_strings(number: str) -> list[str]:
    return [
        NAME,
        SEALED,
        mask_id_card(SEALED),
        mask_id_card(SEALED, region_only=True),
        SEALED[-6:],
        OFFENCE,
        JUDGMENT,
        number,
    ]


def xlsx_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(
        str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
        for cell in row if cell is not None
    )  # fmt: skip


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


@pytest.fixture
def made(web_ws: Workspace, tmp_path: Path) -> dict[str, object]:
    ws = numbered_by_counter(web_ws)
    admin = User("管理员", ws.region.procuratorate_name, None, frozenset({"admin"}))
    add_user(ws.store, admin, HEAD, "未成年人检察部", ["department_head"], departments_of(ws))
    set_password(ws.store, admin, HEAD, PASSWORD)
    _import(ws, "staff_roster", _csv(tmp_path / "roster.csv", ROSTER, [
        ["青岚县幸福幼儿园", "92520203MA61YM2QXQ", "幼儿园", NAME, SEALED, "保育员", "2025-09-01"],
        ["青岚县幸福幼儿园", "92520203MA61YM2QXQ", "幼儿园", OPEN_NAME, OPEN, "门卫", "2025-09-01"],
    ]))  # fmt: skip
    _import(ws, "offence_records", _csv(tmp_path / "records-1.csv", RECORDS, [
        [NAME, SEALED, OFFENCE, "有罪判决", "2024-08-01", JUDGMENT],
        [OPEN_NAME, OPEN, "故意伤害罪", "有罪判决", "2015-03-02", "（2015）黔0221刑初9号"],
    ]))  # fmt: skip
    send(ws, "key_minors", [{
        "姓名": NAME, "公民身份号码": SEALED, "类别": "严重不良行为", "认定日期": "2019-12-01",
        "所属乡镇（街道）": "城关镇", "退出日期": "2020-01-02", "退出原因": "年满十八周岁",
    }], tmp_path / "minors")  # fmt: skip
    run_models(ws, LIBRARY, ["staff.barred_offence"], D(2026, 11, 2))
    with ws.store.connect() as conn:
        found = dict(conn.execute(select(leads.c.subject, leads.c.id)).all())
    lead, other = found[SEALED], found[OPEN]
    case_id = open_case(
        ws.store, [lead], "未成年人检察部", "张检察官", SYSTEM, "经初查符合立案条件",
        D(2026, 11, 3), departments=departments_of(ws), calendar=ws.calendar,
    )  # fmt: skip
    transition(ws.store, case_id, "investigate", PROSECUTOR, "调取判决书", D(2026, 11, 4),
               calendar=ws.calendar)  # fmt: skip
    issued = issue_recommendation(ws, LIBRARY, case_id, PROSECUTOR, D(2026, 11, 5), "青岚县教育局")
    return {"ws": ws, "lead": lead, "other": other, "case": case_id, "number": issued.number}


def seal_by_the_courts_file(ws: Workspace, tmp_path: Path) -> None:
    """The court's file: the same judgment, with the act date and the sentence."""
    _import(ws, "offence_records", _csv(tmp_path / "records-2.csv", [*RECORDS, "行为日期", "判处刑罚"], [
        [NAME, SEALED, OFFENCE, "有罪判决", "2024-08-01", JUDGMENT, "2019-11-01", "有期徒刑三年"],
    ]))  # fmt: skip


def every_surface(
    ws: Workspace, app: FastAPI, made: dict[str, object], tmp_path: Path
) -> dict[str, str]:
    """What 张检察官 is shown on every surface, by surface."""
    lead, case_id, number = made["lead"], made["case"], str(made["number"])
    ref = Register(ws).ref(SEALED)
    out: dict[str, str] = {}
    out["cli leads list"] = shujian(ws, "leads", "list", "--status", "all").output
    shown = CliRunner().invoke(
        cli, ["-w", str(ws.root), "-u", "张检察官", "leads", "show", str(lead)]
    )
    out["cli leads show"] = shown.output
    out["cli leads export csv"] = shujian(ws, "leads", "export", "--format", "csv").output
    xlsx = tmp_path / f"export-{len(list(tmp_path.iterdir()))}.xlsx"
    shujian(ws, "leads", "export", "--format", "xlsx", "-o", str(xlsx))
    out["cli leads export xlsx"] = xlsx_text(xlsx.read_bytes())
    out["cli cases list"] = shujian(ws, "cases", "list").output
    doc = tmp_path / f"reprint-{len(list(tmp_path.iterdir()))}.docx"
    reprint = CliRunner().invoke(
        cli, ["-w", str(ws.root), "-u", "张检察官", "cases", "document", number, "-o", str(doc)]
    )
    out["cli cases document"] = reprint.output + (
        docx_text(doc.read_bytes()) if doc.exists() else ""
    )
    out["cli stats"] = shujian(ws, "stats").output
    out["cli minors show"] = shujian(ws, "minors", "show", ref).output
    client = signed_in(app, "张检察官")
    for path in ("/leads?status=all", f"/leads/{lead}", "/data", "/cases", f"/cases/{case_id}",
                 f"/cases/{case_id}/document?number={number}", "/stats", f"/minors/{ref}",
                 "/sealed", "/sealed/1", "/"):  # fmt: skip
        page = client.get(path)
        out[f"web {path}"] = (
            page.text
            if "officedocument" not in page.headers.get("content-type", "")
            else docx_text(page.content)
        )
    out["web /leads.xlsx"] = xlsx_text(client.get("/leads.xlsx").content)
    out["web /stats.xlsx"] = xlsx_text(client.get("/stats.xlsx").content)
    return out


def test_a_sealed_record_is_invisible_without_the_right(
    made: dict[str, object], app: FastAPI, tmp_path: Path
) -> None:
    ws = made["ws"]
    assert isinstance(ws, Workspace)
    number = str(made["number"])
    before = every_surface(ws, app, made, tmp_path)
    # before the sealing the surfaces name the record: the checks below can fail
    for surface in ("cli leads list", "cli leads show", "cli leads export csv", "web /leads?status=all",
                    f"web /leads/{made['lead']}", "web /leads.xlsx",
                    f"web /cases/{made['case']}", "cli minors show"):  # fmt: skip
        assert NAME in before[surface], surface
    assert "共 1 件。" in before["cli cases list"]
    assert number in before["cli cases document"] and JUDGMENT in before["cli cases document"]

    seal_by_the_courts_file(ws, tmp_path)
    after = every_surface(ws, app, made, tmp_path)
    # the number 张检察官 typed comes back in the refusal exactly as a number never issued does
    missing = "青检未建〔2026〕99号"
    unknown = CliRunner().invoke(
        cli, ["-w", str(ws.root), "-u", "张检察官", "cases", "document", missing, "-o", "x.docx"]
    )
    assert after["cli cases document"] == unknown.output.replace(missing, number)
    after["cli cases document"] = after["cli cases document"].replace(number, "")
    typed = f"web /cases/{made['case']}/document?number={number}"
    client = signed_in(app, "张检察官")
    gone = client.get(f"/cases/{made['case']}/document?number={number}")
    never = client.get(f"/cases/{made['case']}/document?number={missing}")
    assert gone.status_code == never.status_code == 404
    assert gone.text == never.text.replace(missing, number)
    after[typed] = after[typed].replace(number, "")
    for surface, text in after.items():
        # the minor's file is the register's (护苗) record of the person, name and masked number
        # included; what it must not show is the sealed record: the warning, offence, judgment
        secrets = forbidden_strings(number)
        if "minors" in surface:
            assert OFFENCE in before[surface], surface
            secrets = [OFFENCE, JUDGMENT, number, SEALED]
        for secret in secrets:
            assert secret not in text, f"{surface} shows {secret}"
    # the other staffer's lead is still there, and a list's total is its rows
    assert OPEN_NAME in after["cli leads list"] and "共 1 条。" in after["cli leads list"]
    assert OPEN_NAME in after["web /leads?status=all"] and OPEN_NAME in after["web /leads.xlsx"]
    assert "找不到" in after["cli leads show"] and "找不到" in after["cli cases document"]
    assert "共 1 件。" not in after["cli cases list"]
    assert client.get(f"/leads/{made['lead']}").status_code == 404
    assert client.get(f"/cases/{made['case']}").status_code == 404
    assert client.get("/sealed").status_code == 404


def test_with_the_right_only_after_a_reason_audited(
    made: dict[str, object], app: FastAPI, tmp_path: Path
) -> None:
    ws = made["ws"]
    assert isinstance(ws, Workspace)
    number, lead = str(made["number"]), str(made["lead"])
    seal_by_the_courts_file(ws, tmp_path)
    # without a reason: what everybody sees
    listed = shujian(ws, "leads", "list", "--status", "all", user=HEAD).output
    assert NAME not in listed and OPEN_NAME in listed
    assert "找不到" in shujian(ws, "leads", "show", lead, user=HEAD, code=2).output
    sealed_list = shujian(ws, "sealed", "list", user=HEAD).output
    assert (
        mask_id_card(SEALED) in sealed_list
        and NAME not in sealed_list
        and OFFENCE not in sealed_list
    )
    refused = shujian(ws, "sealed", "show", "1", user=HEAD, code=2).output
    assert "须说明理由" in refused and NAME not in refused
    # with a reason
    shown = shujian(
        ws, "leads", "show", lead, "--reason", "办理本院入职查询监督案件需要", user=HEAD
    ).output
    assert NAME in shown and "【封存】" in shown
    record = shujian(ws, "sealed", "show", "1", "--reason", "答复教育局查询申请", user=HEAD).output
    assert NAME in record and OFFENCE in record and number in record and f"线索 {lead}" in record
    doc = tmp_path / "with-reason.docx"
    shujian(ws, "cases", "document", number, "-o", str(doc), "--reason", "报上级院备查", user=HEAD)
    assert number in docx_text(doc.read_bytes())
    reasons = [
        e["detail"]["reason"] for e in audit.query(ws.store, action="view_sealed", actor=HEAD)
    ]
    assert reasons == ["办理本院入职查询监督案件需要", "答复教育局查询申请", "报上级院备查"]
    # the web: the list, the form, a refusal without a reason, the record after one
    client = signed_in(app, HEAD)
    page = client.get("/sealed")
    assert page.status_code == 200 and NAME not in page.text and mask_id_card(SEALED) in page.text
    form = client.get("/sealed/1")
    assert "查阅理由" in form.text and NAME not in form.text
    token = csrf(client, "/sealed/1")
    empty = client.post("/sealed/1", data={"reason": " ", "csrf_token": token})
    assert empty.status_code == 400 and NAME not in empty.text
    full = client.post("/sealed/1", data={"reason": "核对封存记录", "csrf_token": token})
    assert full.status_code == 200 and NAME in full.text and JUDGMENT in full.text
    assert "青岚县幸福幼儿园（幼儿园）聘用的龚秘" in full.text  # the lead resting on it
    got = client.post(
        "/sealed/1/document", data={"number": number, "reason": "核对封存记录", "csrf_token": token}
    )
    assert got.status_code == 200 and number in docx_text(got.content)
    no_reason = client.post(
        "/sealed/1/document", data={"number": number, "reason": "", "csrf_token": token}
    )
    assert no_reason.status_code == 404
    assert len(audit.query(ws.store, action="view_sealed", actor=HEAD)) == 5
