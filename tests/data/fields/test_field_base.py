"""The field types' shared helpers (`data/fields/base.py`)."""

from __future__ import annotations

import random

import polars as pl
import pytest

from shujian.data.fields.base import nulls
from shujian.data.fields.registry import FIELD_TYPES

DTYPES = [
    pl.Utf8,
    pl.Int64,
    pl.Float64,
    pl.Boolean,
    pl.Date,
    pl.Datetime("us"),
    pl.Decimal(18, 2),
    pl.List(pl.Utf8),
    pl.Struct({"x": pl.Int32, "y": pl.Utf8}),
]


@pytest.mark.parametrize("n", [0, 1, 7, 100_000])
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_nulls_is_the_all_null_column_polars_repeat_makes(dtype: pl.DataType, n: int) -> None:
    made = nulls(n, dtype)
    assert made.equals(pl.repeat(None, n, dtype=dtype, eager=True), check_names=True)
    assert made.dtype == dtype and made.len() == n and made.null_count() == n


def test_a_column_of_nulls_is_filled_where_told() -> None:
    filled = nulls(4, pl.Utf8).scatter([1, 3], "必填项为空")
    assert filled.to_list() == [None, "必填项为空", None, "必填项为空"]


# A bag of cells of every kind the field types meet: each type refuses most of them.
_CELLS = [
    None,
    "",
    "  ",
    "11010519491231002X",
    "11010519491231002x",
    " 110105 1949 1231 002X ",
    "110105491231002",
    "1.10105194912310E+17",
    "110105194912310021",
    "91350100M000100Y43",
    "9135 0100 M000 100Y 43",
    "2024-07",
    "2024年7月",
    "2024-07-15 08:30",
    "二〇二四年七月",
    "45292",
    "1,234.50",
    "¥1234.5元",
    "-0",
    "壹佰元",
    "青岚县",
    "網吧",
    "低保",
    "WGS84",
    "GCJ-02",
    "116.397,39.909",
    "青检未建〔2026〕7号",
    "有期徒刑一年六个月",
    "\u200b张三\u200b",
    "ＡＢＣ１２３",
]


@pytest.mark.parametrize("type_name", sorted(FIELD_TYPES))
def test_a_repeated_column_parses_each_cell_as_it_parses_alone(type_name: str) -> None:
    """Types that parse each distinct value once (`via_distinct`, taken when values repeat)
    give every row what the cell gives alone."""
    field_type = FIELD_TYPES[type_name]
    rng = random.Random(type_name)
    column = [rng.choice(_CELLS) for _ in range(len(_CELLS) * 50)]  # 2 % distinct
    parsed = field_type.parse(pl.Series("c", column, dtype=pl.Utf8))
    alone = {}
    for cell in _CELLS:
        one = field_type.parse(pl.Series("c", [cell], dtype=pl.Utf8))
        alone[cell] = (one.value[0], one.error[0])
    got = list(zip(parsed.value.to_list(), parsed.error.to_list(), strict=True))
    assert got == [alone[cell] for cell in column]


_BLANK = [None, "", " ", "\t", " \n ", "\u3000", "\u00a0", "\u2003", "\u0085", "\u3000 \u3000"]
"""Cells `validate` counts as empty: nothing but whitespace (polars' `strip_chars`)."""


@pytest.mark.parametrize("type_name", sorted(FIELD_TYPES))
def test_an_empty_cell_has_no_value_and_no_reason(type_name: str) -> None:
    """What `steps.validate` relies on: it looks for empty required cells only among the cells
    without a value."""
    column = pl.Series("c", _BLANK * 30, dtype=pl.Utf8)  # repeated: the distinct path too
    assert column.str.strip_chars().replace("", None).is_null().all()
    for cells in (column, column.head(len(_BLANK))):
        parsed = FIELD_TYPES[type_name].parse(cells)
        assert parsed.value.is_null().all()
        assert parsed.error.is_null().all()
