"""公民身份号码 (GB 11643-1999): the key that joins people across agencies.

A wrong number silently breaks a match between a staff roster and an offence record, so a
number is accepted only when its check character, birth date and region code all hold.
Numbers mangled by Excel are detected and refused with an explanation the clerk can act
on; they are never "repaired", because the lost digits cannot be known.

Why not `stdnum.cn.ric.validate`: it also looks the region code up in a list built from
Wikipedia and rejects valid numbers from counties missing there (110119 延庆区, in use
since 2015; the standard's own example 440524188001010014). The check character is
computed here (ISO 7064 MOD 11-2) and the region is checked against the full GB/T 2260
history in `regions.py`.
"""

from __future__ import annotations

from functools import cache
from typing import ClassVar, overload

import numpy as np
import polars as pl

from shujian.beijing import today_in_china
from shujian.data.fields.base import (
    FieldType,
    Parsed,
    byte_matrix,
    compact_code,
    first_reason,
    nfkc,
    nulls,
    via_distinct,
)
from shujian.data.fields.regions import region_codes

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
"""W_i = 2^(18-i) mod 11 for positions 1–17."""
CHECK_CHARS = "10X98765432"
"""Check character for S mod 11 = 0, 1, …, 10."""

TRUNCATED_BY_EXCEL = (
    "身份证号码被Excel存成了数字，末位数字已丢失，无法恢复，请将该列设为文本后重新导出"
)
BAD_CHARACTERS = "含有不允许的字符（只能是数字，18位号码末位可为X）"
BAD_CHECK = "校验码错误"
NO_SUCH_BIRTH_DATE = "出生日期不存在"
BIRTH_BEFORE_1800 = "出生日期不合理（早于1800年）"
FUTURE_BIRTH_DATE = "出生日期晚于今天"
UNKNOWN_REGION = "地址码（前6位）不是有效的行政区划代码"

# Problems found on well-formed numbers, most fundamental first; the first one found is
# the reason reported.
_PROBLEMS = (
    TRUNCATED_BY_EXCEL,
    BAD_CHECK,
    NO_SUCH_BIRTH_DATE,
    BIRTH_BEFORE_1800,
    FUTURE_BIRTH_DATE,
    UNKNOWN_REGION,
)

_ID18 = r"^[0-9]{17}[0-9X]$"
_SCIENTIFIC = r"^[+-]?[0-9]+(?:\.[0-9]*)?E[+-]?[0-9]+$"
# A decimal from Excel or pandas ("…011000.0"). With 16+ integer digits the value passed
# through a float and its last digits are gone; a 15-digit old number survives intact.
_DECIMAL_TRUNCATED = r"^[0-9]{16,}\.[0-9]*$"
_DECIMAL_LOSSLESS_15 = r"^([0-9]{15})\.0*$"
_W = np.array(WEIGHTS, dtype=np.int32)
_CHECK_BYTES = np.frombuffer(CHECK_CHARS.encode("ascii"), dtype=np.uint8)
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int16)


def check_char(body17: pl.Series) -> pl.Series:
    """The MOD 11-2 check character of each 17-digit body; null where it is not 17 digits."""
    ok = body17.str.contains(r"^[0-9]{17}$").fill_null(False)
    out = nulls(len(body17), pl.Utf8).alias(body17.name)
    idx = ok.arg_true()
    if idx.len():
        digits = byte_matrix(body17.gather(idx), 17).T.astype(np.int32, order="C") - 48
        remainder = pl.Series(_W @ digits % 11)
        chars = remainder.replace_strict(dict(enumerate(CHECK_CHARS)), return_dtype=pl.Utf8)
        out.scatter(idx, chars)
    return out


@overload
def birth_date(ids: pl.Series) -> pl.Series: ...
@overload
def birth_date(ids: pl.Expr) -> pl.Expr: ...
def birth_date(ids: pl.Series | pl.Expr) -> pl.Series | pl.Expr:
    """Birth date (digits 7–14) of normalised 18-character numbers; null if impossible.

    Ages (周岁) on a date are computed from this by the models, never from a separate
    column, so the same person has the same age in every model.
    """
    return ids.str.slice(6, 8).str.strptime(pl.Date, "%Y%m%d", strict=False)


@cache
def _region_table() -> np.ndarray:
    """Lookup table indexed by the six-digit code as an integer: True where it exists."""
    table = np.zeros(1_000_000, dtype=bool)
    table[np.array([int(c) for c in region_codes()])] = True
    return table


