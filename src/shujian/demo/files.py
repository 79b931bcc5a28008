"""Write the county's tables as the agencies' own files, with the mess real exports carry.

The importer is only proven on files that look like what a procuratorate is actually handed: an
education bureau's Excel list with a title row above the header and a 备注 column; a market
regulator's CSV in GBK with its own header names and coordinates copied partly from 高德 (GCJ-02);
a roster saved from Excel as UTF-8 with BOM, where one ID number has become 5.20203E+17, others
have a lower-case x or full-width digits; a police export with a 合计 row at the bottom; amounts
written 650万元 or 1,250,000.00; dates written 2026年3月1日. Each writer returns the manifest
entry for its file, including the rows the importer must reject.

Output is byte-for-byte reproducible: no timestamps (the workbook's creation date is fixed) and
no randomness beyond the county's own seeded generator. The shared renderings live in
`render.py`; the writers of the newer datasets in `files_minors.py` and `files_admin.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from shujian.demo.county import County
from shujian.demo.files_admin import ADMIN_WRITERS
from shujian.demo.files_juvenile import JUVENILE_WRITERS
from shujian.demo.files_minors import MINORS_WRITERS
from shujian.demo.manifest import DatasetFile
from shujian.demo.names import COUNTY, to_traditional
from shujian.demo.render import (
    date_cn,
    date_dot,
    date_slash,
    money_commas,
    money_wan,
    rejections,
    render_id,
    render_uscc,
    workbook,
    write_csv,
)

# ---- one writer per dataset ----------------------------------------------------------------


def write_schools(county: County, out_dir: Path) -> DatasetFile:
    """教育局's Excel list: title row, 序号 and 备注 columns, no 坐标系 (surveyed by GPS)."""
    agency = f"{COUNTY}教育局"
    file = "schools.xlsx"
    rows = county.rows["schools"]
    header = [
        "序号",
        "学校名称",
        "学校类型",
        "办学性质",
        "统一社会信用代码",
        "地址",
        "经度",
        "纬度",
        "备注",
    ]
    book = workbook(out_dir / file, agency)
    sheet = book.add_worksheet("名录")
    bold = book.add_format({"bold": True, "align": "center"})
    title = book.add_format({"bold": True, "font_size": 16, "align": "center"})
    coord = book.add_format({"num_format": "0.000000"})
    sheet.merge_range(0, 0, 0, len(header) - 1, f"{COUNTY}2026年中小学幼儿园名录", title)
    sheet.write_row(1, 0, header, bold)
    for i, row in enumerate(rows):
        r = i + 2
        sheet.write_number(r, 0, i + 1)
        for c, key in enumerate(
            ("学校名称", "学校类型", "办学性质", "统一社会信用代码", "地址"), 1
        ):
            sheet.write_string(r, c, row[key])
        if row.get("_style") == "traditional":
            sheet.write_string(r, 1, to_traditional(row["学校名称"]))
        sheet.write_number(r, 6, row["经度"], coord)
        sheet.write_number(r, 7, row["纬度"], coord)
        sheet.write_string(r, 8, row["_note"])
    book.close()
    return DatasetFile(
        dataset="schools",
        file=file,
        agency=agency,
        rows=len(rows),
        crs="WGS84",
        sheet="名录",
        quirks=(
            "第1行为标题“青岚县2026年中小学幼儿园名录”，表头在第2行",
            "多出“序号”“备注”两列",
            "无坐标系列，整表为WGS-84",
            "个别学校名称为繁体字",
        ),
    )


_VENUE_HEADER = {
    "场所名称": "店名",
    "统一社会信用代码": "统一社会信用代码",
    "场所类型": "行业类别",
    "许可证号": "许可证号",
    "地址": "经营地址",
    "经度": "经度",
    "纬度": "纬度",
    "坐标系": "坐标系",
    "经营状态": "经营状态",
    "联系电话": "联系电话",
}


