"""The juvenile datasets' files as the agencies send them.

Each dataset's rows are written twice: as a GBK CSV with a title line above the header, and as an
xlsx whose two title rows are merged across the sheet. Headers use the contract's aliases, cells
traditional characters, categories and visit targets their alias forms; one row in each file has a
value the dataset does not allow and is rejected with its reason, while the rest import.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
import xlsxwriter

from shujian.data.fields.uscc import ALPHABET, WEIGHTS
from shujian.data.importer import ImportOptions, import_file
from shujian.data.warehouse import Warehouse
from shujian.engine.duckdb import DuckDBEngine
from shujian.workspace import Workspace


def id_card(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def uscc(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return first17 + ALPHABET[(31 - total % 31) % 31]


MINOR_A = id_card("52020320100315061")
MINOR_B = id_card("52020320110704072")
MINOR_C = id_card("52020320090101083")
MINOR_D = id_card("52020320120520094")
MINOR_E = id_card("52020320081230015")
MINOR_F = id_card("52020320130909026")
MINOR_G = id_card("52020320100101037")
MINOR_H = id_card("52020320110202048")
GUARDIAN = id_card("52020319820611021")
CAFE = uscc("92520203MA6XY312P")
WRONG_CAFE = CAFE[:-1] + ("0" if CAFE[-1] != "0" else "1")


@dataclass(frozen=True)
class AgencyFile:
    """One agency's file: its title, header (aliases), rows, and what the import must make of them."""

    dataset: str
    title: str
    header: list[str]
    rows: list[list[str]]
    stored: dict[str, list[Any]]
    """Column id → the stored values of the imported rows, in file order."""
    rejected: dict[int, tuple[str, str]] = field(default_factory=dict)
    """Index of a data row (0-based) → (column label, a part of the reason)."""


