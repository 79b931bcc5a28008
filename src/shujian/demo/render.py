"""How agencies write values and files: the renderings every file writer shares.

ID numbers with a lower-case x or full-width digits, credit codes in lower case, dates as
2026年3月1日 or 2026/3/1, amounts as 1,250,000.00 or 650万元, CSV in the agency's encoding and
workbooks with a fixed creation date (so the output is byte-for-byte reproducible).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from shujian.demo import identifiers as ids
from shujian.demo.county import AS_OF, BROKEN_STYLES
from shujian.demo.manifest import RejectedRow

_WORKBOOK_CREATED = dt.datetime(AS_OF.year, AS_OF.month, AS_OF.day, 9, 0, 0)

_REASONS = {
    "excel_truncated": "身份证号被Excel转成科学计数法，后几位已丢失，无法还原",
    "wrong_check": "身份证号校验码错误（疑似录入错误）",
    "letter_o": "统一社会信用代码含字母O（代码字符集不含O，疑为数字0误录）",
}


# ---- value rendering -----------------------------------------------------------------------


def render_id(id18: str, style: str) -> str:
    """An ID number as the clerk left it in the file."""
    if style == "lower_x":
        return id18[:-1] + id18[-1].lower()
    if style == "fullwidth":
        return id18.translate(ids.FULLWIDTH)
    if style == "apostrophe":
        return "'" + id18
    if style == "spaces":
        return f"{id18[:6]} {id18[6:14]} {id18[14:]}"
    if style == "excel_truncated":
        return ids.excel_truncated(id18)
    if style == "wrong_check":
        return ids.with_wrong_check(id18)
    if style == "id15":
        return ids.to_id15(id18)
    return id18


def render_uscc(code: str, style: str) -> str:
    """A credit code as the clerk left it in the file."""
    if style == "lower":
        return code.lower()
    if style == "letter_o":
        return ids.with_letter_o(code)
    return code


def date_cn(d: dt.date) -> str:
    """2026年3月1日."""
    return f"{d.year}年{d.month}月{d.day}日"


def date_slash(d: dt.date) -> str:
    """2026/3/1, as Excel shows dates under a Chinese locale."""
    return f"{d.year}/{d.month}/{d.day}"


def date_dot(d: dt.date) -> str:
    """2026.3.1."""
    return f"{d.year}.{d.month}.{d.day}"


def money_commas(amount: Decimal) -> str:
    """1,250,000.00."""
    return f"{amount:,.2f}"


def money_wan(amount: Decimal) -> str:
    """6500000 → 650万元; 12345600 → 1234.56万元."""
    return f"{(amount / 10_000).normalize():f}万元"


# ---- file writing helpers ------------------------------------------------------------------


def write_csv(
    path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]], encoding: str
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def workbook(path: Path, author: str) -> xlsxwriter.Workbook:
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    book.set_properties({"created": _WORKBOOK_CREATED, "author": author})
    return book


def rejections(
    rows: Sequence[dict[str, Any]], first_row: int, column: str, rendered: Sequence[str]
) -> tuple[RejectedRow, ...]:
    """Rows written broken on purpose; `first_row` is the file row of the first data row."""
    return tuple(
        RejectedRow(first_row + i, column, rendered[i], _REASONS[row["_style"]], row["_style"])
        for i, row in enumerate(rows)
        if row["_style"] in BROKEN_STYLES
    )
