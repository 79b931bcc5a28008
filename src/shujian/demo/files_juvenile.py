"""The files behind the juvenile models (护苗 / 预警): the register of key minors, the assignments
and visits of the city's 护苗 system, the police's conduct records, the education bureau's
控辍保学 ledger and the 网吧 real-name logins. Each writer imitates one agency's export (see
`files.py` for the conventions): title rows, alias headers, categories and targets in the words
the agencies use, dates in three styles, traditional characters here and there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shujian.demo.county import AS_OF, County
from shujian.demo.manifest import DatasetFile
from shujian.demo.names import COUNTY, to_traditional
from shujian.demo.render import date_cn, date_dot, date_slash, rejections, render_id, workbook
from shujian.demo.render import write_csv as _write_csv

HUMIAO = f"{COUNTY}护苗办"
"""The office that keeps the register and runs the 护苗 system's exports."""

_NO_SCHOOL = ("", "无", "/", "")
"""How the register leaves 就读学校 of a minor not at school: blank, or a placeholder."""


def _write_text(sheet: Any, r: int, c: int, text: str | None) -> None:
    """A text cell; an empty value leaves the cell blank, as Excel does."""
    if text:
        sheet.write_string(r, c, text)


def _write_date(sheet: Any, r: int, c: int, day: dt.date | None, fmt: Any, style: int) -> None:
    """A date as a date cell (most), or as text 2026年3月1日 (style 1) or 2026.3.1 (style 2)."""
    if day is None:
        return
    if style == 1:
        sheet.write_string(r, c, date_cn(day))
    elif style == 2:
        sheet.write_string(r, c, date_dot(day))
    else:
        sheet.write_datetime(r, c, dt.datetime(day.year, day.month, day.day), fmt)


def write_key_minors(county: County, out_dir: Path) -> DatasetFile:
    """护苗办's register: a title row, the lead units' own words for 类别, placeholders for no
    school, a mistyped ID number."""
    file = "key_minors.xlsx"
    rows = county.rows["key_minors"]
    header = ["序号", "未成年人姓名", "身份证号", "人员类别", "具体情形", "纳入日期", "乡镇(街道)",
              "村居", "学校", "监护人", "监护人身份证号", "联系电话", "销号日期", "销号原因"]  # fmt: skip
    ids = [render_id(r["公民身份号码"], r["_style"]) for r in rows]
    book = workbook(out_dir / file, HUMIAO)
    sheet = book.add_worksheet("名册")
    bold = book.add_format({"bold": True, "align": "center"})
    title = book.add_format({"bold": True, "font_size": 16, "align": "center"})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.merge_range(
        0, 0, 0, len(header) - 1, f"{COUNTY}重点未成年人名册（截至{date_cn(AS_OF)}）", title
    )
    sheet.write_row(1, 0, header, bold)
    for i, row in enumerate(rows):
        r = i + 2
        name = to_traditional(row["姓名"]) if i % 37 == 11 else row["姓名"]
        school = row["就读学校"] or _NO_SCHOOL[i % len(_NO_SCHOOL)]
        sheet.write_number(r, 0, i + 1)
        sheet.write_string(r, 1, name)
        sheet.write_string(r, 2, ids[i])
        sheet.write_string(r, 3, row["_written"])
        _write_text(sheet, r, 4, row["细类"])
        _write_date(sheet, r, 5, row["认定日期"], date_format, 1 if i % 6 == 4 else 0)
        for c, key in enumerate(("所属乡镇（街道）", "村（社区）"), 6):
            _write_text(sheet, r, c, row[key])
        _write_text(sheet, r, 8, school)
        _write_text(sheet, r, 9, row["监护人姓名"])
        _write_text(sheet, r, 10, row["监护人公民身份号码"])
        _write_text(sheet, r, 11, row["监护人联系电话"])
        _write_date(sheet, r, 12, row["退出日期"], date_format, 1 if i % 2 else 0)
        _write_text(sheet, r, 13, row["退出原因"])
    book.close()
    return DatasetFile(
        dataset="key_minors",
        file=file,
        agency=HUMIAO,
        rows=len(rows),
        sheet="名册",
        quirks=(
            "第1行为标题，表头在第2行",
            "表头用别名：未成年人姓名、身份证号、人员类别、具体情形、纳入日期、乡镇(街道)、村居、学校、"
            "监护人、监护人身份证号、联系电话、销号日期、销号原因",
            "人员类别按各牵头单位的写法：全称、简称（单亲离异、困境留守、待业）或细类（盗窃、农村留守儿童），"
            "个别为繁体字（單親離異、嚴重不良行為）",
            "一人多类的，每类一行",
            "不在校的“学校”为空，或填“无”“/”",
            "纳入日期多为日期单元格，少数写作“2025年3月1日”",
            "一行身份证号校验码错误（录入错误）",
            "部分身份证号末位为小写x，少数姓名为繁体字",
        ),
        rejected_rows=rejections(rows, 3, "身份证号", ids),
    )


