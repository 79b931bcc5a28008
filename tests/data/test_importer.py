"""Import of agencies' files as they really come."""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest
import xlsxwriter

from shujian.data.importer import ImportOptions, import_file
from shujian.data.steps import _is_last_of_key
from shujian.data.warehouse import Warehouse
from shujian.engine.duckdb import DuckDBEngine
from shujian.errors import UserError
from shujian.workspace import Workspace


def fix_id(first17: str) -> str:
    """Append the GB 11643 check character."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return (
        first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]
    )


ID_A = "11010519491231002X"  # the GB 11643 example
ID_B = "440524188001010014"  # region 440524 is historical (汕头 潮阳县)
ID_C = fix_id("52020319900101123")
USCC_A = "91110000600037341L"
USCC_B = "91110108551385082Q"
STAFF_HEADER = [
    "单位名称",
    "单位统一社会信用代码",
    "单位类别",
    "姓名",
    "身份证号",
    "岗位",
    "入职日期",
]


def run_import(ws: Workspace, dataset: str, path: Path, **kw):
    return import_file(
        Warehouse(ws.warehouse_dir, ws.store),
        ws.reports_dir,
        ws.datasets()[dataset],
        path,
        ImportOptions(**kw),
    )


def table(ws: Workspace, dataset: str) -> pl.DataFrame:
    with DuckDBEngine(Warehouse(ws.warehouse_dir, ws.store), ws.datasets()) as db:
        db.register([dataset])
        return db.query(f"SELECT * FROM {dataset} ORDER BY _batch, _row")


def rejection_rows(path: Path) -> list[tuple]:
    book = openpyxl.load_workbook(path, read_only=True)
    return [tuple(r) for r in book["退回记录"].iter_rows(min_row=2, values_only=True)]


def write_csv(path: Path, rows: list[list[str]], encoding: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_gbk_csv_with_traditional_characters_and_full_width_digits(workspace, tmp_path):
    full_width_id = ID_C.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    path = write_csv(
        tmp_path / "staff.csv",
        [
            STAFF_HEADER,
            ["青嵐縣第一小學", USCC_A, "学校", "張 偉", full_width_id, "教師", "2020年9月1日"],
            ["青岚县第一小学", USCC_A.lower(), "学校", "李娜", ID_A.lower(), "保安", "2021/3/1"],
        ],
        "gb18030",
    )
    result = run_import(workspace, "staff_roster", path)
    assert (result.imported, result.rejected) == (2, 0)
    rows = table(workspace, "staff_roster")
    assert rows["employer_name"].to_list() == ["青岚县第一小学", "青岚县第一小学"]
    assert rows["employer_name__raw"].to_list()[0] == "青嵐縣第一小學"
    assert rows["name"].to_list()[0] == "张 伟"
    assert rows["id_card"].to_list() == [ID_C, ID_A]
    assert rows["employer_uscc"].to_list() == [USCC_A, USCC_A]
    assert rows["hired_on"].to_list() == [dt.date(2020, 9, 1), dt.date(2021, 3, 1)]


def test_utf8_bom_csv_with_rejected_rows_reported_in_chinese(workspace, tmp_path):
    wrong_check = ID_C[:-1] + ("0" if ID_C[-1] != "0" else "1")
    path = write_csv(
        tmp_path / "staff.csv",
        [
            STAFF_HEADER,
            ["青岚县第一小学", USCC_A, "学校", "王芳", ID_C, "教师", "2020-09-01"],
            ["青岚县第一小学", USCC_A, "学校", "赵六", wrong_check, "教师", "2020-09-01"],
            ["青岚县第一小学", USCC_A, "学校", "钱七", "5.20203E+17", "教师", "2020-09-01"],
            ["青岚县第一小学", USCC_A, "学校", "孙八", ID_A, "教师", "2020-02-30"],
            ["青岚县第一小学", USCC_A, "学校", "", ID_B, "教师", "2020-09-01"],
        ],
        "utf-8-sig",
    )
    result = run_import(workspace, "staff_roster", path)
    assert (result.imported, result.rejected) == (1, 4)
    by_row = {r[0]: r for r in rejection_rows(result.report)}
    assert by_row[3][1] == "公民身份号码" and "校验码" in by_row[3][3]
    assert by_row[4][2] == "5.20203E+17" and "Excel" in by_row[4][3]
    assert by_row[5][1] == "入职日期" and "不存在" in by_row[5][3]
    assert by_row[6][1] == "姓名" and by_row[6][3] == "必填项为空"


def write_projects_xlsx(path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("项目清单")
    ws.write(0, 0, "青岚县2024年在建工程项目清单")
    ws.write_row(
        2,
        0,
        [
            "序号",
            "项目编号",
            "工程名称",
            "施工单位",
            "施工单位信用代码",
            "合同价款",
            "施工许可证发证日期",
            "项目状态",
            "备注",
        ],
    )
    ws.write_row(
        3,
        0,
        [
            1,
            "QL-001",
            "县医院住院楼",
            "贵州建工",
            USCC_A,
            "650万元",
            "2024年3月1日",
            "在建",
            "重点项目",
        ],
    )
    ws.write_row(
        4, 0, [2, "QL-002", "第二中学教学楼", "黔城建设", USCC_B, 8000000, None, "在建", ""]
    )
    ws.write_number(4, 6, 45352)  # an Excel date serial: 2024-03-01
    ws.write_row(5, 0, ["合计", "", "", "", "", 14500000, "", "", ""])
    book.close()
    return path


def test_xlsx_with_title_row_totals_row_and_extra_column(workspace, tmp_path):
    result = run_import(
        workspace, "construction_projects", write_projects_xlsx(tmp_path / "p.xlsx")
    )
    assert (result.imported, result.rejected, result.skipped) == (2, 0, 1)
    assert result.header_row == 3
    assert set(result.extra_columns) == {"序号", "备注"}
    rows = table(workspace, "construction_projects")
    assert [str(v) for v in rows["contract_amount"]] == ["6500000.00", "8000000.00"]
    assert rows["permit_date"].to_list() == [dt.date(2024, 3, 1)] * 2
    assert "重点项目" in rows["_extra"][0]
    assert rows["_row"].to_list() == [4, 5]


def test_id_typed_as_a_number_in_excel_is_rejected_not_repaired(workspace, tmp_path):
    path = tmp_path / "staff.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet()
    ws.write_row(0, 0, STAFF_HEADER)
    ws.write_row(1, 0, ["青岚县第一小学", USCC_A, "学校", "王芳", ID_C, "教师", "2020-09-01"])
    ws.write_row(2, 0, ["青岚县第一小学", USCC_A, "学校", "李四", "", "教师", "2020-09-01"])
    ws.write_number(2, 4, float(ID_C))  # what Excel does to an ID typed into a General cell
    ws.write_row(3, 0, ["青岚县第一小学", USCC_A, "学校", "周五", "'" + ID_A, "教师", "2020-09-01"])
    book.close()
    result = run_import(workspace, "staff_roster", path)
    assert (result.imported, result.rejected) == (2, 1)
    (row,) = rejection_rows(result.report)
    assert row[0] == 3 and row[1] == "公民身份号码" and "Excel" in row[3]
    assert table(workspace, "staff_roster")["id_card"].to_list() == [ID_C, ID_A]


def test_numeric_id_written_in_lower_case_scientific_notation_is_rejected(workspace, tmp_path):
    # openpyxl (and pandas through it) writes a float as repr() does: "5.202031990010112e+17".
    path = tmp_path / "staff.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(STAFF_HEADER)
    sheet.append(["青岚县第一小学", USCC_A, "学校", "王芳", ID_A, "教师", "2020-09-01"])
    sheet.append(["青岚县第一小学", USCC_A, "学校", "李四", float(ID_C), "教师", "2020-09-01"])
    book.save(path)
    with zipfile.ZipFile(path) as zf:
        assert b"e+17</v>" in zf.read("xl/worksheets/sheet1.xml")
    result = run_import(workspace, "staff_roster", path)
    assert (result.imported, result.rejected) == (1, 1)
    (row,) = rejection_rows(result.report)
    assert row[0] == 3 and row[1] == "公民身份号码" and "Excel" in row[3]


def test_a_styled_empty_corner_cell_does_not_shift_rows_or_columns(workspace, tmp_path):
    """A1 is formatted but empty and the table starts at C3, as when a clerk bolded the corner:
    calamine ignores A1, so rows and columns must be located from what it did read."""
    from openpyxl.styles import Font

    path = tmp_path / "staff.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"].font = Font(bold=True)
    rows = [
        STAFF_HEADER,
        ["青岚县第一小学", USCC_A, "学校", "王芳", ID_A, "教师", "2020-09-01"],
        ["青岚县第一小学", USCC_A, "学校", "李四", float(ID_C), "教师", "2020-09-01"],
        ["青岚县第一小学", USCC_A, "学校", "赵六", "52020", "教师", "2020-09-01"],
    ]
    for i, values in enumerate(rows):
        for j, value in enumerate(values):
            sheet.cell(row=3 + i, column=3 + j, value=value)
    book.save(path)
    with zipfile.ZipFile(path) as zf:
        assert b'<dimension ref="A1:' in zf.read("xl/worksheets/sheet1.xml")
    result = run_import(workspace, "staff_roster", path)
    assert (result.imported, result.rejected) == (1, 2)
    by_row = {r[0]: r for r in rejection_rows(result.report)}
    assert set(by_row) == {5, 6}  # the rows as Excel numbers them
    assert by_row[5][1] == "公民身份号码" and "Excel" in by_row[5][3]
    assert by_row[6][1] == "公民身份号码" and "Excel" not in by_row[6][3]


def test_missing_required_columns_refuse_the_whole_file_naming_them(workspace, tmp_path):
    path = write_csv(tmp_path / "staff.csv", [["姓名", "身份证号"], ["王芳", ID_C]], "utf-8")
    with pytest.raises(UserError) as error:
        run_import(workspace, "staff_roster", path)
    for label in ("单位名称", "单位统一社会信用代码", "单位类别", "入职日期"):
        assert label in error.value.message
    assert Warehouse(workspace.warehouse_dir, workspace.store).batches() == []


def test_unknown_header_maps_with_explicit_mapping(workspace, tmp_path):
    path = write_csv(
        tmp_path / "staff.csv",
        [
            ["工作单位", "单位信用代码", "机构类别", "职工姓名", "证件号码", "受聘时间"],
            ["青岚县第一小学", USCC_A, "学校", "王芳", ID_C, "2020-09-01"],
        ],
        "utf-8",
    )
    with pytest.raises(UserError, match="姓名"):
        run_import(workspace, "staff_roster", path)
    result = run_import(
        workspace, "staff_roster", path, mapping={"职工姓名": "姓名", "受聘时间": "hired_on"}
    )
    assert result.imported == 1


def test_the_same_file_twice_changes_nothing(workspace, tmp_path):
    path = write_projects_xlsx(tmp_path / "p.xlsx")
    first = run_import(workspace, "construction_projects", path)
    before = table(workspace, "construction_projects")
    again = run_import(workspace, "construction_projects", path)
    assert again.already_imported and again.batch_id == first.batch_id
    assert table(workspace, "construction_projects").equals(before)
    assert len(Warehouse(workspace.warehouse_dir, workspace.store).batches()) == 1


def test_newer_snapshot_replaces_by_key_and_events_are_not_double_counted(workspace, tmp_path):
    header = ["项目编号", "缴存单位统一社会信用代码", "缴存方式", "缴存金额", "缴存日期"]
    q1 = write_csv(
        tmp_path / "q1.csv", [header, ["QL-001", USCC_A, "现金", "65000", "2024-03-10"]], "utf-8"
    )
    h1 = write_csv(
        tmp_path / "h1.csv",
        [
            header,
            ["QL-001", USCC_A, "现金", "65,000", "2024/3/10"],
            ["QL-002", USCC_B, "银行保函", "8万元", "2024-05-01"],
        ],
        "utf-8",
    )
    run_import(workspace, "wage_deposits", q1)
    second = run_import(workspace, "wage_deposits", h1)
    assert (second.imported, second.duplicates) == (1, 1)
    assert table(workspace, "wage_deposits")["project_no"].to_list() == ["QL-001", "QL-002"]

    run_import(workspace, "construction_projects", write_projects_xlsx(tmp_path / "p.xlsx"))
    newer = write_csv(
        tmp_path / "p2.csv",
        [
            [
                "项目编号",
                "项目名称",
                "施工总承包单位",
                "总承包单位统一社会信用代码",
                "合同金额",
                "施工许可日期",
                "项目状态",
            ],
            ["QL-001", "县医院住院楼", "贵州建工", USCC_A, "700万元", "2024-03-01", "竣工"],
        ],
        "utf-8",
    )
    run_import(workspace, "construction_projects", newer)
    rows = table(workspace, "construction_projects").sort("project_no")
    assert rows["project_no"].to_list() == ["QL-001", "QL-002"]
    assert rows["status"].to_list() == ["竣工", "在建"]
    assert str(rows["contract_amount"][0]) == "7000000.00"


def test_gcj02_coordinates_are_converted_and_the_originals_kept(workspace, tmp_path):
    path = write_csv(
        tmp_path / "v.csv",
        [
            ["店名", "信用代码", "行业类别", "经度", "纬度", "坐标类型"],
            ["极速网吧", USCC_A, "网咖", "105.505", "26.305", "火星坐标"],
            ["星际网吧", USCC_B, "网吧", "105.505", "26.305", ""],
        ],
        "gb18030",
    )
    result = run_import(workspace, "venues", path, crs="WGS84")
    assert result.rejected == 0
    rows = table(workspace, "venues")
    assert rows["venue_type"].to_list() == ["网吧", "网吧"]
    assert rows["crs"].to_list() == ["GCJ02", "WGS84"]
    assert rows["lon_source"].to_list() == [105.505, 105.505]
    assert rows["lon"][0] != 105.505 and rows["lon"][1] == 105.505


def test_unknown_vocabulary_value_is_rejected_with_the_allowed_values(workspace, tmp_path):
    path = write_csv(
        tmp_path / "s.csv",
        [
            ["学校名称", "学校类型", "统一社会信用代码", "经度", "纬度"],
            ["青岚县实验学校", "完全小学", USCC_A, "105.5", "26.3"],
            ["青岚县特教学校", "特教学校", USCC_B, "105.5", "26.3"],
        ],
        "utf-8",
    )
    result = run_import(workspace, "schools", path, crs="WGS84")
    assert (result.imported, result.rejected) == (1, 1)
    (row,) = rejection_rows(result.report)
    assert row[2] == "完全小学" and "幼儿园、小学" in row[3]


def test_csv_with_a_bare_title_line_above_the_header(workspace, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text(
        "青岚县2026年从业人员名单\n"
        + ",".join(STAFF_HEADER)
        + "\n"
        + f"青岚县第一小学,{USCC_A},学校,王芳,{ID_C},教师,2020-09-01\n"
        + f"青岚县第一小学,{USCC_A},学校,李四,{ID_A},教师\n",  # a short row: 入职日期 missing
        encoding="gb18030",
    )
    result = run_import(workspace, "staff_roster", path)
    assert (result.header_row, result.imported, result.rejected) == (2, 1, 1)
    (row,) = rejection_rows(result.report)
    assert row[0] == 4 and row[1] == "入职日期" and row[3] == "必填项为空"


def test_a_registry_listing_the_same_record_twice_keeps_the_later_row(workspace, tmp_path):
    path = write_csv(
        tmp_path / "s.csv",
        [
            ["学校名称", "学校类型", "统一社会信用代码", "经度", "纬度"],
            ["青岚县第一小学", "小学", USCC_A, "105.5", "26.3"],
            ["青岚县第二小学", "小学", USCC_B, "105.6", "26.3"],
            ["青岚县第一小学（新校区）", "小学", USCC_A, "105.51", "26.31"],
        ],
        "utf-8",
    )
    result = run_import(workspace, "schools", path, crs="WGS84")
    assert (result.imported, result.skipped) == (2, 1)
    book = openpyxl.load_workbook(result.report, read_only=True)
    (skipped,) = list(book["跳过的行"].iter_rows(min_row=2, values_only=True))
    assert skipped[0] == 2 and "第4行" in skipped[1]
    rows = table(workspace, "schools").sort("_row")
    assert rows["name"].to_list() == ["青岚县第二小学", "青岚县第一小学(新校区)"]  # NFKC


@pytest.mark.parametrize("n", [1, 2, 7, 1000, 20_000])
def test_last_row_of_each_key_is_found_as_polars_finds_it(n):
    keys = pl.Series([f"k{i % max(n // 3, 1)}" if i % 5 else f"u{i}" for i in range(n)])
    assert (_is_last_of_key(keys) == keys.is_last_distinct()).all()