def _problems(code18: pl.Series) -> np.ndarray:
    """Index into `_PROBLEMS` + 1 for each well-formed 18-character number (0 = valid).

    All checks run on one byte matrix: the weighted sum for the check character, the
    calendar for the birth date, an array lookup for the region code.
    """
    m = byte_matrix(code18, 18)
    # One row per position (contiguous), as digits; the X of position 18 becomes 40.
    d = m.T.astype(np.int32, order="C") - 48
    holds = _CHECK_BYTES[_W @ d[:17] % 11] == m[:, 17]
    truncated = ~holds & (d[15] == 0) & (d[16] == 0) & (d[17] == 0)
    year = d[6] * 1000 + d[7] * 100 + d[8] * 10 + d[9]
    month = d[10] * 10 + d[11]
    day = d[12] * 10 + d[13]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_ok = (month >= 1) & (month <= 12)
    last_day = _MONTH_DAYS[np.where(month_ok, month, 0)] + (leap & (month == 2))
    date_ok = month_ok & (day >= 1) & (day <= last_day)
    today = today_in_china()
    future = year * 10000 + month * 100 + day > today.year * 10000 + today.month * 100 + today.day
    region = d[0] * 100000 + d[1] * 10000 + d[2] * 1000 + d[3] * 100 + d[4] * 10 + d[5]
    region_ok = _region_table()[region]
    # Assign the least fundamental first, so the most fundamental overwrites it.
    problem = np.zeros(len(m), dtype=np.int8)
    for k, bad in reversed(
        list(enumerate((truncated, ~holds, ~date_ok, year < 1800, future, ~region_ok), 1))
    ):
        problem[bad] = k
    return problem


def _clean_unusual(raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Normalise cells that are not already 18 canonical characters.

    Returns an 18-character candidate (or null) and an early rejection reason (or null).
    """
    trimmed = nfkc(raw).str.strip_chars().str.to_uppercase()
    code = compact_code(trimmed.str.replace(_DECIMAL_LOSSLESS_15, "$1"))
    frame = pl.DataFrame({"t": trimmed, "c": code}).with_columns(
        old=pl.col("c").str.contains(r"^[0-9]{15}$").fill_null(False),
        new=pl.col("c").str.contains(_ID18).fill_null(False),
    )
    upgraded = frame["c"].clone()
    old_idx = frame["old"].arg_true()
    if old_idx.len():
        # GB 11643-1989 numbers: 2-digit year, no check character. All were issued to
        # people born in the 1900s: insert "19" and append the check character.
        old = frame["c"].gather(old_idx)
        body = old.str.slice(0, 6) + "19" + old.str.slice(6, 9)
        upgraded.scatter(old_idx, body + check_char(body))
    length = pl.col("c").str.len_chars()
    out = frame.with_columns(upgraded=upgraded).with_columns(
        error=first_reason(
            (pl.col("c") == "", pl.lit(None, dtype=pl.Utf8)),  # only markers: empty cell
            (pl.col("t").str.contains(f"{_SCIENTIFIC}|{_DECIMAL_TRUNCATED}"), TRUNCATED_BY_EXCEL),
            (
                ~length.is_in([15, 18]),
                pl.format("位数不对：应为18位（或15位旧号码），实为{}位", length),
            ),
            (~(pl.col("new") | pl.col("old")), BAD_CHARACTERS),
        ),
    )
    usable = (pl.col("new") | pl.col("old")) & pl.col("error").is_null()
    return out.select(pl.when(usable).then("upgraded")).to_series(), out["error"]


class IdCardField(FieldType):
    """18-character resident ID number, upper-case X; 15-digit old numbers upgraded."""

    name: ClassVar[str] = "id_card"
    label: ClassVar[str] = "公民身份号码"
    dtype: ClassVar[pl.DataType] = pl.Utf8()

    def prepare(self) -> None:
        _region_table()

    def parse(self, raw: pl.Series) -> Parsed:
        """Normalise and validate a column of ID numbers, each distinct number once where they
        repeat (a monthly benefit file lists each person every month)."""
        return via_distinct(raw, self._parse)

    def _parse(self, raw: pl.Series) -> Parsed:
        """Most cells are already 18 clean characters and take the fast path (one regex scan,
        then numpy checks); only the others go through full normalisation."""
        raw = raw.cast(pl.Utf8)
        n = len(raw)
        code = raw.clone()
        error = nulls(n, pl.Utf8)
        unusual = (~raw.str.contains(_ID18).fill_null(True)).arg_true()
        if unusual.len():
            cleaned, reason = _clean_unusual(raw.gather(unusual))
            code.scatter(unusual, cleaned)
            error.scatter(unusual, reason)
        checked = code.is_not_null().arg_true()
        if checked.len():
            problem = pl.Series(_problems(code.gather(checked)))
            reasons = problem.replace_strict(
                dict(enumerate(_PROBLEMS, 1)), default=None, return_dtype=pl.Utf8
            )
            error.scatter(checked, reasons)
        value = pl.select(pl.when(error.is_null()).then(code)).to_series()
        return Parsed(value=value.alias(raw.name), error=error.alias(raw.name))