def write_minor_assignments(county: County, out_dir: Path) -> DatasetFile:
    """护苗 system's export of assignments: GBK CSV under an export line, 帮扶 headers."""
    file = "minor_assignments.csv"
    rows = county.rows["minor_assignments"]
    header = ["序号", "帮扶对象身份证号", "帮扶单位", "帮扶责任人", "联系电话", "帮扶方式",
              "包保日期", "终止日期"]  # fmt: skip
    title = f"{COUNTY}护苗信息系统 包保帮扶责任导出（导出时间：{AS_OF.isoformat()} 08:30）"
    out_rows: list[list[object]] = [list(header)]
    for i, row in enumerate(rows):
        started: dt.date = row["开始日期"]
        ended: dt.date | None = row["结束日期"]
        slash = i % 3 == 1
        out_rows.append(
            [
                i + 1,
                row["公民身份号码"],
                row["包保单位"],
                row["包保责任人"],
                row["责任人联系电话"],
                row["_written"],
                date_slash(started) if slash else started.isoformat(),
                "" if ended is None else (date_slash(ended) if slash else ended.isoformat()),
            ]
        )
    _write_csv(out_dir / file, [title] + [""] * (len(header) - 1), out_rows, "gb18030")
    return DatasetFile(
        dataset="minor_assignments",
        file=file,
        agency=HUMIAO,
        rows=len(rows),
        encoding="gb18030",
        quirks=(
            "GBK（GB18030）编码",
            "第1行为导出说明，表头在第2行",
            "表头用别名：帮扶对象身份证号、帮扶单位、帮扶责任人、联系电话、帮扶方式、包保日期、终止日期",
            "帮扶方式混用“一对一”“1对1”“一对一帮扶”“一对多包保”“多对1”",
            "日期混用2026-03-01与2026/3/1；仍在包保的终止日期为空",
            "一人可有多条包保（多对一），或先后两条（更换责任人）",
        ),
    )