def write_venues(county: County, out_dir: Path) -> DatasetFile:
    """市场监管's CSV in GBK with its own header names and a 坐标系 per row (WGS84/GCJ02 mixed)."""
    file = "venues.csv"
    rows = county.rows["venues"]
    uscc_texts = [render_uscc(r["统一社会信用代码"], r["_style"]) for r in rows]
    out_rows = []
    for i, row in enumerate(rows):
        address = to_traditional(row["地址"]) if i % 29 == 5 else row["地址"]
        out_rows.append(
            [
                i + 1,
                row["场所名称"],
                uscc_texts[i],
                row["场所类型"],
                row["许可证号"],
                address,
                f"{row['经度']:.6f}",
                f"{row['纬度']:.6f}",
                row["坐标系"],
                row["经营状态"],
                row["联系电话"],
            ]
        )
    write_csv(out_dir / file, ["序号", *_VENUE_HEADER.values()], out_rows, "gb18030")
    return DatasetFile(
        dataset="venues",
        file=file,
        agency=f"{COUNTY}市场监督管理局",
        rows=len(rows),
        encoding="gb18030",
        quirks=(
            "GBK（GB18030）编码",
            "表头用别名：店名、行业类别、经营地址",
            "坐标系逐行填写，WGS84、GCJ02混用，另有“GPS”“火星坐标”写法",
            "少数信用代码为小写",
            "少数地址为繁体字",
        ),
        rejected_rows=rejections(rows, 2, "统一社会信用代码", uscc_texts),
    )


def write_staff_roster(county: County, out_dir: Path) -> DatasetFile:
    """教育局's roster, saved from Excel as UTF-8 with BOM, ID numbers typed by hand."""
    file = "staff_roster.csv"
    rows = county.rows["staff_roster"]
    id_texts = [render_id(r["公民身份号码"], r["_style"]) for r in rows]
    out_rows = []
    for i, row in enumerate(rows):
        hired: dt.date = row["入职日期"]
        name = to_traditional(row["姓名"]) if i % 53 == 7 else row["姓名"]
        out_rows.append(
            [
                i + 1,
                row["单位名称"],
                row["单位统一社会信用代码"],
                row["单位类别"],
                name,
                id_texts[i],
                row["岗位"],
                hired.isoformat() if i % 4 == 0 else date_slash(hired),
            ]
        )
    header = [
        "序号",
        "单位名称",
        "单位统一社会信用代码",
        "单位类别",
        "姓名",
        "公民身份号码",
        "岗位",
        "入职日期",
    ]
    write_csv(out_dir / file, header, out_rows, "utf-8-sig")
    return DatasetFile(
        dataset="staff_roster",
        file=file,
        agency=f"{COUNTY}教育局",
        rows=len(rows),
        encoding="utf-8-sig",
        quirks=(
            "UTF-8带BOM",
            "部分身份证号末位为小写x",
            "个别身份证号为全角数字、带前导单引号或空格",
            "一行身份证号被Excel截断为5.20203E+17",
            "入职日期混用2019/9/1与2019-09-01",
            "少数姓名为繁体字",
        ),
        rejected_rows=rejections(rows, 2, "公民身份号码", id_texts),
    )


