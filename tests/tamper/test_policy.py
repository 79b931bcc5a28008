"""The policy of the records, pure: what a record holds, how a write updates it, what a
comparison names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shujian.errors import UserError
from shujian.tamper.anchor import Anchor, parse
from shujian.tamper.policy import (
    DIGEST_CHARS,
    TRACKED,
    column_digest,
    column_digests,
    decode,
    differing_columns,
    encode,
    group_digest,
    merge,
    value_text,
)

CASE = TRACKED["case"]
ROW = {
    "case_kind": "recommendation",
    "department": "公益诉讼检察部",
    "prosecutor": "张检察官",
    "state": "investigating",
    "urgent": False,
    "juvenile": True,
    "deadline_kind": None,
    "deadline_start": None,
    "deadline_due": dt.date(2026, 5, 25),
    "opened_on": dt.date(2026, 3, 2),
}


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"b": 1, "a": "距学校49.9米"}, 'j{"a":"距学校49.9米","b":1}'),
        ([1.5, "x"], 'j[1.5,"x"]'),
        (dt.date(2026, 3, 2), "d2026-03-02"),
        (Decimal("1.50"), 'j"1.50"'),
        (None, "n"),
        (True, "b1"),
        (1, "i1"),
        ("1", "s1"),
    ],
)
def test_values_are_canonical_text_tagged_with_their_kind(value: object, text: str) -> None:
    assert value_text(value) == text


def test_a_column_s_digest_depends_on_its_name_and_value() -> None:
    assert column_digest("state", "closed") != column_digest("state", "investigating")
    assert column_digest("state", "x") != column_digest("department", "x")
    assert len(column_digest("state", "x")) == DIGEST_CHARS


def test_a_record_round_trips_and_a_record_of_another_length_decodes_to_nothing() -> None:
    digests = column_digests(CASE, ROW)
    record = encode(CASE, digests)
    assert decode(CASE, record) == digests
    assert decode(CASE, record[:-1]) == {}


@pytest.mark.parametrize(
    ("previous", "written", "state_now", "expected_state"),
    [
        # a row the platform has just made: every column as it is
        (None, None, "closed", "closed"),
        # a step wrote the state: the record follows
        ("investigating", {"state", "deadline_due"}, "closed", "closed"),
        # the state forged, a step wrote only the deadline: the forged state is not taken up
        ("investigating", {"deadline_due"}, "closed", "investigating"),
    ],
)
def test_a_write_records_the_columns_it_wrote_and_keeps_the_others(
    previous: str | None, written: set[str] | None, state_now: str, expected_state: str
) -> None:
    before = (
        None if previous is None else encode(CASE, column_digests(CASE, {**ROW, "state": previous}))
    )
    now = column_digests(CASE, {**ROW, "state": state_now})
    after = merge(CASE, before, now, written)
    assert after is not None
    assert decode(CASE, after)["state"] == column_digest("state", expected_state)


def test_a_row_with_no_record_that_the_platform_did_not_make_gets_none() -> None:
    assert merge(CASE, None, column_digests(CASE, ROW), {"state"}) is None


def test_a_comparison_names_the_columns_that_differ_in_chinese() -> None:
    record = encode(CASE, column_digests(CASE, ROW))
    forged = column_digests(CASE, {**ROW, "state": "closed", "deadline_due": None})
    assert differing_columns(CASE, record, forged) == ["办理状态", "期限届满日"]
    assert differing_columns(CASE, record, column_digests(CASE, ROW)) == []


def test_the_joint_hash_of_an_entry_s_records_does_not_depend_on_their_order() -> None:
    rows = [("lead", 1, "a" * 8), ("case", 3, "b" * 8)]
    assert group_digest(rows) == group_digest(rows[::-1])
    assert group_digest(rows) != group_digest([("lead", 1, "a" * 8)])


def test_every_tracked_column_has_a_chinese_label() -> None:
    for tracked in TRACKED.values():
        assert all(label and not label.isascii() for _, label in tracked.columns), tracked.kind


HASH = "ab" * 32


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"变更记录链  第 12 条  哈希 {HASH}  写入于 2026-12-06 18:48:48", [Anchor(1, 12, HASH)]),
        (f"变更记录链 第12条 哈希 {HASH.upper()}", [Anchor(1, 12, HASH)]),  # typed back
        (f"查看记录链（3） 第 7 条 哈希 {HASH}", [Anchor(4, 7, HASH)]),
        (
            f"查看记录链(1) 第 7 条 哈希 {HASH}\n变更记录链 第 2 条 哈希 {HASH}",
            [Anchor(2, 7, HASH), Anchor(1, 2, HASH)],
        ),
    ],
)
def test_an_anchor_is_read_as_printed_or_as_typed_back(text: str, expected: list[Anchor]) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text", ["", "变更记录链 第 3 条", f"查看记录链（40） 第 1 条 哈希 {HASH}"]
)
def test_an_anchor_without_a_chain_line_is_refused_in_chinese(text: str) -> None:
    with pytest.raises(UserError, match="锚点"):
        parse(text)
