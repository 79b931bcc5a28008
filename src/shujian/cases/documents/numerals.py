"""Chinese numerals as legal documents write them: ordinals (一、二、… 十一) and dates.

检察文书 write the date of issue in Chinese characters, year digit by digit with 〇 for zero
(二〇二六年十二月一日), and number their sections and items with Chinese ordinals. Ordinals
from ten to nineteen drop the leading 一 (十一, not 一十一), as in ordinary usage.
"""

from __future__ import annotations

import datetime as dt

DIGITS = "〇一二三四五六七八九"
_UNITS = ((1000, "千"), (100, "百"), (10, "十"))


def chinese_numeral(n: int) -> str:
    """The Chinese numeral for 1 ≤ n ≤ 9999: 1 → 一, 10 → 十, 15 → 十五, 20 → 二十, 105 → 一百零五."""
    if not 1 <= n <= 9999:
        raise ValueError(f"chinese_numeral supports 1..9999, not {n}")
    if 10 <= n < 20:
        return "十" + (DIGITS[n - 10] if n > 10 else "")
    parts: list[str] = []
    rest = n
    zero_pending = False
    for value, unit in _UNITS:
        digit, rest = divmod(rest, value)
        if digit:
            if zero_pending:
                parts.append("零")
                zero_pending = False
            parts.append(DIGITS[digit] + unit)
        elif parts:
            zero_pending = True
    if rest:
        if zero_pending:
            parts.append("零")
        parts.append(DIGITS[rest])
    return "".join(parts)


def chinese_year(year: int) -> str:
    """A year digit by digit: 2026 → 二〇二六."""
    return "".join(DIGITS[int(d)] for d in str(year))


def chinese_date(day: dt.date) -> str:
    """A date as 检察文书 write it: 2026-12-01 → 二〇二六年十二月一日."""
    return f"{chinese_year(day.year)}年{chinese_numeral(day.month)}月{chinese_numeral(day.day)}日"
