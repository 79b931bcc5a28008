"""Money in yuan (exact decimals) and plain numbers, as finance and registry tables write them."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import polars as pl
import pytest

from shujian.data.fields.money import SCIENTIFIC, MoneyYuanField, NumberField


def parse_money(*cells: str | None) -> list[tuple[Decimal | None, str | None]]:
    parsed = MoneyYuanField().parse(pl.Series("金额", list(cells), dtype=pl.Utf8))
    assert parsed.value.dtype == pl.Decimal(20, 2)
    return list(zip(parsed.value.to_list(), parsed.error.to_list(), strict=True))


def parse_number(*cells: str | None) -> list[tuple[float | None, str | None]]:
    parsed = NumberField().parse(pl.Series("面积", list(cells), dtype=pl.Utf8))
    return list(zip(parsed.value.to_list(), parsed.error.to_list(), strict=True))


@pytest.mark.parametrize(
    ("written", "yuan"),
    [
        ("12345.6", "12345.60"),
        ("12345", "12345.00"),
        ("1,234.5", "1234.50"),
        ("1,234,567.89", "1234567.89"),
        ("1，234.5", "1234.50"),
        ("¥1234", "1234.00"),
        ("￥1234", "1234.00"),
        ("RMB1234", "1234.00"),
        ("RMB 1,234.50", "1234.50"),
        ("人民币1234元", "1234.00"),
        ("１２３４．５", "1234.50"),
        ("1234元", "1234.00"),
        ("1234元整", "1234.00"),
        (" 1 234 ", "1234.00"),
        ("'1234", "1234.00"),
        ("1.2万", "12000.00"),
        ("1.2万元", "12000.00"),
        ("6万元", "60000.00"),
        ("0.0001万", "1.00"),
        ("1.23456789万", "12345.68"),
        ("1.5亿", "150000000.00"),
        (".5", "0.50"),
    ],
)
def test_written_amounts_become_exact_yuan(written: str, yuan: str) -> None:
    assert parse_money(written) == [(Decimal(yuan), None)]


def test_wan_is_multiplied_exactly_without_float_error() -> None:
    # 1.2 * 10000 in binary floating point is 11999.999999999998.
    value = parse_money("1.2万")[0][0]
    assert value == Decimal("12000.00")
    assert str(value) == "12000.00"


@pytest.mark.parametrize("refund", ["-200", "-¥200", "¥-200", "(200.00)", "-200元"])
def test_negative_amounts_such_as_refunds_are_kept(refund: str) -> None:
    assert parse_money(refund) == [(Decimal("-200.00"), None)]


def test_fractions_of_a_fen_round_half_away_from_zero() -> None:
    assert [v for v, _ in parse_money("0.125", "0.135", "12.344", "-0.125")] == [
        Decimal("0.13"),
        Decimal("0.14"),
        Decimal("12.34"),
        Decimal("-0.13"),
    ]


@pytest.mark.parametrize(
    "garbage", ["abc", "一千元", "12.3.4", "¥", "12%", "约500", "1,5", "12345,678", "1,2345"]
)
def test_non_numeric_amount_is_rejected(garbage: str) -> None:
    assert parse_money(garbage) == [(None, "金额不是数字")]


def test_scientific_notation_is_rejected_as_possibly_truncated() -> None:
    assert parse_money("1.23457E+11") == [(None, SCIENTIFIC)]


def test_amount_too_large_for_the_column_is_rejected() -> None:
    assert parse_money("99999999999999999999", "99999999999999亿") == [(None, "金额超出范围")] * 2


def test_empty_amounts_have_no_value_and_no_reason() -> None:
    assert parse_money(None, "", "  ") == [(None, None)] * 3


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("120.5", 120.5),
        ("1,200", 1200.0),
        ("１２０．５", 120.5),
        (" 120 ", 120.0),
        ("-3", -3.0),
        ("1.2万", 12000.0),
        ("1e3", 1000.0),
    ],
)
def test_numbers_accept_separators_full_width_and_wan(written: str, number: float) -> None:
    assert parse_number(written) == [(pytest.approx(number), None)]


@pytest.mark.parametrize("garbage", ["abc", "inf", "nan", "12.5%", "120㎡", "1,5"])
def test_non_numbers_are_rejected(garbage: str) -> None:
    assert parse_number(garbage) == [(None, "不是数字")]


def _amounts(n: int, *, money: bool) -> pl.Series:
    rng = np.random.default_rng(0)
    cents = pl.Series(rng.integers(0, 10**9, n))
    plain = (cents // 100).cast(pl.Utf8) + "." + (cents % 100).cast(pl.Utf8).str.zfill(2)
    cells = plain.to_list()
    for i in range(0, n, 20):  # 10 % written by hand: 万(元), ¥, thousands separators
        whole = int(cells[i].split(".")[0])
        cells[i] = f"{whole / 10000:.4f}万" + ("元" if money else "")
        cells[i + 1] = ("¥" if money else "") + f"{int(cells[i + 1].split('.')[0]):,}"
    return pl.Series(cells)


@pytest.mark.parametrize("field", [MoneyYuanField(), NumberField()])
def test_parses_a_million_amounts_in_bulk(field: MoneyYuanField | NumberField) -> None:
    raw = _amounts(1_000_000, money=isinstance(field, MoneyYuanField))
    parsed = field.parse(raw)
    assert parsed.error.null_count() == raw.len()
