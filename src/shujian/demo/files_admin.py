"""The files behind the administrative models: soil plans and fees, penalties and transfers,
benefit payments, custody and death records. Each writer imitates one agency's export (see
`files.py` for the conventions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from shujian.demo.county import AS_OF, County
from shujian.demo.manifest import DatasetFile
from shujian.demo.names import COUNTY
from shujian.demo.render import (
    date_cn,
    date_slash,
    money_commas,
    money_wan,
    rejections,
    render_id,
    render_uscc,
    workbook,
    write_csv,
)


def _date_cell(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)


def write_soil_plans(county: County, out_dir: Path) -> DatasetFile:
    """水务局's approval list: title row, fees in 万元, the area header with its unit."""
    agency = f"{COUNTY}水务局"
    file = "soil_plans.xlsx"
    rows = county.rows["soil_plans"]
    header = ["序号", "项目编号", "批复文号", "批复日期", "防治责任范围(平方米)",
              "应缴水土保持补偿费"]  # fmt: skip
    book = workbook(out_dir / file, agency)
    sheet = book.add_worksheet("方案批复")
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    sheet.merge_range(
        0, 0, 0, len(header) - 1, f"{COUNTY}生产建设项目水土保持方案批复情况表", title
    )
    sheet.write_row(1, 0, header, bold)
    for i, row in enumerate(rows):
        r = i + 2
        fee: Decimal = row["核定补偿费"]
        sheet.write_number(r, 0, i + 1)
        sheet.write_string(r, 1, row["项目编号"])
        sheet.write_string(r, 2, row["批复文号"])
        sheet.write_string(r, 3, date_cn(row["批复日期"]))
        sheet.write_number(r, 4, row["防治责任范围面积"])
        sheet.write_string(r, 5, money_wan(fee) if fee else "0")
    book.close()
    return DatasetFile(
        dataset="soil_plans",
        file=file,
        agency=agency,
        rows=len(rows),
        sheet="方案批复",
        quirks=(
            "第1行为标题，表头在第2行",
            "表头用别名：防治责任范围(平方米)、应缴水土保持补偿费",
            "补偿费写作“18.642万元”，免征项目为0",
            "批复日期写作“2026年3月1日”",
        ),
    )


def write_soil_fee_payments(county: County, out_dir: Path) -> DatasetFile:
    """税务's receipts: GBK CSV, tax-system header names, amounts with thousands separators."""
    file = "soil_fee_payments.csv"
    rows = county.rows["soil_fee_payments"]
    header = ["项目代码", "纳税人识别号", "核定金额", "入库金额", "入库日期", "征收品目"]
    out_rows = [
        [
            row["项目编号"],
            row["缴费单位统一社会信用代码"],
            money_commas(row["应缴金额"]) if row["应缴金额"] is not None else "",
            money_commas(row["实缴金额"]),
            row["缴费日期"].isoformat() if i % 4 else date_slash(row["缴费日期"]),
            "水土保持补偿费",
        ]
        for i, row in enumerate(rows)
    ]
    write_csv(out_dir / file, header, out_rows, "gb18030")
    return DatasetFile(
        dataset="soil_fee_payments",
        file=file,
        agency=f"国家税务总局{COUNTY}税务局",
        rows=len(rows),
        encoding="gb18030",
        quirks=(
            "GBK（GB18030）编码",
            "表头用税务系统名称：项目代码、纳税人识别号、核定金额、入库金额、入库日期",
            "金额带千分位",
            "同一项目可分多笔缴纳，应合计",
            "多出“征收品目”列",
        ),
    )


def _involved(amount: Decimal, style: str) -> tuple[str, object]:
    """How a penalty file writes 涉案金额: ("number", 60000.0), ("text", "6万元") …"""
    if not amount:
        return "number", 0
    if style == "wan":
        return "text", money_wan(amount)
    if style == "commas":
        return "text", money_commas(amount)
    return "number", float(amount)


