"""Titles built column-wise (`render_titles`) are exactly those `render_title` gives row by row."""

from __future__ import annotations

import polars as pl
import pytest

from shujian.models.runner import render_title, render_titles

ROWS = pl.DataFrame(
    {
        "name": ["星光网吧", None, "某某KTV"],
        "metres": [120, None, 7],
        "distance": [123.456, None, 80.0],
        "amount": ["1234.50", "0.00", None],
        "flags": [["甲", "乙"], [], None],
        "open": [True, False, None],
    }
)
PARAMS = {"max_distance_m": 200, "ratio": 0.5, "none": None}


@pytest.mark.parametrize(
    "template",
    [
        "{name}距学校{metres}米（限{max_distance_m}米）",
        "{name}：{distance}米，{ratio}，{none}",
        "{distance:.2f}|{metres:>5}|{amount}",
        "{flags}；{open}",
        "没有字段的标题，只有参数 {max_distance_m}",
        "{name!r}",  # a conversion: row by row
        "{name}{{字面的花括号}}",
    ],
)
def test_column_wise_titles_equal_row_by_row_titles(template: str) -> None:
    expected = [render_title(template, row, PARAMS) for row in ROWS.iter_rows(named=True)]
    fields = [c for c in ROWS.columns if "{" + c in template]
    got = render_titles(template, ROWS.select(fields), PARAMS, ROWS.height)
    if "!r" in template:
        assert got is None
    else:
        assert got == expected
