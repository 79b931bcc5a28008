"""Values as a procuratorate's document writes them in running text and in its evidence list.

Dates as 2026年10月20日 (a time of day only to the minute, never seconds), amounts as 6万元 or
60,000元, metres without a trailing .0, yes/no as words a reader uses, ASCII punctuation in
Chinese text as full width, court case numbers with full-width parentheses. Pure functions, table
tested in tests/cases/test_document_values.py.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

_CJK = r"\u3400-\u9fff"
_PARENS = re.compile(rf"\(([^()]*[{_CJK}][^()]*)\)")
_CASE_NUMBER = re.compile(r"[(（](\d{4})[)）]")
_ISO_DATE = re.compile(
    r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?)?(?!\d)"
)


def chinese_date(value: dt.date) -> str:
    """2026年10月20日 (Arabic numerals, as running text writes dates; the 成文日期 under the
    signature uses Chinese numerals, see numerals.chinese_date)."""
    return f"{value.year}年{value.month}月{value.day}日"


def chinese_datetime(value: dt.datetime) -> str:
    """2026年10月20日23时05分: to the minute, never seconds."""
    return f"{chinese_date(value.date())}{value.hour}时{value.minute:02d}分"


def _iso_in_text(m: re.Match[str]) -> str:
    date = f"{int(m.group(1))}年{int(m.group(2))}月{int(m.group(3))}日"
    if m.group(4) is None:
        return date
    return f"{date}{int(m.group(4))}时{m.group(5)}分"


def dates_in_text(text: str) -> str:
    """ISO dates inside agency text (2026-10-20, 2026-10-20 23:05:11) as 2026年10月20日(23时05分)."""
    return _ISO_DATE.sub(_iso_in_text, text)


def number(value: float | int | Decimal) -> str:
    """150.0 → 150, 152.35 → 152.35, 1234567 → 1234567 (no separators: lengths, counts)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)


def yuan(value: float | int | Decimal | str) -> str:
    """An amount in yuan as a document writes it: 60000 → 6万元, 1900000 → 190万元, 12345.5 →
    12,345.50元 (whole 万 only when exact; otherwise with separators and fen)."""
    amount = Decimal(str(value))
    if amount == 0:
        return "0元"
    if amount % 10000 == 0:
        return f"{amount / 10000:,.0f}".replace(",", "") + "万元"
    if amount == amount.to_integral():
        return f"{amount:,.0f}元"
    return f"{amount:,.2f}元"


_FULL_WIDTH = str.maketrans(";?!", "；？！")
_ASCII_QUOTES = re.compile(r'"([^"]*)"')


def inner_quotes(text: str) -> str:
    """Quotation marks inside a quotation as ‘’ ("五必须" inside “…” → ‘五必须’)."""
    return re.sub(r'["“]([^"“”]*)["”]', r"‘\1’", text)


def full_width(text: str) -> str:
    """ASCII punctuation in Chinese text as full width; parentheses around Chinese as （）;
    the year of a court case number (2026)黔0102民初123号 as （2026）."""
    text = _CASE_NUMBER.sub(r"（\1）", text)
    text = _ASCII_QUOTES.sub(r"“\1”", text)
    text = _PARENS.sub(r"（\1）", text)
    if re.search(rf"[{_CJK}]", text):
        # Keep decimal points, thousands separators between digits and times (23:05).
        text = re.sub(r"(?<!\d),|,(?!\d)", "，", text)
        text = re.sub(r"(?<!\d):|:(?!\d)", "：", text)
        text = text.translate(_FULL_WIDTH)
    return text


_ISO_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")


class Month(dt.date):
    """A calendar month (a column of type month): written 2026年1月."""


def month(value: Any) -> Any:
    """A stored month value (2026-01-01 or 2026-01) as a `Month`; anything else unchanged."""
    v = typed(value) if isinstance(value, str) and len(value) != 7 else value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}", value):
        v = dt.date(int(value[:4]), int(value[5:]), 1)
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return Month(v.year, v.month, 1)
    return value


def money(value: Any) -> Any:
    """A stored amount (JSON keeps it as text, "42000000.00") as a Decimal."""
    if isinstance(value, str):
        try:
            return Decimal(value.replace(",", ""))
        except ArithmeticError:
            return value
    if isinstance(value, float | int) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


def typed(value: Any) -> Any:
    """A stored evidence value (JSON: dates are ISO strings) as the Python value it stands for,
    so a fact template can compare and subtract dates."""
    if isinstance(value, str) and _ISO_ONLY.fullmatch(value):
        if len(value) == 10:
            return dt.date.fromisoformat(value)
        return dt.datetime.fromisoformat(value.replace(" ", "T"))
    return value


def plain(value: Any) -> str:
    """Any evidence value as a document prints it (dates, numbers, flags, lists)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Month):
        return f"{value.year}年{value.month}月"
    if isinstance(value, dt.datetime):
        return chinese_datetime(value)
    if isinstance(value, dt.date):
        return chinese_date(value)
    if isinstance(value, float | Decimal | int):
        return number(value)
    if isinstance(value, list | tuple):
        return "、".join(plain(v) for v in value if v not in (None, ""))
    text = str(value).strip()
    return full_width(dates_in_text(text))
