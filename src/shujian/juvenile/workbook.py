"""The juvenile statistics as an .xlsx workbook: one sheet per dimension (the one asked for
first), each with its period, Chinese headers, the 合计 row and what 合计 means, and a 说明 sheet
with every figure's definition and the figures still waiting for their records."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import xlsxwriter

from shujian import formulas
from shujian.juvenile.counting import DIMENSIONS, TOTAL, UNREGISTERED

if TYPE_CHECKING:
    from shujian.juvenile.statistics import Statistics

TITLE = "重点未成年人工作统计"

TOTAL_NOTE = (
    "合计按人计：一人属于几类（或几个乡镇）的，在每一行各计一次，合计只计一次，所以合计可能小于各行之和；"
    "人次、次数的合计同样不重复计算同一人同一天、同一条记录。"
)
MONTH_NOTE = (
    "按月份：在册、落实包保、四访五帮人数为各月最后一日（统计日所在月为统计日）的数，合计为统计日的数；"
    "其他指标按发生日期所在的月份计。"
)
UNREGISTERED_NOTE = (
    f"“{UNREGISTERED}”：发生之日不在名册上的未成年人（如预警对象尚未纳入名册、退出后的走访）。"
)


def sheet_name(by: str) -> str:
    return f"按{DIMENSIONS[by]}"


def period_line(stats: Statistics) -> str:
    line = (
        f"统计期间：{stats.period.label}；在册、落实包保、四访五帮为 "
        f"{stats.period.until.isoformat()}（统计日）的数。"
    )
    if stats.period.asked_until > stats.period.until:
        line += f"截止日期 {stats.period.asked_until.isoformat()} 晚于今天，按今天统计。"
    if stats.unit:
        line += f"只统计{stats.unit}当日包保的未成年人。"
    return line


def write_workbook(stats: Statistics, first: str, path: Path, today: dt.date) -> None:
    """Write the workbook: the `first` dimension's sheet, the other two, then 说明."""
    book = xlsxwriter.Workbook(str(path), formulas.XLSX_OPTIONS)
    try:
        bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        title = book.add_format({"bold": True, "font_size": 14})
        percent = book.add_format({"num_format": "0.0%"})
        total_text = book.add_format({"bold": True})
        total_number = book.add_format({"bold": True})
        total_percent = book.add_format({"bold": True, "num_format": "0.0%"})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        for by in [first, *(d for d in DIMENSIONS if d != first)]:
            sheet = book.add_worksheet(sheet_name(by))
            sheet.write_string(0, 0, f"{TITLE}（{sheet_name(by)}）", title)
            sheet.write_string(1, 0, period_line(stats))
            sheet.write_string(2, 0, DIMENSIONS[by], bold)
            for j, f in enumerate(stats.figures, start=1):
                sheet.write_string(2, j, f.label, bold)
            row = 3
            for r in stats.tables[by]:
                is_total = r["key"] == TOTAL
                sheet.write_string(row, 0, str(r["label"]), total_text if is_total else None)
                for j, f in enumerate(stats.figures, start=1):
                    value = r[f.id]
                    if value is None:
                        sheet.write_blank(row, j, None)
                    elif f.is_rate:
                        sheet.write_number(
                            row, j, float(value), total_percent if is_total else percent
                        )
                    else:
                        sheet.write_number(row, j, value, total_number if is_total else None)
                row += 1
            notes = [TOTAL_NOTE, UNREGISTERED_NOTE]
            if by == "month":
                notes.insert(1, MONTH_NOTE)
            for note in notes:
                row += 1
                sheet.write_string(row, 0, note)
            sheet.freeze_panes(3, 1)
            sheet.set_column(0, 0, 24)
            sheet.set_column(1, len(stats.figures), 11)
            sheet.set_row(2, 48)
        _explain(book.add_worksheet("说明"), stats, today, bold, wrap, title)
    finally:
        book.close()


def _explain(sheet, stats: Statistics, today: dt.date, bold, wrap, title) -> None:  # type: ignore[no-untyped-def]
    sheet.write_string(0, 0, f"{TITLE}：指标说明", title)
    sheet.write_string(1, 0, period_line(stats) + f"生成日期：{today.isoformat()}。")
    sheet.write_row(3, 0, ["指标", "单位", "计算方法"], bold)
    row = 4
    for f in stats.figures:
        sheet.write_row(row, 0, [f.label, f.unit, f.definition], wrap)
        row += 1
    for note in (TOTAL_NOTE, MONTH_NOTE, UNREGISTERED_NOTE):
        sheet.write_row(row, 0, ["", "", note], wrap)
        row += 1
    if stats.hidden:
        row += 1
        sheet.write_string(row, 0, "无权查看的指标（须有查看线索的权限）", bold)
        row += 1
        for f in stats.hidden:
            sheet.write_row(row, 0, [f.label, f.unit, f.counted], wrap)
            row += 1
    if stats.pending:
        row += 1
        sheet.write_string(row, 0, "尚未统计的指标（本平台尚无这些记录，不列为数字）", bold)
        row += 1
        sheet.write_row(row, 0, ["指标", "等待的记录", "计算方法"], bold)
        row += 1
        for f in stats.pending:
            sheet.write_row(row, 0, [f.label, f.pending, f.counted], wrap)
            row += 1
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 1, 16)
    sheet.set_column(2, 2, 90)