FILES = [
    AgencyFile(
        "key_minors",
        "青岚县2026年重点未成年人名册",
        [
            "序号",
            "未成年人姓名",
            "身份证号",
            "人员类别",
            "具体情形",
            "纳入日期",
            "乡镇(街道)",
            "村居",
            "学校",
            "监护人",
            "监护人身份证号",
            "联系电话",
            "销号日期",
            "销号原因",
        ],
        [
            [
                "1",
                "張小明",
                MINOR_A,
                "單親離異",
                "離異",
                "2025年3月1日",
                "青嵐鎮",
                "紅星村",
                "青嵐縣第一中學",
                "張大山",
                GUARDIAN,
                "13885001234",
                "",
                "",
            ],
            [
                "2",
                "李小紅",
                MINOR_B,
                "困境留守",
                "農村留守兒童",
                "2025/3/2",
                "青嵐鎮",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
            [
                "3",
                "王強",
                MINOR_C,
                "嚴重不良行為",
                "盜竊",
                "2025.4.1",
                "東山鄉",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
            [
                "4",
                "趙剛",
                MINOR_D,
                "觸法",
                "",
                "20250402",
                "東山鄉",
                "",
                "",
                "",
                "",
                "",
                "2025-12-31",
                "年滿十八周歲",
            ],
            [
                "5",
                "孫麗",
                MINOR_E,
                "刑滿釋放",
                "",
                "2025-05-01",
                "西河街道",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
            [
                "6",
                "周濤",
                MINOR_F,
                "沉迷網絡",
                "",
                "2025-05-02",
                "西河街道",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
            [
                "7",
                "吳敏",
                MINOR_G,
                "賭博",
                "",
                "2025-05-03",
                "西河街道",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
            [
                "8",
                "鄭傑",
                MINOR_H,
                "留守",
                "",
                "2025-05-04",
                "西河街道",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
            [
                "9",
                "李小紅",
                MINOR_B,
                "待業",
                "初中畢業未升學",
                "2025-06-01",
                "青嵐鎮",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
            [
                "10",
                "周濤",
                MINOR_F,
                "serious_misconduct",
                "",
                "2025-06-02",
                "西河街道",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
        ],
        {
            "name": ["张小明", "李小红", "王强", "赵刚", "孙丽", "周涛", "李小红", "周涛"],
            "category": [
                "single_parent",
                "care_gap",
                "serious_misconduct",
                "serious_misconduct",
                "corrections",
                "misconduct",
                "idle_after_school",
                "serious_misconduct",
            ],
            "town": [
                "青岚镇",
                "青岚镇",
                "东山乡",
                "东山乡",
                "西河街道",
                "西河街道",
                "青岚镇",
                "西河街道",
            ],
            "school": ["青岚县第一中学", None, None, None, None, None, None, None],
            "guardian_id_card": [GUARDIAN, None, None, None, None, None, None, None],
        },
        {6: ("类别", "第三十八条第八项"), 7: ("类别", "“留守”不是规定的类别")},
    ),
    AgencyFile(
        "minor_assignments",
        "青岚县重点未成年人包保帮扶责任落实情况",
        [
            "帮扶对象身份证号",
            "责任单位",
            "帮扶责任人",
            "联系电话",
            "帮扶方式",
            "起始日期",
            "终止日期",
        ],
        [
            [MINOR_A, "青嵐鎮人民政府", "陳志強", "13985000001", "1對1", "2025-03-05", ""],
            [
                MINOR_B,
                "青嵐鎮紅星村委會",
                "劉芳",
                "13985000002",
                "一對多",
                "2025/3/6",
                "2025/12/31",
            ],
            [MINOR_C, "東山派出所", "黃偉", "", "多對一幫扶", "2025年4月3日", ""],
            [MINOR_D, "東山鄉司法所", "楊潔", "", "二對一", "2025-04-05", ""],
        ],
        {
            "unit": ["青岚镇人民政府", "青岚镇红星村委会", "东山派出所"],
            "responsible": ["陈志强", "刘芳", "黄伟"],
            "assignment_mode": ["一对一", "一对多", "多对一"],
        },
        {3: ("包保方式", "“二对一”不是规定的包保方式（应为：一对一、一对多、多对一）")},
    ),
    AgencyFile(
        "minor_visits",
        "四访五帮走访帮扶记录（2026年3月）",
        ["帮扶对象身份证号", "走访时间", "访谈对象", "走访人员", "五帮内容", "措施", "走访情况"],
        [
            [MINOR_C, "2026-03-02", "本人", "黃偉", "學業，法治", "心理疏導；勸返", "在校表現良好"],
            [MINOR_C, "2026-03-02", "家長、老師", "黃偉", "幫安全", "家庭教育", ""],
            [MINOR_C, "2026-03-09", "村委會", "黃偉", "幫法制", "", ""],
            [MINOR_C, "2026-03-16", "社區（村）負責人", "黃偉", "", "", ""],
            [MINOR_D, "2026-03-03", "學校老師或同學", "楊潔", "習慣", "其他", ""],
            [MINOR_D, "2026-03-04", "家庭成員 居委會", "楊潔", "", "", ""],
            [MINOR_D, "2026-03-05", "鄰居", "楊潔", "", "", ""],
        ],
        {
            "target": ["本人", "家庭、学校", "社区", "社区", "学校", "家庭、社区"],
            "help_content": ["帮学业、帮法治", "帮安全", "帮法治", None, "帮习惯", None],
            "measures": ["心理辅导、劝返回校", "家庭教育指导", None, None, "其他", None],
            "visitor": ["黄伟", "黄伟", "黄伟", "黄伟", "杨洁", "杨洁"],
        },
        {6: ("走访对象", "“邻居”不是规定的走访对象（应为：本人、家庭、学校、社区）")},
    ),
    AgencyFile(
        "minor_conduct",
        "青岚县公安局未成年人不良行为、严重不良行为处置情况",
        ["姓名", "身份证号", "发现日期", "性质", "行为表现", "矫治教育措施", "办理单位"],
        [
            ["王強", MINOR_C, "2026-01-10", "嚴重不良行為", "盜竊", "訓誡", "東山派出所"],
            ["王強", MINOR_C, "2026-01-10", "一般不良行為", "飲酒", "", "東山派出所"],
            [
                "趙剛",
                MINOR_D,
                "2026-02-11",
                "觸法",
                "故意傷害",
                "責令賠禮道歉、賠償損失",
                "東山派出所",
            ],
            ["周濤", MINOR_F, "2026-02-12", "犯罪", "搶劫", "", "西河派出所"],
            ["周濤", MINOR_F, "2026-02-13", "不良行為", "逃學", "專門教育", "西河派出所"],
        ],
        {
            "conduct_class": ["严重不良行为", "不良行为", "触法"],
            "act": ["盗窃", "饮酒", "故意伤害"],
            "measures": ["训诫", None, "责令赔礼道歉、责令赔偿损失"],
        },
        {
            3: ("行为类别", "“犯罪”不是规定的行为类别（应为：不良行为、严重不良行为、触法）"),
            4: ("处置措施", "专门矫治教育"),
        },
    ),
    AgencyFile(
        "school_dropouts",
        "青岚县义务教育阶段控辍保学台账",
        ["学生姓名", "身份证号", "原就读学校", "年级段", "辍学日期", "复学日期", "辍学原因"],
        [
            ["李小紅", MINOR_B, "青嵐縣第二中學", "初二", "2026-02-20", "", "厭學"],
            ["周濤", MINOR_F, "西河小學", "五年級", "2026/3/1", "2026/3/20", "外出務工"],
            ["鄭傑", MINOR_H, "青嵐縣第一中學", "初中", "2026年3月2日", "", ""],
            ["吳敏", MINOR_G, "青嵐縣高級中學", "高中", "2026-03-03", "", ""],
        ],
        {
            "name": ["李小红", "周涛", "郑杰"],
            "stage": ["初中", "小学", "初中"],
            "school": ["青岚县第二中学", "西河小学", "青岚县第一中学"],
        },
        {3: ("学段", "“高中”不是规定的学段（应为：小学、初中）")},
    ),
    AgencyFile(
        "netcafe_logins",
        "星际网咖上网实名登记记录导出",
        ["网吧名称", "信用代码", "上网人员姓名", "证件号码", "上网时间", "结束时间"],
        [
            ["星際網咖", CAFE, "周濤", MINOR_F, "2026/3/1 21:34", "2026/3/1 23:50"],
            ["星際網咖", CAFE.lower(), "鄭傑", MINOR_H, "2026-03-02 19:05:00", ""],
            ["星際網咖", WRONG_CAFE, "吳敏", MINOR_G, "2026-03-03 20:00", ""],
        ],
        {
            "venue_name": ["星际网咖", "星际网咖"],
            "venue_uscc": [CAFE, CAFE],
            "name": ["周涛", "郑杰"],
        },
        {2: ("场所统一社会信用代码", "校验")},
    ),
]


def gbk_csv_with_a_title_line(path: Path, f: AgencyFile) -> tuple[Path, int]:
    """The title on the first line, the header on the second; returns the header's row number."""
    with path.open("w", encoding="gbk", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([f.title])
        writer.writerow(f.header)
        writer.writerows(f.rows)
    return path, 2


def xlsx_with_merged_title_rows(path: Path, f: AgencyFile) -> tuple[Path, int]:
    """Two title rows merged across the sheet, then the header on the third row."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Sheet1")
    last = len(f.header) - 1
    sheet.merge_range(0, 0, 0, last, f.title)
    sheet.merge_range(1, 0, 1, last, "填报单位（盖章）：          填报日期：2026年4月1日")
    sheet.write_row(2, 0, f.header)
    for i, row in enumerate(f.rows):
        sheet.write_row(3 + i, 0, row)
    book.close()
    return path, 3


WRITERS = {"gbk_csv": gbk_csv_with_a_title_line, "xlsx": xlsx_with_merged_title_rows}


def _stored(ws: Workspace, dataset: str) -> pl.DataFrame:
    with DuckDBEngine(Warehouse(ws.warehouse_dir, ws.store), ws.datasets()) as db:
        db.register([dataset])
        return db.query(f"SELECT * FROM {dataset} ORDER BY _row")


def _rejections(report: Path) -> dict[int, tuple[str, str, str]]:
    book = openpyxl.load_workbook(report, read_only=True)
    return {
        int(r[0]): (str(r[1]), str(r[2]), str(r[3]))
        for r in book["退回记录"].iter_rows(min_row=2, values_only=True)
    }


@pytest.mark.parametrize("kind", sorted(WRITERS))
@pytest.mark.parametrize("f", FILES, ids=lambda f: f.dataset)
def test_an_agency_file_imports_with_aliases_traditional_characters_and_a_rejected_row(
    workspace: Workspace, tmp_path: Path, f: AgencyFile, kind: str
):
    suffix = "csv" if kind == "gbk_csv" else "xlsx"
    path, header_row = WRITERS[kind](tmp_path / f"{f.dataset}.{suffix}", f)
    result = import_file(
        Warehouse(workspace.warehouse_dir, workspace.store),
        workspace.reports_dir,
        workspace.datasets()[f.dataset],
        path,
        ImportOptions(),
    )
    assert result.header_row == header_row
    assert (result.imported, result.rejected) == (len(f.rows) - len(f.rejected), len(f.rejected))
    assert set(result.extra_columns) <= {"序号"}
    stored = _stored(workspace, f.dataset)
    for column, values in f.stored.items():
        got = stored[column].to_list()
        assert got == values, column
    assert result.report is not None
    refused = _rejections(result.report)
    assert sorted(refused) == sorted(header_row + 1 + i for i in f.rejected)
    for i, (label, reason) in f.rejected.items():
        column, _value, why = refused[header_row + 1 + i]
        assert column == label
        assert reason in why, why


def test_the_ledger_sent_again_with_a_return_date_replaces_the_row(workspace: Workspace, tmp_path):
    """A 控辍保学台账 comes again as pupils return: one record per (pupil, 离校日期), now returned."""
    header = ["姓名", "公民身份号码", "学校", "学段", "离校日期", "劝返日期"]
    first = [["李小红", MINOR_B, "青岚县第二中学", "初中", "2026-02-20", ""]]
    again = [
        ["李小红", MINOR_B, "青岚县第二中学", "初中", "2026-02-20", "2026-03-10"],
        ["周涛", MINOR_F, "西河小学", "小学", "2026-03-01", ""],
    ]
    for n, rows in enumerate((first, again)):
        path = tmp_path / f"dropouts-{n}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([header, *rows])
        import_file(
            Warehouse(workspace.warehouse_dir, workspace.store),
            workspace.reports_dir,
            workspace.datasets()["school_dropouts"],
            path,
            ImportOptions(),
        )
    stored = _stored(workspace, "school_dropouts").sort("id_card")
    assert stored["id_card"].to_list() == sorted([MINOR_B, MINOR_F])
    returned = dict(zip(stored["id_card"], stored["returned_on"], strict=True))
    assert str(returned[MINOR_B]) == "2026-03-10" and returned[MINOR_F] is None
