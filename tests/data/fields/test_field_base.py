"""The field types' shared helpers (`data/fields/base.py`)."""

from __future__ import annotations

import polars as pl
import pytest

from shujian.data.fields.base import nulls

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
