"""The files behind the minors' models: hotel registrations, market register, licences, visits,
reports. Each writer imitates one agency's export (see `files.py` for the conventions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from shujian.demo.county import County
from shujian.demo.manifest import DatasetFile
from shujian.demo.names import COUNTY, to_traditional
from shujian.demo.render import date_cn, date_slash, rejections, render_id, workbook, write_csv


def _moment(value: dt.datetime | None, slash: bool) -> str:
    """2026-03-01 21:34:12, or as Excel shows it under a Chinese locale: 2026/3/1 21:34."""
    if value is None:
        return ""
    if slash:
        return f"{date_slash(value.date())} {value:%H:%M}"
    return f"{value:%Y-%m-%d %H:%M:%S}"


def write_hotel_checkins(county: County, out_dir: Path) -> DatasetFile:
    """公安's 旅馆业 export: GBK CSV, an export line above the header, its own header names."""
    file = "hotel_checkins.csv"
    rows = county.rows["hotel_checkins"]
    ids = [render_id(r["公民身份号码"], r["_style"]) for r in rows]
    header = ["序号", "住宿单位", "单位信用代码", "房号", "房型", "旅客姓名", "证件号码",
              "入住时间", "离店时间", "监护人电话", "与同住人关系"]  # fmt: skip
    # Saved from Excel: the title row keeps the sheet's width as trailing empty cells.
    title = f"{COUNTY}旅馆业治安管理信息系统 住宿登记信息导出（2025-01-01至2026-10-19）"
    title_row = [title] + [""] * (len(header) - 1)
    out_rows: list[list[object]] = [list(header)]
    for i, row in enumerate(rows):
        name = to_traditional(row["姓名"]) if i % 47 == 13 else row["姓名"]
        slash = i % 5 == 3
        out_rows.append(
            [
                i + 1,
                row["旅馆名称"],
                row["旅馆统一社会信用代码"],
                row["房间号"],
                row["房间类型"],
                name,
                ids[i],
                _moment(row["入住时间"], slash),
                _moment(row["退房时间"], slash),
                row["监护人联系方式"],
                row["同住人关系"],
            ]
        )
    write_csv(out_dir / file, title_row, out_rows, "gb18030")
    return DatasetFile(
        dataset="hotel_checkins",
        file=file,
        agency=f"{COUNTY}公安局",
        rows=len(rows),
        encoding="gb18030",
        quirks=(
            "GBK（GB18030）编码",
            "第1行为导出说明，表头在第2行",
            "表头用别名：住宿单位、单位信用代码、房号、房型、旅客姓名、证件号码、离店时间、"
            "监护人电话、与同住人关系",
            "入住、离店时间混用2026-03-01 21:34:12与2026/3/1 21:34",
            "尚未退房的离店时间为空",
            "部分身份证号末位为小写x，少数带空格",
            "少数姓名为繁体字",
        ),
        rejected_rows=rejections(rows, 3, "证件号码", ids),
    )


def write_business_registry(county: County, out_dir: Path) -> DatasetFile:
    """市场监管's register extract: a title row, 主体名称/住所 headers, dates as 2019年3月1日."""
    agency = f"{COUNTY}市场监督管理局"
    file = "business_registry.xlsx"
    rows = county.rows["business_registry"]
    header = ["序号", "主体名称", "统一社会信用代码", "市场主体类型", "法定代表人", "经营范围",
              "住所", "成立日期", "登记状态"]  # fmt: skip
    book = workbook(out_dir / file, agency)
    sheet = book.add_worksheet("市场主体")
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    sheet.merge_range(
        0, 0, 0, len(header) - 1, f"{COUNTY}市场主体登记信息（截至2026年10月）", title
    )
    sheet.write_row(1, 0, header, bold)
    for i, row in enumerate(rows):
        r = i + 2
        scope = row["经营范围"]
        if row["_style"] == "traditional":
            scope = to_traditional(scope)
        address = to_traditional(row["住所"]) if i % 31 == 7 else row["住所"]
        sheet.write_number(r, 0, i + 1)
        sheet.write_string(r, 1, row["企业名称"])
        sheet.write_string(r, 2, row["统一社会信用代码"])
        sheet.write_string(r, 3, row["市场主体类型"])
        sheet.write_string(r, 4, row["法定代表人"])
        sheet.write_string(r, 5, scope)
        sheet.write_string(r, 6, address)
        sheet.write_string(r, 7, date_cn(row["成立日期"]))
        sheet.write_string(r, 8, row["登记状态"])
    book.close()
    return DatasetFile(
        dataset="business_registry",
        file=file,
        agency=agency,
        rows=len(rows),
        sheet="市场主体",
        quirks=(
            "第1行为标题，表头在第2行",
            "表头用别名“主体名称”",
            "成立日期写作“2019年3月1日”",
            "登记状态为“存续”“注销”“吊销，未注销”",
            "个别经营范围、住所为繁体字（如“紋身服務”）",
        ),
    )


