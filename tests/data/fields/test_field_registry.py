"""The registry and the contract every field type keeps."""

from __future__ import annotations

import polars as pl
import pytest

from shujian.data.fields.registry import FIELD_TYPES, get_field_type

EXPECTED = {
    "text": ("文本", pl.Utf8),
    "document_number": ("文书编号", pl.Utf8),
    "id_card": ("公民身份号码", pl.Utf8),
    "uscc": ("统一社会信用代码", pl.Utf8),
    "date": ("日期", pl.Date),
    "datetime": ("日期时间", pl.Datetime("us")),
    "month": ("年月", pl.Date),
    "money_yuan": ("金额（元）", pl.Decimal(20, 2)),
    "number": ("数值", pl.Float64),
    "lon": ("经度", pl.Float64),
    "lat": ("纬度", pl.Float64),
    "crs": ("坐标系", pl.Utf8),
    "uscc_or_id_card": ("统一社会信用代码或公民身份号码", pl.Utf8),  # party_id.py
    "sentence": ("判处刑罚", pl.Utf8),
}

MESSY = pl.Series("列", [None, "", "   ", "\u3000", "垃圾 value", "12", "２０２４"], dtype=pl.Utf8)


def test_registry_holds_every_declared_type_with_its_label_and_dtype() -> None:
    assert set(FIELD_TYPES) == set(EXPECTED)
    for name, (label, dtype) in EXPECTED.items():
        field = get_field_type(name)
        assert field.name == name
        assert field.label == label
        assert field.dtype == dtype


def test_unknown_type_is_a_key_error_that_lists_the_known_types() -> None:
    with pytest.raises(KeyError, match=r"unknown field type 'idcard'.*id_card"):
        get_field_type("idcard")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_type_returns_parallel_columns_of_the_declared_dtypes(name: str) -> None:
    field = get_field_type(name)
    parsed = field.parse(MESSY)
    assert parsed.value.len() == parsed.error.len() == MESSY.len()
    assert parsed.value.dtype == field.dtype
    assert parsed.error.dtype == pl.Utf8


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_empty_and_blank_cells_are_null_without_a_reason(name: str) -> None:
    parsed = get_field_type(name).parse(MESSY)
    assert parsed.value[:4].to_list() == [None] * 4
    assert parsed.error[:4].to_list() == [None] * 4


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_rejected_cell_has_no_value(name: str) -> None:
    parsed = get_field_type(name).parse(MESSY)
    rejected = parsed.error.is_not_null()
    assert parsed.value.filter(rejected).null_count() == rejected.sum()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_parsing_leaves_the_raw_column_untouched(name: str) -> None:
    raw = MESSY.clone()
    get_field_type(name).parse(raw)
    assert raw.to_list() == MESSY.to_list()
