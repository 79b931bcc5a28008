"""The eligibility check for 附条件不起诉, condition by condition (刑诉法第二百八十二条, 规则第四百六十九、
四百七十条): each condition alone not met, not recorded; the objection cases; the sentence as
entered."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from shujian.errors import UserError
from shujian.juvenile.probation.charges import charge_table
from shujian.juvenile.probation.eligibility import (
    Facts,
    Sentence,
    check,
    parse_heard,
    parse_objection,
)

D = dt.date
# Born 2009-06-15 (check digit valid): 18 on 2027-06-15, an adult from 2027-06-16 (周岁 rule).
MINOR = "110101200906150018"
ALL_HEARD = {"police": "heard", "victim": "heard", "suspect": "heard", "guardian": "heard",
             "defender": "heard"}  # fmt: skip
GOOD = Facts(
    id_card=MINOR,
    act_on=D(2026, 5, 1),
    charge=charge_table().find("盗窃罪"),
    sentence=Sentence("imprisonment", 8),
    prosecutable=True,
    remorse=True,
    heard=ALL_HEARD,
    objection="none",
)


def status(facts: Facts, condition: str) -> str:
    return next(c.status for c in check(facts).conditions if c.id == condition)


def test_every_condition_met_is_eligible() -> None:
    result = check(GOOD)
    assert result.verdict == "eligible" and not result.must_prosecute
    assert all(c.status == "met" for c in result.conditions)
    assert [c.id for c in result.conditions] == [
        "minor", "chapter", "sentence", "prosecutable", "remorse", "heard_police",
        "heard_victim", "heard_suspect", "heard_guardian", "heard_defender", "objection",
    ]  # fmt: skip


FAILING = [
    ("minor", {"act_on": D(2027, 6, 16)}),  # the day after the 18th birthday
    ("chapter", {"charge": charge_table().find("危险驾驶罪")}),
    ("sentence", {"sentence": Sentence("imprisonment", 13)}),
    ("prosecutable", {"prosecutable": False}),
    ("remorse", {"remorse": False}),
    ("heard_police", {"heard": {**ALL_HEARD, "police": "not_heard"}}),
    ("heard_victim", {"heard": {**ALL_HEARD, "victim": "not_heard"}}),
    ("heard_suspect", {"heard": {**ALL_HEARD, "suspect": "not_heard"}}),
    ("heard_guardian", {"heard": {**ALL_HEARD, "guardian": "not_heard"}}),
    ("heard_defender", {"heard": {**ALL_HEARD, "defender": "not_heard"}}),
    ("objection", {"objection": "decision"}),
]


@pytest.mark.parametrize(("condition", "change"), FAILING, ids=[c for c, _ in FAILING])
def test_each_condition_alone_not_met(condition: str, change: dict[str, object]) -> None:
    facts = dataclasses.replace(GOOD, **change)  # type: ignore[arg-type]
    result = check(facts)
    assert result.verdict == "not_eligible"
    assert [c.id for c in result.conditions if c.status == "not_met"] == [condition]


MISSING = [
    ("minor", {"act_on": None}),
    ("chapter", {"charge": None}),
    ("sentence", {"sentence": None}),
    ("prosecutable", {"prosecutable": None}),
    ("remorse", {"remorse": None}),
    *[(f"heard_{p}", {"heard": {k: v for k, v in ALL_HEARD.items() if k != p}}) for p in ALL_HEARD],
    ("objection", {"objection": None}),
]


@pytest.mark.parametrize(("condition", "change"), MISSING, ids=[c for c, _ in MISSING])
def test_each_condition_alone_not_recorded(condition: str, change: dict[str, object]) -> None:
    result = check(dataclasses.replace(GOOD, **change))  # type: ignore[arg-type]
    assert result.verdict == "incomplete"
    assert [c.id for c in result.conditions if c.status == "not_recorded"] == [condition]
    assert len(result.missing()) == 1


def test_the_18th_birthday_itself_is_still_under_18() -> None:
    assert status(dataclasses.replace(GOOD, act_on=D(2027, 6, 15)), "minor") == "met"


def test_a_number_without_a_birth_date_is_not_recorded_not_guessed() -> None:
    assert status(dataclasses.replace(GOOD, id_card="11010119"), "minor") == "not_recorded"


@pytest.mark.parametrize(
    ("objection", "verdict", "must"),
    [
        ("none", "eligible", False),
        ("decision", "not_eligible", True),
        ("terms", "eligible", False),
        (None, "incomplete", False),
    ],
)
def test_the_objections(objection: str | None, verdict: str, must: bool) -> None:
    result = check(dataclasses.replace(GOOD, objection=objection))
    assert (result.verdict, result.must_prosecute) == (verdict, must)
    if objection == "terms":
        note = next(c for c in result.conditions if c.id == "objection")
        assert "第四百七十条" in note.basis and "不影响" in note.note
    if must:
        assert result.verdict_label == "应当作出起诉的决定"


def test_no_victim_and_no_defender_count_as_met() -> None:
    heard = {**ALL_HEARD, "victim": "none", "defender": "none"}
    assert check(dataclasses.replace(GOOD, heard=heard)).verdict == "eligible"


@pytest.mark.parametrize(
    ("typed", "kind", "months", "within"),
    [
        ("8", "imprisonment", 8, True),
        ("12个月", "imprisonment", 12, True),
        ("有期徒刑1年", "imprisonment", 12, True),
        ("有期徒刑1年6个月", "imprisonment", 18, False),
        ("13", "imprisonment", 13, False),
        ("拘役", "detention", None, True),
        ("管制", "control", None, True),
        ("单处罚金", "fine", None, True),
        ("罚金", "fine", None, True),
    ],
)
def test_the_sentence_as_entered(typed: str, kind: str, months: int | None, within: bool) -> None:
    s = Sentence.parse(typed)
    assert (s.kind, s.months, s.within_limit) == (kind, months, within)


@pytest.mark.parametrize("typed", ["", "一年", "无期徒刑", "0"])
def test_a_sentence_not_understood_is_refused(typed: str) -> None:
    with pytest.raises(UserError) as caught:
        Sentence.parse(typed)
    assert caught.value.code == "bad_sentence"


def test_hearings_and_objections_as_typed() -> None:
    assert parse_heard(["公安机关、被害人=无", "辩护人=未听取"]) == {
        "police": "heard", "victim": "none", "defender": "not_heard"}  # fmt: skip
    assert parse_objection("仅对条件或期限") == "terms"
    assert parse_objection("对决定") == "decision"
    with pytest.raises(UserError):
        parse_heard(["检察官"])
    with pytest.raises(UserError):
        parse_objection("也许")
