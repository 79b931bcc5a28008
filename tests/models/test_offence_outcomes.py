"""入职查询 leads only from outcomes that found a crime or a penalty, never from a guess.

An offence record whose 处理结果 read a bare "不起诉" was once taken for 相对不起诉 and named a
school-bus driver in a lead for a rape he was never found to have committed. Each test imports the
files an agency would send and runs `staff.barred_offence` as a user would.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl

from shujian.data.importer import ImportOptions, ImportResult, import_file
from shujian.data.warehouse import Warehouse
from shujian.models.runner import run_models
from shujian.models.spec import load_library
from shujian.workspace import Workspace

MODEL = "staff.barred_offence"
AS_OF = dt.date(2026, 6, 1)
DRIVER = "520203198803142714"
"""A school-bus driver on the roster of 青岚县第一小学."""


def _csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _import(ws: Workspace, dataset: str, path: Path) -> ImportResult:
    return import_file(
        Warehouse(ws.warehouse_dir, ws.store),
        ws.reports_dir,
        ws.datasets()[dataset],
        path,
        ImportOptions(),
    )


def _driver_with_record(ws: Workspace, tmp_path: Path, offence: str, outcome: str) -> ImportResult:
    roster = {
        "单位名称": "青岚县第一小学",
        "单位统一社会信用代码": "92520203MA61YM2QXQ",
        "单位类别": "学校",
        "姓名": "陈斌",
        "公民身份号码": DRIVER,
        "岗位": "校车驾驶员",
        "入职日期": "2022-03-01",
    }
    record = {
        "姓名": "陈斌",
        "公民身份号码": DRIVER,
        "罪名或违法行为": offence,
        "处理结果": outcome,
        "处理日期": "2019-06-10",
        "文书编号": "青检刑不诉〔2019〕12号",
    }
    _import(ws, "staff_roster", _csv(tmp_path / "roster.csv", [roster]))
    return _import(ws, "offence_records", _csv(tmp_path / "records.csv", [record]))


def _leads(ws: Workspace) -> dict[str, list[dict]]:
    report = run_models(ws, load_library(), [MODEL], AS_OF)
    (outcome,) = report.outcomes
    return {f.subject: f.evidence_list() for f in outcome.findings}


def _rejections(result: ImportResult) -> list[tuple]:
    assert result.report is not None
    book = openpyxl.load_workbook(result.report, read_only=True)
    return [tuple(r) for r in book["退回记录"].iter_rows(min_row=2, values_only=True)]


def test_a_bare_non_prosecution_is_refused_asking_which_kind_and_makes_no_lead(
    workspace: Workspace, tmp_path: Path
) -> None:
    result = _driver_with_record(workspace, tmp_path, "强奸罪", "不起诉")
    assert (result.imported, result.rejected) == (0, 1)
    (row,) = _rejections(result)
    reason = " ".join(str(c) for c in row if c)
    assert "“不起诉”未注明种类" in reason
    for kind in ("相对不起诉", "法定不起诉", "存疑不起诉", "附条件不起诉"):
        assert kind in reason
    assert _leads(workspace) == {}


def test_a_criminal_judgment_without_its_result_is_refused_not_taken_for_guilt(
    workspace: Workspace, tmp_path: Path
) -> None:
    result = _driver_with_record(workspace, tmp_path, "强奸罪", "刑事判决")
    assert result.rejected == 1
    (row,) = _rejections(result)
    assert "未注明判决结果" in " ".join(str(c) for c in row if c)


def test_doubtful_non_prosecution_of_a_rape_is_accepted_and_makes_no_lead(
    workspace: Workspace, tmp_path: Path
) -> None:
    result = _driver_with_record(workspace, tmp_path, "强奸罪", "存疑不起诉")
    assert (result.imported, result.rejected) == (1, 0)
    assert _leads(workspace) == {}


def test_insufficient_evidence_is_the_doubtful_kind_and_makes_no_lead(
    workspace: Workspace, tmp_path: Path
) -> None:
    result = _driver_with_record(workspace, tmp_path, "强奸罪", "证据不足不起诉")
    assert (result.imported, result.rejected) == (1, 0)
    assert _leads(workspace) == {}


def test_statutory_non_prosecution_is_accepted_and_makes_no_lead(
    workspace: Workspace, tmp_path: Path
) -> None:
    result = _driver_with_record(workspace, tmp_path, "强奸罪", "法定不起诉")
    assert (result.imported, result.rejected) == (1, 0)
    assert _leads(workspace) == {}


def test_relative_non_prosecution_of_a_rape_makes_a_lead(
    workspace: Workspace, tmp_path: Path
) -> None:
    _driver_with_record(workspace, tmp_path, "强奸罪", "相对不起诉")
    leads = _leads(workspace)
    assert list(leads) == [DRIVER]
    assert leads[DRIVER][0]["outcome"] == "相对不起诉"


def test_discretionary_non_prosecution_is_relative_non_prosecution(
    workspace: Workspace, tmp_path: Path
) -> None:
    _driver_with_record(workspace, tmp_path, "强奸罪", "酌定不起诉")
    leads = _leads(workspace)
    assert list(leads) == [DRIVER]
    assert leads[DRIVER][0]["outcome"] == "相对不起诉"


def test_exemption_from_criminal_punishment_is_a_conviction_and_makes_a_lead(
    workspace: Workspace, tmp_path: Path
) -> None:
    _driver_with_record(workspace, tmp_path, "强制猥亵罪", "免予刑事处罚")
    assert list(_leads(workspace)) == [DRIVER]


def test_administrative_detention_for_indecency_makes_a_lead(
    workspace: Workspace, tmp_path: Path
) -> None:
    _driver_with_record(workspace, tmp_path, "猥亵", "行政拘留")
    assert list(_leads(workspace)) == [DRIVER]


def test_an_acquittal_of_assault_makes_no_lead(workspace: Workspace, tmp_path: Path) -> None:
    result = _driver_with_record(workspace, tmp_path, "故意伤害罪", "无罪判决")
    assert result.rejected == 0
    assert _leads(workspace) == {}