def write_minor_visits(county: County, out_dir: Path) -> DatasetFile:
    """护苗 system's visit log: whom the helper met in their own words, 五帮 without 帮."""
    file = "minor_visits.xlsx"
    rows = county.rows["minor_visits"]
    header = [
        "序号",
        "帮扶对象身份证号",
        "走访时间",
        "访谈对象",
        "帮扶人",
        "五帮内容",
        "措施",
        "走访情况",
    ]
    book = workbook(out_dir / file, HUMIAO)
    sheet = book.add_worksheet("走访记录")
    bold = book.add_format({"bold": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, header, bold)
    for i, row in enumerate(rows):
        r = i + 1
        sheet.write_number(r, 0, i + 1)
        sheet.write_string(r, 1, row["公民身份号码"])
        _write_date(sheet, r, 2, row["走访日期"], date_format, 2 if i % 8 == 3 else 0)
        sheet.write_string(r, 3, row["_written"])
        sheet.write_string(r, 4, row["走访人"])
        _write_text(sheet, r, 5, row["帮扶内容"])
        _write_text(sheet, r, 6, row["帮扶措施"])
        notes = to_traditional(row["记录"]) if i % 29 == 6 else row["记录"]
        _write_text(sheet, r, 7, notes)
    book.close()
    return DatasetFile(
        dataset="minor_visits",
        file=file,
        agency=HUMIAO,
        rows=len(rows),
        sheet="走访记录",
        quirks=(
            "表头用别名：帮扶对象身份证号、走访时间、访谈对象、帮扶人、五帮内容、措施、走访情况",
            "访谈对象写所见的人（家长、监护人、班主任、村委会、居委会、社区（村）负责人……），"
            "一次见几类的以顿号、逗号、斜杠或空格分隔",
            "五帮内容有的不带“帮”字，有的写“法制”",
            "措施混用“心理疏导”“家庭教育”等写法",
            "走访时间多为日期单元格，少数写作2026.9.3",
        ),
    )


def write_minor_conduct(county: County, out_dir: Path) -> DatasetFile:
    """公安's records of minors' conduct: GBK CSV, 性质 in the stations' words."""
    file = "minor_conduct.csv"
    rows = county.rows["minor_conduct"]
    header = [
        "序号",
        "姓名",
        "身份证号",
        "发生日期",
        "性质",
        "行为表现",
        "矫治教育措施",
        "办理单位",
    ]
    out_rows = []
    for i, row in enumerate(rows):
        day: dt.date = row["行为日期"]
        name = to_traditional(row["姓名"]) if i % 43 == 9 else row["姓名"]
        out_rows.append(
            [
                i + 1,
                name,
                row["公民身份号码"],
                date_slash(day) if i % 4 == 2 else day.isoformat(),
                row["_written"],
                row["行为"],
                row["处置措施"],
                row["处置单位"],
            ]
        )
    _write_csv(out_dir / file, header, out_rows, "gb18030")
    return DatasetFile(
        dataset="minor_conduct",
        file=file,
        agency=f"{COUNTY}公安局",
        rows=len(rows),
        encoding="gb18030",
        quirks=(
            "GBK（GB18030）编码",
            "表头用别名：身份证号、发生日期、性质、行为表现、矫治教育措施、办理单位",
            "性质混用“不良行为”“一般不良行为”“严重不良”“触法行为”",
            "矫治教育措施一格多项，以顿号或分号分隔；“责令赔礼道歉、赔偿损失”为两项",
            "同一人同一天可有两条（行为不同）",
            "日期混用2026-03-01与2026/3/1，少数姓名为繁体字",
        ),
    )


def write_school_dropouts(county: County, out_dir: Path) -> DatasetFile:
    """教育局's 控辍保学 ledger: a title row, grades for 学段, dates as 2026年3月1日."""
    agency = f"{COUNTY}教育局"
    file = "school_dropouts.xlsx"
    rows = county.rows["school_dropouts"]
    header = [
        "序号",
        "学生姓名",
        "身份证号",
        "原就读学校",
        "年级段",
        "辍学日期",
        "复学日期",
        "辍学原因",
    ]
    book = workbook(out_dir / file, agency)
    sheet = book.add_worksheet("台账")
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.merge_range(0, 0, 0, len(header) - 1, f"{COUNTY}控辍保学工作台账（2025—2026学年）", title)
    sheet.write_row(1, 0, header, bold)
    for i, row in enumerate(rows):
        r = i + 2
        name = to_traditional(row["姓名"]) if i % 11 == 7 else row["姓名"]
        sheet.write_number(r, 0, i + 1)
        sheet.write_string(r, 1, name)
        sheet.write_string(r, 2, row["公民身份号码"])
        sheet.write_string(r, 3, row["学校"])
        sheet.write_string(r, 4, row["_written"])
        _write_date(sheet, r, 5, row["离校日期"], date_format, 0 if i % 4 == 3 else 1)
        _write_date(sheet, r, 6, row["劝返日期"], date_format, 0 if i % 4 == 3 else 1)
        _write_text(sheet, r, 7, row["原因"])
    book.close()
    return DatasetFile(
        dataset="school_dropouts",
        file=file,
        agency=agency,
        rows=len(rows),
        sheet="台账",
        quirks=(
            "第1行为标题，表头在第2行",
            "表头用别名：学生姓名、身份证号、原就读学校、年级段、辍学日期、复学日期、辍学原因",
            "年级段混用“小学”“初中”和年级（五年级、初二、八年级）",
            "日期多写作“2026年3月1日”，少数为日期单元格；尚未劝返的复学日期为空",
            "同一学生两次辍学的，各占一行",
            "少数姓名为繁体字",
        ),
    )


def _moment(value: dt.datetime | None, slash: bool) -> str:
    if value is None:
        return ""
    if slash:
        return f"{date_slash(value.date())} {value:%H:%M}"
    return f"{value:%Y-%m-%d %H:%M:%S}"


def write_netcafe_logins(county: County, out_dir: Path) -> DatasetFile:
    """网安's real-name login export: UTF-8 with BOM, 网吧名称/上网时间 headers, mixed times."""
    file = "netcafe_logins.csv"
    rows = county.rows["netcafe_logins"]
    header = ["网吧名称", "信用代码", "上网人员姓名", "证件号码", "上网时间", "结束时间"]
    out_rows = []
    for i, row in enumerate(rows):
        uscc = row["场所统一社会信用代码"]
        slash = i % 6 == 5
        out_rows.append(
            [
                row["场所名称"],
                uscc.lower() if i % 97 == 13 else uscc,
                to_traditional(row["姓名"]) if i % 61 == 17 else row["姓名"],
                render_id(row["公民身份号码"], row["_style"]),
                _moment(row["上机时间"], slash),
                _moment(row["下机时间"], slash),
            ]
        )
    _write_csv(out_dir / file, header, out_rows, "utf-8-sig")
    return DatasetFile(
        dataset="netcafe_logins",
        file=file,
        agency=f"{COUNTY}公安局网络安全保卫大队",
        rows=len(rows),
        encoding="utf-8-sig",
        quirks=(
            "UTF-8带BOM",
            "表头用别名：网吧名称、信用代码、上网人员姓名、证件号码、上网时间、结束时间",
            "时间混用2026-09-03 21:34:12与2026/9/3 21:34；导出时仍在上网的结束时间为空",
            "少数信用代码为小写，少数姓名为繁体字",
        ),
    )


JUVENILE_WRITERS: tuple[Callable[[County, Path], DatasetFile], ...] = (
    write_key_minors,
    write_minor_assignments,
    write_minor_visits,
    write_minor_conduct,
    write_school_dropouts,
    write_netcafe_logins,
)
