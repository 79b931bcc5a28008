"""The sealing rule and record key applied column-wise (`sealing.columnwise`, an import's path)
give what the rule and key give row by row (`records._wanted`, the statement of the rule), row
for row: the same records sealed, on the same grounds, under the same keys, the first row of a
key kept. A frame the column-wise path could read otherwise is refused (`exact`) and goes
through the row path."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Any

import polars as pl
import pytest

from shujian.juvenile.sealing import columnwise
from shujian.juvenile.sealing.records import SEALED_COLUMNS, _wanted, record_key
from shujian.juvenile.sealing.rule import SEALABLE, minor_at_act

SCHEMA = {
    "id_card": pl.String,
    "decided_on": pl.Date,
    "outcome": pl.String,
    "offence": pl.String,
    "document_no": pl.String,
    "act_date": pl.Date,
    "sentence": pl.String,
    "name": pl.String,
}
assert set(SCHEMA) == set(SEALED_COLUMNS)


def _id(born: str) -> str:
    return f"520203{born}123X"


BIRTHS = ["20080301", "20080229", "20060115", "20050601", "20041231", "19990101", "20100707"]
IDS = [
    *(_id(b) for b in BIRTHS),
    "52020320081301123X",  # a month that is no month: the arithmetic still reads it
    "520203200803",  # too short
    "5202032008O301123X",  # a letter among the birth digits
    "",
    None,
]
DAYS = [
    dt.date(2026, 2, 28),
    dt.date(2026, 3, 1),
    dt.date(2026, 3, 2),
    dt.date(2024, 1, 15),
    dt.date(2024, 1, 16),
    dt.date(2023, 6, 1),
    dt.date(2027, 1, 1),
]
SENTENCES = [
    None,
    "",
    "有期徒刑五年",
    "有期徒刑五年一个月",
    "有期徒刑二年，缓刑三年",
    "拘役三个月",
    "管制一年",
    "单处罚金",
    "无期徒刑",
    "半年",  # unreadable: the precaution
]
OUTCOMES = [*SEALABLE, "治安处罚", ""]
TEXTS = [
    None,
    "",
    "盗窃",
    "\u3000寻衅滋事\u3000",
    "\x1c抢夺\x1f",  # Python strips the ASCII separators too
    " 2024-03-01 08:00 抢夺",
    "2024-03-01",
    "２０２４-03-01 全角数字",  # full-width digits: `isdigit` takes them
    "²⁰²⁴-03-01 上标",  # superscript digits: `isdigit` takes them as well
    "202４-0３-01x",
    "青刑初〔2024〕7号",
]


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMA)


def _alike(frame: pl.DataFrame) -> None:
    assert columnwise.exact(frame)
    rows = list(frame.iter_rows(named=True))
    minors = frame.select(columnwise.minor_at_act().alias("m")).get_column("m").to_list()
    expected_minors = [
        minor_at_act(str(r["id_card"]), r["act_date"], r["decided_on"]) for r in rows
    ]
    assert minors == expected_minors
    assert columnwise.record_keys(frame).to_list() == [record_key(r) for r in rows]
    assert list(columnwise.wanted(frame).items()) == list(_wanted(rows).items())


def test_every_combination_of_age_act_date_outcome_and_sentence() -> None:
    rows = []
    for id_card, decided, act, outcome, sentence in itertools.product(
        IDS, DAYS, [None, *DAYS[::2]], OUTCOMES, SENTENCES[:6]
    ):
        rows.append(
            {
                "id_card": id_card,
                "decided_on": decided,
                "outcome": outcome,
                "offence": "盗窃",
                "document_no": f"文书{decided}{act}{sentence}",
                "act_date": act,
                "sentence": sentence,
                "name": "某某",
            }
        )
    frame = _frame(rows)
    _alike(frame)
    assert len(columnwise.wanted(frame)) > 100  # the table seals many, on every ground
    assert {g for _, g in columnwise.wanted(frame).values()} == {
        "sentence",
        "exempted",
        "non_prosecution",
        "sentence_unknown",
        "act_unknown",
    }


def test_key_texts_with_every_kind_of_space_and_date_like_beginning() -> None:
    rows = [
        {
            "id_card": _id("20080301"),
            "decided_on": dt.date(2025, 5, 5),
            "outcome": outcome,
            "offence": offence,
            "document_no": document,
            "act_date": dt.date(2025, 1, 1),
            "sentence": "拘役三个月",
            "name": "某某",
        }
        for offence, document, outcome in itertools.product(
            TEXTS, TEXTS, ["相对不起诉", " 有罪判决 "]
        )
    ]
    _alike(_frame(rows))


def test_the_first_row_of_a_record_key_is_kept() -> None:
    row = {
        "id_card": _id("20080301"),
        "decided_on": dt.date(2025, 5, 5),
        "outcome": "有罪判决",
        "offence": "盗窃",
        "document_no": "青刑初〔2025〕1号",
        "act_date": dt.date(2025, 1, 1),
        "sentence": "拘役三个月",
        "name": "第一行",
    }
    frame = _frame(
        [
            {**row, "outcome": "治安处罚", "name": "不封存的一行"},
            row,
            {**row, "name": "第二行", "offence": " 盗窃 "},  # the same key: stripped
            {**row, "name": "另一条记录", "document_no": "青刑初〔2025〕2号"},
        ]
    )
    _alike(frame)
    assert [r["name"] for r, _ in columnwise.wanted(frame).values()] == ["第一行", "另一条记录"]


def test_random_rows_from_every_pool() -> None:
    rng = random.Random(286)
    rows = [
        {
            "id_card": rng.choice(IDS),
            "decided_on": rng.choice(DAYS),
            "outcome": rng.choice(OUTCOMES),
            "offence": rng.choice(TEXTS),
            "document_no": rng.choice(TEXTS),
            "act_date": rng.choice([None, *DAYS]),
            "sentence": rng.choice(SENTENCES),
            "name": rng.choice(["甲", "乙", None]),
        }
        for _ in range(20_000)
    ]
    _alike(_frame(rows))


def _one(**changed: Any) -> pl.DataFrame:
    row = {
        "id_card": _id("20080301"),
        "decided_on": dt.date(2025, 5, 5),
        "outcome": "有罪判决",
        "offence": "盗窃",
        "document_no": None,
        "act_date": None,
        "sentence": "拘役三个月",
        "name": "某某",
    }
    return _frame([{**row, **changed}])


def test_a_full_width_id_number_is_left_to_the_row_path() -> None:
    """Python's `isdigit` and `int` read full-width digits, so the rule finds a birth date in
    this number; the column-wise arithmetic does not: such a frame is refused."""
    frame = _one(id_card="520203２００８０３０１123X", act_date=dt.date(2025, 1, 1))
    assert not columnwise.exact(frame)
    minor = frame.select(columnwise.minor_at_act()).item()
    assert minor != minor_at_act("520203２００８０３０１123X", dt.date(2025, 1, 1), None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "frame",
    [
        _one(decided_on=None),
        _one(decided_on=dt.date(999, 1, 1)),  # isoformat writes 0999
        _one().with_columns(pl.col("decided_on").cast(pl.Datetime)),
        _one().with_columns(pl.col("sentence").cast(pl.Categorical)),
    ],
    ids=["no decision date", "three-digit year", "a time of day", "categorical"],
)
def test_frames_the_columns_could_read_otherwise_are_refused(frame: pl.DataFrame) -> None:
    assert not columnwise.exact(frame)


def test_an_empty_frame_seals_nothing() -> None:
    empty = _frame([])
    assert columnwise.exact(empty)
    assert columnwise.wanted(empty) == {}


def test_the_scanned_planes_hold_every_whitespace_and_digit_python_knows() -> None:
    """`columnwise` looks for Python's whitespace and digits in planes 0 and 1 only: every one
    of them is there (a Python whose Unicode adds one beyond fails here)."""
    everything = [chr(c) for c in range(0x110000)]
    assert columnwise._python_whitespace() == "".join(c for c in everything if c.isspace())
    assert columnwise._python_digits() == "".join(c for c in everything if c.isdigit())
    # and the sets are what the record key needs: the ASCII separators, full-width and superscripts
    assert "\x1c" in columnwise._python_whitespace() and "\u3000" in columnwise._python_whitespace()
    assert {"０", "²", "\U0001fbf9"} <= set(columnwise._python_digits())
