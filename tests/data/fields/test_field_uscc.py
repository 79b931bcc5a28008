"""统一社会信用代码: published codes, messy forms, letter-first codes stdnum refuses."""

from __future__ import annotations

import random

import numpy as np
import polars as pl
import pytest
from stdnum.cn import uscc
from stdnum.exceptions import InvalidFormat

from shujian.data.fields.uscc import ALPHABET, TRUNCATED_BY_EXCEL, UsccField, uscc_check_char


def parse(*cells: str | None) -> list[tuple[str | None, str | None]]:
    parsed = UsccField().parse(pl.Series("统一社会信用代码", list(cells), dtype=pl.Utf8))
    return list(zip(parsed.value.to_list(), parsed.error.to_list(), strict=True))


def valid_code(body17: str) -> str:
    return body17 + uscc_check_char(pl.Series([body17]))[0]


def test_published_codes_are_valid() -> None:
    assert parse("91110000600037341L", "91110108551385082Q") == [
        ("91110000600037341L", None),
        ("91110108551385082Q", None),
    ]


def test_check_char_agrees_with_python_stdnum_on_random_bodies() -> None:
    rng = random.Random(32100)
    bodies = ["".join(rng.choice(ALPHABET) for _ in range(17)) for _ in range(2000)]
    ours = uscc_check_char(pl.Series(bodies)).to_list()
    # stdnum's calc_check_digit is correct for any first character; only validate() is not.
    assert ours == [uscc.calc_check_digit(b) for b in bodies]


@pytest.mark.parametrize(
    "body",
    [
        "N2110105MA0000001",  # 农村集体经济组织 (村级), registered by 农业农村部门
        "N3110105MA0000002",  # 乡镇级集体经济组织
        "Y1110105MA0000003",  # 其他登记管理部门
        "A1100000MA0000004",  # 中央军委改革和编制办公室
    ],
)
def test_letter_first_codes_are_valid_although_stdnum_validate_refuses_them(body: str) -> None:
    code = valid_code(body)
    with pytest.raises(InvalidFormat):  # why uscc.py does not call stdnum's validate()
        uscc.validate(code)
    assert parse(code) == [(code, None)]


@pytest.mark.parametrize(
    "messy",
    [
        "91110108551385082q",
        " 91110108551385082Q ",
        "9111 0108 5513 8508 2Q",
        "９１１１０１０８５５１３８５０８２Ｑ",
        "９１１１０１０８５５１３８５０８２ｑ",
        "'91110108551385082Q",
        "91110108551385082Q\u200b",
    ],
)
def test_messy_real_world_forms_are_normalised(messy: str) -> None:
    assert parse(messy) == [("91110108551385082Q", None)]


def test_wrong_check_character_is_rejected() -> None:
    assert parse("91110108551385082A") == [(None, "校验码错误")]


def test_wrong_length_is_rejected() -> None:
    assert parse("9111010855138508Q") == [(None, "长度不是18位（实为17位）")]


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_letters_outside_the_code_alphabet_are_rejected(letter: str) -> None:
    assert parse(f"9111010855138{letter}082Q") == [
        (None, f"含有不允许的字符“{letter}”（代码中不使用I、O、S、V、Z）")
    ]


def test_all_digit_code_stored_as_a_number_by_excel_is_rejected() -> None:
    assert parse("9.11101085513851E+17") == [(None, TRUNCATED_BY_EXCEL)]


def test_empty_cells_have_no_value_and_no_reason() -> None:
    assert parse(None, "", "   ", "'") == [(None, None)] * 4


def test_parses_a_million_codes_in_bulk() -> None:
    n = 1_000_000
    rng = np.random.default_rng(0)
    letters = np.array(list(ALPHABET))
    chars = letters[rng.integers(0, 31, (n, 17))]
    chars[:, 0] = "9"
    bodies = pl.Series(chars.view("<U17").ravel())
    codes = (bodies + uscc_check_char(bodies)).to_list()
    for i in range(0, n, 50):  # 2 % typed in lower case with spaces
        codes[i] = codes[i][:9].lower() + " " + codes[i][9:]
    raw = pl.Series(codes)
    parsed = UsccField().parse(raw)
    assert parsed.error.null_count() == n