def write_admin_penalties(county: County, out_dir: Path) -> DatasetFile:
    """司法局's compilation of the agencies' decisions: title row, amounts in three forms, 合计."""
    agency = f"{COUNTY}司法局"
    file = "admin_penalties.xlsx"
    rows = county.rows["admin_penalties"]
    header = ["序号", "处罚决定书文号", "处罚机关", "当事人名称", "当事人证件号码",
              "违法行为类型", "涉案金额", "罚款金额", "决定日期"]  # fmt: skip
    book = workbook(out_dir / file, agency)
    sheet = book.add_worksheet("处罚决定")
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    money = book.add_format({"num_format": "#,##0.00"})
    sheet.merge_range(
        0, 0, 0, len(header) - 1, f"{COUNTY}2025—2026年行政处罚决定汇总（行政执法监督平台）", title
    )
    sheet.write_row(1, 0, header, bold)
    fines = Decimal(0)
    for i, row in enumerate(rows):
        r = i + 2
        sheet.write_number(r, 0, i + 1)
        for c, key in enumerate(
            ("处罚决定书文号", "执法机关", "当事人", "当事人证件号码", "违法类型"), 1
        ):
            sheet.write_string(r, c, row[key])
        kind, value = _involved(row["涉案金额"], row["_style"])
        if kind == "text":
            sheet.write_string(r, 6, str(value))
        else:
            sheet.write_number(r, 6, float(value), money)  # type: ignore[arg-type]
        sheet.write_number(r, 7, float(row["罚没金额"]), money)
        fines += row["罚没金额"]
        sheet.write_datetime(r, 8, _date_cell(row["处罚日期"]), date_format)
    total_row = len(rows) + 2
    sheet.write_string(total_row, 0, "合计")
    sheet.write_number(total_row, 7, float(fines), money)
    book.close()
    return DatasetFile(
        dataset="admin_penalties",
        file=file,
        agency=agency,
        rows=len(rows),
        sheet="处罚决定",
        quirks=(
            "第1行为标题，表头在第2行",
            "表头用别名：处罚机关、当事人名称、违法行为类型、罚款金额、决定日期",
            "涉案金额混用数字单元格、“80,000.00”和“6万元”",
            "当事人证件号码有统一社会信用代码，也有个人身份证号",
            f"末行为合计行（第{total_row + 1}行），不是数据",
        ),
    )


def write_case_transfers(county: County, out_dir: Path) -> DatasetFile:
    """行政执法与刑事司法衔接平台 export: the decision number under 原处罚文号."""
    file = "case_transfers.csv"
    rows = county.rows["case_transfers"]
    header = ["原处罚文号", "移送日期", "接收机关"]
    out_rows = [[r["处罚决定书文号"], date_slash(r["移送日期"]), r["接收机关"]] for r in rows]
    write_csv(out_dir / file, header, out_rows, "utf-8")
    return DatasetFile(
        dataset="case_transfers",
        file=file,
        agency=f"{COUNTY}人民检察院（行政执法与刑事司法衔接平台）",
        rows=len(rows),
        encoding="utf-8",
        quirks=(
            "表头用别名“原处罚文号”",
            "移送日期写作2026/5/27",
            "个别文号的〔〕写成了[]",
        ),
    )


