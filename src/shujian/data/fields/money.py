"""Amounts of money in yuan, and plain numbers (areas, counts, rates).

Finance tables write the same amount as 12345.6, 1,234.5, ¥1234, RMB1234, 1234元整 or
1.2万元. Amounts are kept as exact decimals (yuan and fen, Decimal(20, 2)): 1.2万 is
12000.00 exactly, never 11999.999999 from a float, because the models compare amounts
with thresholds written in law (e.g. 数额较大).
"""

from __future__ import annotations

from typing import ClassVar

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

NOT_A_MONEY_AMOUNT = "金额不是数字"
MONEY_TOO_LARGE = "金额超出范围"
NOT_A_NUMBER = "不是数字"
SCIENTIFIC = "数字是科学计数法（如1.2E+05），可能已丢失精度，请将该列设为数值或文本格式后重新导出"

MONEY = pl.Decimal(20, 2)
_WIDE = pl.Decimal(38, 10)
_SCALE = {"万": 10_000, "亿": 100_000_000}

_PLAIN_MONEY = r"^-?[0-9]+(?:\.[0-9]{1,2})?$"
_MONEY = (
    r"^(?P<s1>[+-])?(?:¥|RMB|CNY|人民币)?(?P<s2>[+-])?"
    r"(?P<num>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?P<unit>万|亿)?(?:元|圆|块)?整?(?:人民币|RMB|CNY)?$"
)
_PLAIN_NUMBER = r"^-?[0-9]+(?:\.[0-9]+)?$"
_NUMBER = r"^(?P<num>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:E[+-]?[0-9]+)?)(?P<unit>万|亿)?$"
_SCIENTIFIC = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)E[+-]?[0-9]+$"


def _tidy(raw: pl.Series) -> pl.Series:
    """Full-width → ASCII, no spaces or thousands separators, upper case; (123) → -123.

    Accounting exports write negatives in parentheses; a leading apostrophe is Excel's
    text marker. A comma that is not a thousands separator (1,5 or 12345,678) makes the
    cell unreadable ("#") rather than silently shifting the amount by powers of ten.
    """
    v = pl.col("v").str.replace_all(f"[\\s'{ZERO_WIDTH}]", "")
    misplaced_comma = v.str.contains(r"[0-9]{4},|,[0-9]{0,2}(?:[^0-9]|$)|,[0-9]{4}")
    v = pl.when(misplaced_comma).then(pl.lit("#")).otherwise(v.str.replace_all(",", ""))
    v = v.str.to_uppercase().str.replace(r"^\((.*)\)$", "-$1")
    return nfkc(raw).to_frame("v").select(v).to_series()


class MoneyYuanField(FieldType):
    """An amount in yuan, exact to the fen; negative amounts (refunds) are allowed."""

    name: ClassVar[str] = "money_yuan"
    label: ClassVar[str] = "金额（元）"
    dtype: ClassVar[pl.DataType] = MONEY

    def parse(self, raw: pl.Series) -> Parsed:
        """Parse each distinct amount once; plain numbers skip the regex entirely."""
        return via_distinct(raw, self._parse)

    def _parse(self, raw: pl.Series) -> Parsed:
        raw = raw.cast(pl.Utf8)
        plain = raw.str.contains(_PLAIN_MONEY).fill_null(False)
        value = pl.select(pl.when(plain).then(raw.cast(MONEY, strict=False))).to_series()
        error = pl.select(
            pl.when(plain & value.is_null()).then(pl.lit(MONEY_TOO_LARGE))
        ).to_series()
        other = (~plain & raw.is_not_null()).arg_true()
        if other.len():
            v, e = _money(raw.gather(other))
            value.scatter(other, v)
            error.scatter(other, e)
        return Parsed(value=value.alias(raw.name), error=error.alias(raw.name))


def _money(raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    tidy = _tidy(raw)
    parts = tidy.str.extract_groups(_MONEY).struct.unnest().with_columns(t=tidy)
    negative = (pl.col("s1") == "-") | (pl.col("s2") == "-")
    scale = pl.col("unit").replace_strict(_SCALE, default=1, return_dtype=pl.Int64)
    amount = pl.col("num").cast(_WIDE, strict=False) * scale
    amount = pl.when(negative).then(-amount).otherwise(amount)
    yuan = amount.round(2, mode="half_away_from_zero").cast(MONEY, strict=False)
    out = parts.select(
        value=yuan,
        error=first_reason(
            (pl.col("t") == "", pl.lit(None, dtype=pl.Utf8)),
            (pl.col("t").str.contains(_SCIENTIFIC), SCIENTIFIC),
            (pl.col("num").is_null(), NOT_A_MONEY_AMOUNT),
            (yuan.is_null(), MONEY_TOO_LARGE),
        ),
    ).select(pl.when(pl.col("error").is_null()).then("value").alias("value"), "error")
    return out["value"], out["error"]


class NumberField(FieldType):
    """A plain number (area, count, rate) as a float; 万 and 亿 multiply."""

    name: ClassVar[str] = "number"
    label: ClassVar[str] = "数值"
    dtype: ClassVar[pl.DataType] = pl.Float64()

    def parse(self, raw: pl.Series) -> Parsed:
        """Parse each distinct value once; plain numbers skip the regex entirely."""
        return via_distinct(raw, self._parse)

    def _parse(self, raw: pl.Series) -> Parsed:
        raw = raw.cast(pl.Utf8)
        plain = raw.str.contains(_PLAIN_NUMBER).fill_null(False)
        value = pl.select(pl.when(plain).then(raw.cast(pl.Float64, strict=False))).to_series()
        error = nulls(len(raw), pl.Utf8)
        other = (~plain & raw.is_not_null()).arg_true()
        if other.len():
            tidy = _tidy(raw.gather(other))
            parts = tidy.str.extract_groups(_NUMBER).struct.unnest().with_columns(t=tidy)
            scale = pl.col("unit").replace_strict(_SCALE, default=1, return_dtype=pl.Float64)
            number = pl.col("num").cast(pl.Float64, strict=False) * scale
            out = parts.select(
                value=number,
                error=first_reason(
                    (pl.col("t") == "", pl.lit(None, dtype=pl.Utf8)),
                    (pl.col("num").is_null(), NOT_A_NUMBER),
                ),
            ).select(pl.when(pl.col("error").is_null()).then("value").alias("value"), "error")
            value.scatter(other, out["value"])
            error.scatter(other, out["error"])
        return Parsed(value=value.alias(raw.name), error=error.alias(raw.name))