def write_medical_licenses(county: County, out_dir: Path) -> DatasetFile:
    """卫健's licence list: 登记号 and 核准诊疗科目 headers, subjects split by ；、, or ;."""
    agency = f"{COUNTY}卫生健康局"
    file = "medical_licenses.xlsx"
    rows = county.rows["medical_licenses"]
    header = ["医疗机构名称", "统一社会信用代码", "登记号", "核准诊疗科目", "有效期截止"]
    book = workbook(out_dir / file, agency)
    sheet = book.add_worksheet("执业许可")
    bold = book.add_format({"bold": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, header, bold)
    for i, row in enumerate(rows):
        r = i + 1
        subjects = row["诊疗科目"].replace("；", ";") if i % 3 == 1 else row["诊疗科目"]
        sheet.write_string(r, 0, row["机构名称"])
        sheet.write_string(r, 1, row["统一社会信用代码"])
        sheet.write_string(r, 2, row["执业许可证号"])
        sheet.write_string(r, 3, subjects)
        until: dt.date = row["有效期至"]
        if i % 4 == 2:
            sheet.write_string(r, 4, f"{until.year}.{until.month}.{until.day}")
        else:
            sheet.write_datetime(r, 4, dt.datetime(until.year, until.month, until.day), date_format)
    book.close()
    return DatasetFile(
        dataset="medical_licenses",
        file=file,
        agency=agency,
        rows=len(rows),
        sheet="执业许可",
        quirks=(
            "表头用别名：医疗机构名称、登记号、核准诊疗科目、有效期截止",
            "诊疗科目的分隔符混用“；”“;”“、”“,”",
            "有效期多为日期单元格，少数写作2029.6.30",
        ),
    )


def write_hospital_visits(county: County, out_dir: Path) -> DatasetFile:
    """全民健康信息平台 extract: UTF-8 with BOM, 就诊时间 with the time of day."""
    file = "hospital_visits.csv"
    rows = county.rows["hospital_visits"]
    header = ["就诊机构", "机构信用代码", "姓名", "身份证号", "就诊时间", "诊断", "ICD-10编码"]
    out_rows = []
    for i, row in enumerate(rows):
        day: dt.date = row["就诊日期"]
        minute = (i * 37) % 600
        moment = f"{day:%Y-%m-%d} {8 + minute // 60:02d}:{minute % 60:02d}"
        out_rows.append(
            [
                row["医疗机构名称"],
                row["医疗机构统一社会信用代码"],
                row["患者姓名"],
                render_id(row["公民身份号码"], row["_style"]),
                moment,
                row["诊断名称"],
                row["诊断编码"],
            ]
        )
    write_csv(out_dir / file, header, out_rows, "utf-8-sig")
    return DatasetFile(
        dataset="hospital_visits",
        file=file,
        agency=f"{COUNTY}卫生健康局",
        rows=len(rows),
        encoding="utf-8-sig",
        quirks=(
            "UTF-8带BOM",
            "表头用别名：就诊机构、机构信用代码、身份证号、就诊时间、诊断、ICD-10编码",
            "就诊时间带时分（按日期比对）",
            "诊断编码为国家临床版扩展码（如O04.901），前三位为ICD-10类目",
            "部分身份证号末位为小写x，个别为全角数字",
        ),
    )


def write_mandatory_reports(county: County, out_dir: Path) -> DatasetFile:
    """公安's intake log of mandatory reports: 报告机构/受理日期 headers, a 合计 row."""
    agency = f"{COUNTY}公安局"
    file = "mandatory_reports.xlsx"
    rows = county.rows["mandatory_reports"]
    header = ["序号", "报告机构", "报告单位统一社会信用代码", "未成年人身份证号", "受理日期"]
    book = workbook(out_dir / file, agency)
    sheet = book.add_worksheet("强制报告受理")
    bold = book.add_format({"bold": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, header, bold)
    for i, row in enumerate(rows):
        r = i + 1
        day: dt.date = row["报告日期"]
        sheet.write_number(r, 0, i + 1)
        sheet.write_string(r, 1, row["报告单位"])
        sheet.write_string(r, 2, row["报告单位统一社会信用代码"])
        sheet.write_string(r, 3, row["被害人公民身份号码"])
        if i % 3 == 1:
            sheet.write_string(r, 4, date_cn(day))
        else:
            sheet.write_datetime(r, 4, dt.datetime(day.year, day.month, day.day), date_format)
    total_row = len(rows) + 1
    sheet.write_string(total_row, 0, "合计")
    sheet.write_string(total_row, 4, f"共{len(rows)}件")
    book.close()
    return DatasetFile(
        dataset="mandatory_reports",
        file=file,
        agency=agency,
        rows=len(rows),
        sheet="强制报告受理",
        quirks=(
            "表头用别名：报告机构、未成年人身份证号、受理日期",
            "村（居）民委员会报告的，无统一社会信用代码",
            "受理日期混用日期单元格与“2026年3月1日”",
            f"末行为合计行（第{total_row + 1}行），不是数据",
        ),
    )


MINORS_WRITERS: tuple[Callable[[County, Path], DatasetFile], ...] = (
    write_hotel_checkins,
    write_business_registry,
    write_medical_licenses,
    write_hospital_visits,
    write_mandatory_reports,
)