def write_wage_arrears(county: County, out_dir: Path) -> DatasetFile:
    """人社劳动保障监察's arrears ledger: title row, 欠薪/农民工 headers, amounts and dates two ways."""
    agency = f"{COUNTY}人力资源和社会保障局（劳动保障监察大队）"
    file = "wage_arrears.xlsx"
    rows = county.rows["wage_arrears"]
    header = ["序号", "案件编号", "欠薪单位", "统一社会信用代码", "农民工姓名", "身份证号",
              "欠薪月数", "欠薪金额", "限期整改指令书文号", "下达日期", "支付期限", "已付金额",
              "支付情况", "立案日期"]  # fmt: skip
    book = workbook(out_dir / file, agency)
    sheet = book.add_worksheet("欠薪案件")
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    money = book.add_format({"num_format": "#,##0.00"})
    sheet.merge_range(
        0, 0, 0, len(header) - 1, f"{COUNTY}劳动保障监察欠薪案件台账（按劳动者）", title
    )
    sheet.write_row(1, 0, header, bold)
    owed = Decimal(0)
    for i, row in enumerate(rows):
        r = i + 2
        sheet.write_number(r, 0, i + 1)
        sheet.write_string(r, 1, row["监察案件编号"])
        sheet.write_string(r, 2, row["用人单位"])
        sheet.write_string(r, 3, render_uscc(row["用人单位统一社会信用代码"], row["_style"]))
        sheet.write_string(r, 4, row["劳动者姓名"])
        sheet.write_string(r, 5, row["公民身份号码"])
        sheet.write_number(r, 6, row["拖欠月数"])
        amount: Decimal = row["拖欠金额"]
        owed += amount
        if i % 6 == 4:
            sheet.write_string(r, 7, money_commas(amount))
        else:
            sheet.write_number(r, 7, float(amount), money)
        if row["责令支付文书号"] is not None:
            sheet.write_string(r, 8, row["责令支付文书号"])
        for c, key in ((9, "责令支付日期"), (10, "限期支付日期"), (13, "登记日期")):
            day: dt.date | None = row[key]
            if day is None:
                continue
            if i % 5 == 2:
                sheet.write_string(r, c, date_cn(day))
            else:
                sheet.write_datetime(r, c, _date_cell(day), date_format)
        if row["已支付金额"] is not None:
            sheet.write_number(r, 11, float(row["已支付金额"]), money)
        sheet.write_string(r, 12, row["_written"])
    total_row = len(rows) + 2
    sheet.write_string(total_row, 0, "合计")
    sheet.write_number(total_row, 7, float(owed), money)
    book.close()
    return DatasetFile(
        dataset="wage_arrears",
        file=file,
        agency=agency,
        rows=len(rows),
        sheet="欠薪案件",
        quirks=(
            "第1行为标题，表头在第2行",
            "表头用别名：案件编号、欠薪单位、统一社会信用代码、农民工姓名、身份证号、欠薪月数、"
            "欠薪金额、限期整改指令书文号、下达日期、支付期限、已付金额、支付情况、立案日期",
            "一个案件有几名劳动者的，每人一行",
            "欠薪金额混用数字单元格与“26,500.00”",
            "日期混用日期单元格与“2026年7月6日”",
            "支付情况有同义写法：已结清、已付清、未付、已移送公安机关",
            "尚未责令支付的，文书号、下达日期、支付期限为空",
            "部分统一社会信用代码为小写",
            f"末行为合计行（第{total_row + 1}行），不是数据",
        ),
    )


_BENEFIT_WORDS = {"城乡低保": "低保", "城乡居民养老金": "居民养老金", "职工养老金": "基本养老金"}
"""The short names some 民政 and 人社 clerks use (the importer maps them back)."""


def write_benefit_payments(county: County, out_dir: Path) -> DatasetFile:
    """民政 and 人社's combined roll: UTF-8 BOM, months written three ways, short type names."""
    file = "benefit_payments.csv"
    rows = county.rows["benefit_payments"]
    ids = [render_id(r["公民身份号码"], r["_style"]) for r in rows]
    header = ["姓名", "身份证号", "补贴类型", "发放月份", "金额"]
    out_rows = []
    for i, row in enumerate(rows):
        month: dt.date = row["发放年月"]
        written = (f"{month:%Y-%m}", f"{month:%Y%m}", f"{month.year}年{month.month}月")[i % 3]
        kind = row["待遇类型"]
        if i % 5 == 2:
            kind = _BENEFIT_WORDS.get(kind, kind)
        amount: Decimal = row["发放金额"]
        out_rows.append(
            [
                row["姓名"],
                ids[i],
                kind,
                written,
                f"¥{amount:.2f}" if i % 7 == 3 else f"{amount:.2f}",
            ]
        )
    write_csv(out_dir / file, header, out_rows, "utf-8-sig")
    return DatasetFile(
        dataset="benefit_payments",
        file=file,
        agency=f"{COUNTY}民政局、{COUNTY}人力资源和社会保障局",
        rows=len(rows),
        encoding="utf-8-sig",
        quirks=(
            "UTF-8带BOM",
            "表头用别名：身份证号、补贴类型、发放月份、金额",
            "发放月份混用2026-03、202603、2026年3月",
            "待遇类型有简称：低保、居民养老金、基本养老金",
            "少数金额带¥",
            "一行身份证号被Excel截断为科学计数法",
        ),
        rejected_rows=rejections(rows, 2, "身份证号", ids),
    )


