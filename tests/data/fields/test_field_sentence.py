"""判处刑罚 as judgments and agencies write it: read into one canonical form, or refused with the
reason (never guessed)."""

from __future__ import annotations

import polars as pl
import pytest

from shujian.data.fields.registry import get_field_type
from shujian.data.sentences import Sentence, chinese_number, parse_sentence


@pytest.mark.parametrize(
    ("raw", "text", "within_five"),
    [
        ("有期徒刑三年六个月", "有期徒刑3年6个月", True),
        ("有期徒刑3年6个月", "有期徒刑3年6个月", True),
        ("有期徒刑 一年零六个月", "有期徒刑1年6个月", True),
        ("有期徒刑十八个月", "有期徒刑1年6个月", True),
        ("有期徒刑五年", "有期徒刑5年", True),  # 以下 includes five (刑法第九十九条)
        ("有期徒刑五年一个月", "有期徒刑5年1个月", False),
        ("有期徒刑六年", "有期徒刑6年", False),
        ("判处有期徒刑二年，缓刑三年", "有期徒刑2年（缓刑3年）", True),
        ("有期徒刑两年 宣告缓刑二年六个月", "有期徒刑2年（缓刑2年6个月）", True),
        ("有期徒刑十二年", "有期徒刑12年", False),
        ("拘役五个月", "拘役5个月", True),
        ("拘役6月", "拘役6个月", True),
        ("拘役三个月，缓刑四个月", "拘役3个月（缓刑4个月）", True),
        ("管制一年", "管制1年", True),
        ("单处罚金", "单处罚金", True),
        ("罚金", "单处罚金", True),
        ("单处剥夺政治权利", "单处剥夺政治权利", True),
        ("免予刑事处罚", "免予刑事处罚", True),
        ("免除刑事处罚", "免予刑事处罚", True),
        ("定罪免刑", "免予刑事处罚", True),
        ("无期徒刑", "无期徒刑", False),
        ("死缓", "死刑", False),
        ("有期徒刑３年", "有期徒刑3年", True),  # full-width digit: normalised by the field
    ],
)
def test_sentences_are_read(raw: str, text: str, within_five: bool) -> None:
    parsed = get_field_type("sentence").parse(pl.Series("s", [raw]))
    assert parsed.error.to_list() == [None]
    assert parsed.value.to_list() == [text]
    read = parse_sentence(text)
    assert isinstance(read, Sentence)
    assert read.text == text
    assert read.five_years_or_less is within_five


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("有期徒刑", "刑期无法识别"),
        ("有期徒刑半年", "刑期无法识别"),
        ("有期徒刑数月", "刑期无法识别"),
        ("有期徒刑三年，缓刑", "缓刑考验期无法识别"),
        ("判了", "不是可识别的刑罚"),
        ("不起诉", "不是可识别的刑罚"),
        ("单处罚金，缓刑一年", "不能宣告缓刑"),
        ("有期徒刑一百年", "刑期无法识别"),
    ],
)
def test_what_cannot_be_read_is_refused_with_the_reason(raw: str, says: str) -> None:
    parsed = get_field_type("sentence").parse(pl.Series("s", [raw]))
    assert parsed.value.to_list() == [None]
    (error,) = parsed.error.to_list()
    assert error is not None and says in error


def test_an_empty_cell_is_no_sentence_and_no_error() -> None:
    parsed = get_field_type("sentence").parse(pl.Series("s", [None, "  "], dtype=pl.Utf8))
    assert parsed.value.to_list() == [None, None]
    assert parsed.error.to_list() == [None, None]


@pytest.mark.parametrize(
    ("text", "n"),
    [("3", 3), ("三", 3), ("两", 2), ("十", 10), ("十八", 18), ("二十", 20), ("二十四", 24)],
)
def test_chinese_numbers(text: str, n: int) -> None:
    assert chinese_number(text) == n


@pytest.mark.parametrize("text", ["", "百", "十十", "三五", "X"])
def test_what_is_not_a_number(text: str) -> None:
    assert chinese_number(text) is None
