"""Dates, date-times and months: one parser for every form agencies export.

The same column arrives as 2024-03-01, 2024/3/1, 2024.3.1, 20240301, 2024年3月1日,
full-width digits, a date-time cell printed as text, or an Excel serial number (45352)
when the cell lost its date format. `parse_temporal` reads all of them once; the three
field types only choose what to keep. Impossible dates are refused, never rolled over.

Excel serial numbers use the 1900 date system: serial 1 is 1900-01-01, and Excel counts a
1900-02-29 that never existed (serial 60, a Lotus 1-2-3 bug kept for compatibility), so
from serial 61 (1900-03-01) on the base is 1899-12-30. Serial 60 is refused.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

import polars as pl

from shujian.data.fields.base import (
    ZERO_WIDTH,
    FieldType,
    Parsed,
    first_reason,
    nfkc,
    nulls,
    via_distinct,
)

UNRECOGNISED = "无法识别的日期格式"
NO_SUCH_DATE = "日期不存在"
NO_SUCH_TIME = "时间不存在"
NO_DAY = "日期不完整（缺少日）"
YEAR_RANGE = (1800, 2200)
YEAR_OUT_OF_RANGE = f"年份超出合理范围（{YEAR_RANGE[0]}–{YEAR_RANGE[1]}年）"

Want = Literal["date", "datetime", "month"]

# An Excel serial number: at most five integer digits (99999 is 2173-10-13). A four-digit
# number that looks like a year is not taken as a serial: "2024" alone is a year, not
# 1905-07-16, and "2024.3" is March 2024.
_SERIAL = r"^(?P<days>[0-9]{1,5})(?:\.(?P<fraction>[0-9]+))?$"
_DATE = (
    r"^(?P<y>[0-9]{4})"
    r"(?:\s*[-/.年]\s*(?P<m1>[0-9]{1,2})\s*(?:[-/.月]\s*(?P<d1>[0-9]{1,2})(?:\s*[日号])?|月)?"
    r"|(?P<m2>[0-9]{2})(?P<d2>[0-9]{2})?)"
    r"(?P<rest>.*)$"
)
_TIME = (
    r"^(?:\s*T\s*|\s+)(?P<ap1>上午|下午|AM|PM)?\s*"
    r"(?P<H>[0-9]{1,2}):(?P<M>[0-9]{1,2})(?::(?P<S>[0-9]{1,2})(?:[.,](?P<F>[0-9]{1,9}))?)?"
    r"\s*(?P<ap2>AM|PM|上午|下午)?\s*(?P<tz>Z|[+-][0-9]{2}:?[0-9]{2})?$"
)
_BEIJING_OFFSET_MINUTES = 8 * 60


# Formats most exports use, parsed by polars' native strptime before any regex: a
# million unique check-in times in one of these forms never reach the general parser.
_FAST_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M",
)
_MOMENT = pl.Datetime("us")


def _normalise(text: pl.Series) -> pl.Series:
    """Full-width → ASCII, Chinese time words → colons, compact date-times spaced out."""
    v = pl.col("v").str.strip_chars().str.to_uppercase()
    v = (
        v.str.replace(r"([日号])\s*([0-9])", "$1 $2")
        .str.replace_all(r"([0-9])\s*[时点]\s*([0-9])", "$1:$2")
        .str.replace_all(r"([0-9])\s*分\s*([0-9])", "$1:$2")
        .str.replace_all(r"([0-9])\s*[分秒]", "$1")
        .str.replace(r"^([0-9]{8})([0-9]{2})([0-9]{2})([0-9]{2})$", "$1 $2:$3:$4")
        .str.replace(r"^([0-9]{8})([0-9]{2})([0-9]{2})$", "$1 $2:$3")
    )
    return nfkc(text).to_frame("v").select(v).to_series()


def _as_int(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.Int64, strict=False)


def _try_formats(text: pl.Series, todo: pl.Series, moment: pl.Series) -> pl.Series:
    """Fill `moment` for rows in a common format; return the row numbers left to do.

    A format is tried on the whole column only if it matches one of the first 1,000 rows
    left, so a column in another form costs a small probe, not a full pass per format.
    """
    for fmt in _FAST_FORMATS:
        if todo.len() == 0:
            break
        rows = text.gather(todo)
        sample = rows.head(1000)
        if sample.str.strptime(_MOMENT, fmt, strict=False).is_null().all():
            continue
        parsed = rows.str.strptime(_MOMENT, fmt, strict=False)
        ok = parsed.dt.year().is_between(*YEAR_RANGE).fill_null(False)
        moment.scatter(todo.filter(ok), parsed.filter(ok))
        todo = todo.filter(~ok)
    return todo


def _from_serial(text: pl.Series) -> pl.DataFrame:
    """Excel serial numbers: moment, error, and whether a day was given (always)."""
    days = _as_int("days")
    fraction = ("0." + pl.col("fraction").fill_null("0")).cast(pl.Float64)
    day = (
        pl.when(days < 60)
        .then(pl.lit(date(1899, 12, 31)) + pl.duration(days=days))
        .when(days > 60)
        .then(pl.lit(date(1899, 12, 30)) + pl.duration(days=days))
    )
    time = pl.duration(milliseconds=(fraction * 86_400_000).round(0).cast(pl.Int64))
    return (
        text.str.extract_groups(_SERIAL)
        .struct.unnest()
        .select(
            moment=day.cast(_MOMENT) + time,
            error=first_reason((days == 60, NO_SUCH_DATE)),
            has_day=pl.lit(True),
        )
    )


def _from_text(text: pl.Series) -> pl.DataFrame:
    """Dates written out (separators, 年月日, compact digits), optionally with a time."""
    parts = text.str.extract_groups(_DATE).struct.unnest()
    times = parts["rest"].fill_null("").str.extract_groups(_TIME).struct.unnest()
    frame = pl.concat([parts, times], how="horizontal")
    y, hour, minute = _as_int("y"), _as_int("H"), _as_int("M")
    m = pl.coalesce(_as_int("m1"), _as_int("m2"))
    d = pl.coalesce(_as_int("d1"), _as_int("d2"))
    second = _as_int("S").fill_null(0)
    micro = pl.col("F").str.pad_end(6, "0").str.slice(0, 6).cast(pl.Int64).fill_null(0)
    ampm = pl.coalesce("ap1", "ap2")
    pm, am = ampm.is_in(["PM", "下午"]), ampm.is_in(["AM", "上午"])
    twelve_hour = pl.when(pm & (hour < 12)).then(hour + 12).when(am & (hour == 12)).then(0)
    hour24 = twelve_hour.otherwise(hour).fill_null(0)
    tz = pl.col("tz").str.replace(":", "")
    sign = pl.when(tz.str.starts_with("-")).then(-1).otherwise(1)
    offset = (tz.str.slice(1, 2).cast(pl.Int64) * 60 + tz.str.slice(3, 2).cast(pl.Int64)) * sign
    offset = pl.when(tz == "Z").then(0).otherwise(offset)
    to_beijing = (_BEIJING_OFFSET_MINUTES - offset).fill_null(0)
    ymd = pl.format(
        "{}-{}-{}", y, m.cast(pl.Utf8).str.zfill(2), d.fill_null(1).cast(pl.Utf8).str.zfill(2)
    )
    day = ymd.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    clock = pl.duration(
        hours=hour24, minutes=minute.fill_null(0) + to_beijing, seconds=second, microseconds=micro
    )
    has_time = pl.col("rest").fill_null("") != ""
    bad_time = has_time & (
        (hour24 > 23) | (minute > 59) | (second > 59) | (ampm.is_not_null() & (hour > 12))
    )
    return frame.select(
        moment=day.cast(_MOMENT) + clock,
        error=first_reason(
            (y.is_null() | (has_time & hour.is_null()), UNRECOGNISED),
            (~y.is_between(*YEAR_RANGE), YEAR_OUT_OF_RANGE),
            (day.is_null() | ~m.is_between(1, 12), NO_SUCH_DATE),
            (bad_time, NO_SUCH_TIME),
        ),
        has_day=d.is_not_null(),
    )


def _parse_general(text: pl.Series) -> pl.DataFrame:
    """Every accepted form; slower (regex captures), so only for rows the fast path left."""
    text = _normalise(text)
    days = text.str.extract(r"^([0-9]{1,5})(?:\.[0-9]+)?$").cast(pl.Int64)
    year_like = (days.cast(pl.Utf8).str.len_chars() == 4) & days.is_between(*YEAR_RANGE)
    serial = (days.is_not_null() & ~year_like & (days >= 1)).fill_null(False)
    out = {
        "moment": nulls(len(text), _MOMENT),
        "error": nulls(len(text), pl.Utf8),
        "has_day": pl.repeat(True, len(text), eager=True),
    }
    for rows, reader in ((serial.arg_true(), _from_serial), ((~serial).arg_true(), _from_text)):
        if rows.len():
            part = reader(text.gather(rows))
            for name, column in out.items():
                column.scatter(rows, part[name])
    return pl.DataFrame(out)


def parse_temporal(raw: pl.Series, want: Want) -> Parsed:
    """Parse a column of dates in any accepted form.

    Args:
        raw: cell text, null for an empty cell.
        want: "date" keeps the day (a time of day is dropped), "datetime" keeps the time
            (naive, Beijing time; an explicit UTC offset is converted), "month" keeps the
            first day of the month and also accepts a month without a day.

    Returns:
        `Parsed` with a Date (date, month) or Datetime("us") (datetime) column.
    """
    text = raw.cast(pl.Utf8).str.strip_chars().str.strip_chars(ZERO_WIDTH).str.strip_chars()
    n = len(text)
    moment, error = nulls(n, _MOMENT), nulls(n, pl.Utf8)
    has_day = pl.repeat(True, n, eager=True)
    todo = ((text != "") & text.is_not_null()).arg_true()
    todo = _try_formats(text, todo, moment)
    if todo.len():
        general = _parse_general(text.gather(todo))
        moment.scatter(todo, general["moment"])
        error.scatter(todo, general["error"])
        has_day.scatter(todo, general["has_day"])
    if want == "date":
        value = pl.col("moment").dt.date()
    elif want == "month":
        value = pl.col("moment").dt.date().dt.month_start()
    else:
        value = pl.col("moment")
    no_day = pl.lit(want != "month") & ~pl.col("has_day")
    error_expr = pl.when(pl.col("error").is_null() & no_day).then(pl.lit(NO_DAY))
    frame = (
        pl.DataFrame({"moment": moment, "error": error, "has_day": has_day})
        .lazy()
        .with_columns(error=error_expr.otherwise("error"))
        .select(value=pl.when(pl.col("error").is_null()).then(value), error="error")
        .collect()
    )
    return Parsed(value=frame["value"].alias(raw.name), error=frame["error"].alias(raw.name))


class _TemporalField(FieldType):
    want: ClassVar[Want]

    def parse(self, raw: pl.Series) -> Parsed:
        """See `parse_temporal`; each distinct cell is parsed once (dates repeat a lot)."""
        return via_distinct(raw, lambda distinct: parse_temporal(distinct, self.want))


class DateField(_TemporalField):
    """A calendar day; a time of day in the cell is dropped."""

    name: ClassVar[str] = "date"
    label: ClassVar[str] = "日期"
    dtype: ClassVar[pl.DataType] = pl.Date()
    want: ClassVar[Want] = "date"


class DateTimeField(_TemporalField):
    """A moment, naive local time (Asia/Shanghai) to microseconds."""

    name: ClassVar[str] = "datetime"
    label: ClassVar[str] = "日期时间"
    dtype: ClassVar[pl.DataType] = pl.Datetime("us")
    want: ClassVar[Want] = "datetime"


class MonthField(_TemporalField):
    """A calendar month, stored as its first day; a full date is cut to its month."""

    name: ClassVar[str] = "month"
    label: ClassVar[str] = "年月"
    dtype: ClassVar[pl.DataType] = pl.Date()
    want: ClassVar[Want] = "month"