_PLACES = {
    "有期徒刑": ("贵州省六盘水监狱", "贵州省凯里监狱", "贵州省第一女子监狱"),
    "无期徒刑": ("贵州省六盘水监狱",),
    "拘役": (f"{COUNTY}看守所",),
    "刑事拘留": (f"{COUNTY}看守所",),
    "逮捕": (f"{COUNTY}看守所",),
    "缓刑": (f"{COUNTY}司法局社区矫正中心",),
    "社区矫正": (f"{COUNTY}司法局社区矫正中心",),
}


def write_custody_records(county: County, out_dir: Path) -> DatasetFile:
    """司法局's list from the prisons and the detention centre: 刑罚类型/入监/出监 headers."""
    agency = f"{COUNTY}司法局"
    file = "custody_records.xlsx"
    rows = county.rows["custody_records"]
    header = ["姓名", "身份证号", "刑罚类型", "入监日期", "出监日期", "羁押场所"]
    book = workbook(out_dir / file, agency)
    sheet = book.add_worksheet("在押服刑人员")
    bold = book.add_format({"bold": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, header, bold)
    for i, row in enumerate(rows):
        r = i + 1
        sheet.write_string(r, 0, row["姓名"])
        sheet.write_string(r, 1, row["公民身份号码"])
        sheet.write_string(r, 2, row["羁押类型"])
        sheet.write_datetime(r, 3, _date_cell(row["收押日期"]), date_format)
        released: dt.date | None = row["释放日期"]
        if released is not None:
            if i % 4 == 1:
                sheet.write_string(r, 4, date_cn(released))
            else:
                sheet.write_datetime(r, 4, _date_cell(released), date_format)
        places = _PLACES[row["羁押类型"]]
        sheet.write_string(r, 5, places[i % len(places)])
    book.close()
    return DatasetFile(
        dataset="custody_records",
        file=file,
        agency=agency,
        rows=len(rows),
        sheet="在押服刑人员",
        quirks=(
            "表头用别名：身份证号、刑罚类型、入监日期、出监日期",
            "仍在押的出监日期为空",
            "出监日期混用日期单元格与“2026年8月5日”",
            "多出“羁押场所”列",
        ),
    )


def write_death_records(county: County, out_dir: Path) -> DatasetFile:
    """公安户籍's deaths: GBK CSV, 死亡时间 with the hour."""
    file = "death_records.csv"
    rows = county.rows["death_records"]
    county_as_of = AS_OF - dt.timedelta(days=1)
    header = ["姓名", "身份证号", "死亡时间", "注销户口日期"]
    out_rows = []
    for i, row in enumerate(rows):
        died: dt.date = row["死亡日期"]
        minute = (i * 53) % 1440
        cancelled = min(died + dt.timedelta(days=3 + i % 20), county_as_of)
        out_rows.append(
            [
                row["姓名"],
                row["公民身份号码"],
                f"{died:%Y-%m-%d} {minute // 60:02d}:{minute % 60:02d}",
                cancelled.isoformat(),
            ]
        )
    write_csv(out_dir / file, header, out_rows, "gb18030")
    return DatasetFile(
        dataset="death_records",
        file=file,
        agency=f"{COUNTY}公安局",
        rows=len(rows),
        encoding="gb18030",
        quirks=(
            "GBK（GB18030）编码",
            "表头用别名“身份证号”“死亡时间”",
            "死亡时间带时分（按日期比对）",
            "多出“注销户口日期”列",
        ),
    )


ADMIN_WRITERS: tuple[Callable[[County, Path], DatasetFile], ...] = (
    write_soil_plans,
    write_soil_fee_payments,
    write_admin_penalties,
    write_case_transfers,
    write_wage_arrears,
    write_benefit_payments,
    write_custody_records,
    write_death_records,
)
