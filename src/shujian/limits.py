"""How large a value typed by a user may be, in one place.

A command line or a form takes whatever is typed. Python's integers and dates have no such
bound as the stores do: `99999999999999999999` is a fine Python int and an OverflowError in
SQLite, `9999-12-31` a fine date whose next day does not exist, and `1-99999999999` a fine
range of leads that takes all the memory to list. The bounds below are far beyond any real
id, page, count or date of the platform's work, and near enough that arithmetic on them (a
deadline a year later, a page times its size, the day after) stays inside what Python and the
stores can hold.
"""

from __future__ import annotations

import datetime as dt

from shujian.errors import UserError

LARGEST_INTEGER = 2**31 - 1
"""The largest integer a user may type (an id, a page, a count, a number of days)."""

FIRST_YEAR = 1900
LAST_YEAR = 2999
"""The years of a date a user may type (records of decades ago; a year far enough ahead that a date typed in the future is refused for being in the future, and near enough that years of deadline arithmetic on it stay in range)."""

LARGEST_RANGE = 10_000
"""The most ids one range (`10-20`) may name: more is a typing slip, not a batch of work."""


def check_integer(value: int, what: str) -> int:
    if abs(value) > LARGEST_INTEGER:
        raise UserError(
            f"{what}“{value}”太大：应为绝对值不超过 {LARGEST_INTEGER} 的整数。", code="too_large"
        )
    return value


def check_year(day: dt.date, what: str, text: str) -> dt.date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise UserError(
            f"{what}“{text}”超出可用范围：应在 {FIRST_YEAR} 年至 {LAST_YEAR} 年之间。",
            code="date_out_of_range",
        )
    return day