def write_offence_records(county: County, out_dir: Path) -> DatasetFile:
    """公安's export: 身份证号 header alias, date cells, a 合计 row under the data."""
    agency = f"{COUNTY}公安局"
    file = "offence_records.xlsx"
    rows = county.rows["offence_records"]
    header = ["序号", "姓名", "身份证号", "罪名或违法行为", "处理结果", "处理日期", "文书编号"]
    book = workbook(out_dir / file, agency)
    sheet = book.add_worksheet("违法犯罪记录")
    bold = book.add_format({"bold": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, header, bold)
    for i, row in enumerate(rows):
        r = i + 1
        when: dt.date = row["处理日期"]
        name = to_traditional(row["姓名"]) if i % 41 == 11 else row["姓名"]
        sheet.write_number(r, 0, i + 1)
        sheet.write_string(r, 1, name)
        sheet.write_string(r, 2, render_id(row["公民身份号码"], row["_style"]))
        sheet.write_string(r, 3, row["罪名或违法行为"])
        sheet.write_string(r, 4, row["处理结果"])
        if i % 9 == 4:
            sheet.write_string(r, 5, date_dot(when))
        else:
            sheet.write_datetime(r, 5, dt.datetime(when.year, when.month, when.day), date_format)
        sheet.write_string(r, 6, row["文书编号"])
    total_row = len(rows) + 1
    sheet.write_string(total_row, 0, "合计")
    sheet.write_string(total_row, 6, f"共{len(rows)}条")
    book.close()
    return DatasetFile(
        dataset="offence_records",
        file=file,
        agency=agency,
        rows=len(rows),
        sheet="违法犯罪记录",
        quirks=(
            "表头用别名“身份证号”",
            "处理日期多为Excel日期单元格，少数写作2019.3.1",
            f"末行为合计行（第{total_row + 1}行：合计/共{len(rows)}条），不是数据",
            "少数旧记录为15位身份证号",
            "少数姓名为繁体字",
        ),
    )


def write_construction_projects(county: County, out_dir: Path) -> DatasetFile:
    """住建's Excel list: amounts as 650万元 or 1,234,567.89 or numbers, dates as 2026年3月1日."""
    agency = f"{COUNTY}住房和城乡建设局"
    file = "construction_projects.xlsx"
    rows = county.rows["construction_projects"]
    header = [
        "项目编号",
        "项目名称",
        "施工总承包单位",
        "总承包单位统一社会信用代码",
        "合同金额",
        "施工许可日期",
        "开工日期",
        "竣工日期",
        "项目状态",
        "项目类型",
        "占地面积",
    ]
    book = workbook(out_dir / file, agency)
    sheet = book.add_worksheet("在建项目")
    bold = book.add_format({"bold": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, header, bold)
    for i, row in enumerate(rows):
        r = i + 1
        for c, key in enumerate(header[:4]):
            sheet.write_string(r, c, row[key])
        contract: Decimal = row["合同金额"]
        if contract != contract.to_integral_value():
            sheet.write_string(r, 4, money_commas(contract))
        elif i % 3 == 2:
            sheet.write_number(r, 4, float(contract))
        else:
            sheet.write_string(r, 4, money_wan(contract))
        permit: dt.date = row["施工许可日期"]
        if i % 5 == 4:
            sheet.write_datetime(
                r, 5, dt.datetime(permit.year, permit.month, permit.day), date_format
            )
        else:
            sheet.write_string(r, 5, date_cn(permit))
        started: dt.date | None = row["开工日期"]
        if started is not None:
            sheet.write_datetime(
                r, 6, dt.datetime(started.year, started.month, started.day), date_format
            )
        completed: dt.date | None = row["竣工日期"]
        if completed is not None:
            sheet.write_string(r, 7, date_dot(completed))
        sheet.write_string(r, 8, row["项目状态"] or "")
        sheet.write_string(r, 9, row["项目类型"])
        sheet.write_number(r, 10, row["占地面积"])
    book.close()
    return DatasetFile(
        dataset="construction_projects",
        file=file,
        agency=agency,
        rows=len(rows),
        sheet="在建项目",
        quirks=(
            "合同金额混用“650万元”“12,345,678.90”和数字单元格",
            "施工许可日期多写作“2026年3月1日”",
            "竣工日期写作2026.3.1",
        ),
    )


def write_wage_deposits(county: County, out_dir: Path) -> DatasetFile:
    """人社's CSV: amounts with thousands separators."""
    file = "wage_deposits.csv"
    rows = county.rows["wage_deposits"]
    out_rows = [
        [
            row["项目编号"],
            row["缴存单位统一社会信用代码"],
            row["缴存方式"],
            money_commas(row["缴存金额"]),
            row["缴存日期"].isoformat() if i % 3 else date_slash(row["缴存日期"]),
        ]
        for i, row in enumerate(rows)
    ]
    header = ["项目编号", "缴存单位统一社会信用代码", "缴存方式", "缴存金额", "缴存日期"]
    write_csv(out_dir / file, header, out_rows, "utf-8")
    return DatasetFile(
        dataset="wage_deposits",
        file=file,
        agency=f"{COUNTY}人力资源和社会保障局",
        rows=len(rows),
        encoding="utf-8",
        quirks=(
            "金额带千分位：1,250,000.00",
            "日期混用2026-03-15与2026/3/15",
            "同一项目可有多笔缴存，应合计",
        ),
    )


WRITERS: tuple[Callable[[County, Path], DatasetFile], ...] = (
    write_schools,
    write_venues,
    write_staff_roster,
    write_offence_records,
    write_construction_projects,
    write_wage_deposits,
    *MINORS_WRITERS,
    *ADMIN_WRITERS,
    *JUVENILE_WRITERS,
)
"""One writer per dataset, in the order the datasets should be imported."""
