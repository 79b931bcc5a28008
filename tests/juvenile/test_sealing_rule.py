"""The sealing rule, case by case: under 18 at the act (or proven by the decision date, or not
excluded: the precaution), and a conviction of 五年有期徒刑以下 / 免予刑事处罚 / a non-prosecution;
and the grounds that unseal (规则第四百八十五条: 五年有期徒刑以上)."""

from __future__ import annotations

import datetime as dt

import pytest

from juvenile.people import id_card
from shujian.data.datasets import load_datasets
from shujian.juvenile.sealing.rule import SEALABLE, decide, minor_at_act, unseal_allowed

D = dt.date
BORN = D(2006, 5, 10)
"""18 on 2024-05-10; an adult (周岁 reached the day after) from 2024-05-11."""
P = id_card(BORN)


@pytest.mark.parametrize(
    ("outcome", "decided", "act", "sentence", "sealed", "ground"),
    [
        # a conviction of a minor: within five years sealed, over five not
        ("有罪判决", D(2024, 9, 1), D(2023, 6, 1), "有期徒刑3年", True, "sentence"),
        ("有罪判决", D(2024, 9, 1), D(2023, 6, 1), "有期徒刑5年", True, "sentence"),
        ("有罪判决", D(2024, 9, 1), D(2023, 6, 1), "有期徒刑5年1个月", False, None),
        ("有罪判决", D(2024, 9, 1), D(2023, 6, 1), "无期徒刑", False, None),
        ("有罪判决", D(2024, 9, 1), D(2023, 6, 1), "拘役5个月", True, "sentence"),
        ("有罪判决", D(2024, 9, 1), D(2023, 6, 1), "管制1年", True, "sentence"),
        ("有罪判决", D(2024, 9, 1), D(2023, 6, 1), "单处罚金", True, "sentence"),
        ("有罪判决", D(2024, 9, 1), D(2023, 6, 1), "有期徒刑2年（缓刑3年）", True, "sentence"),
        # no sentence written: a minor's conviction is sealed as a precaution
        ("有罪判决", D(2024, 9, 1), D(2023, 6, 1), None, True, "sentence_unknown"),
        ("免予刑事处罚", D(2024, 9, 1), D(2023, 6, 1), None, True, "exempted"),
        # every kind of non-prosecution of a minor (规则第四百八十六条)
        ("相对不起诉", D(2024, 9, 1), D(2023, 6, 1), None, True, "non_prosecution"),
        ("法定不起诉", D(2024, 9, 1), D(2023, 6, 1), None, True, "non_prosecution"),
        ("存疑不起诉", D(2024, 9, 1), D(2023, 6, 1), None, True, "non_prosecution"),
        ("附条件不起诉", D(2024, 9, 1), D(2023, 6, 1), None, True, "non_prosecution"),
        # outcomes that are not criminal records to seal under this rule
        ("无罪判决", D(2024, 9, 1), D(2023, 6, 1), None, False, None),
        ("撤销案件", D(2024, 9, 1), D(2023, 6, 1), None, False, None),
        ("行政处罚", D(2024, 9, 1), D(2023, 6, 1), None, False, None),
        ("治安管理处罚", D(2024, 9, 1), D(2023, 6, 1), None, False, None),
        # the act on the 18th birthday: still under 18; the day after: an adult
        ("有罪判决", D(2024, 9, 1), D(2024, 5, 10), "有期徒刑1年", True, "sentence"),
        ("有罪判决", D(2024, 9, 1), D(2024, 5, 11), "有期徒刑1年", False, None),
        # no act date: under 18 on the decision date proves it
        ("相对不起诉", D(2024, 5, 10), None, None, True, "non_prosecution"),
        ("有罪判决", D(2024, 5, 1), None, "拘役3个月", True, "sentence"),
        # no act date, 18 at the decision but not yet 21: sealed as a precaution
        ("有罪判决", D(2024, 5, 11), None, "有期徒刑1年", True, "act_unknown"),
        ("相对不起诉", D(2027, 5, 10), None, None, True, "act_unknown"),
        # 21 or over at the decision without an act date: not sealed
        ("有罪判决", D(2027, 5, 11), None, "有期徒刑1年", False, None),
        # the precaution does not seal what the sentence excludes anyway
        ("有罪判决", D(2025, 1, 1), None, "有期徒刑8年", False, None),
    ],
)
def test_the_rule(
    outcome: str,
    decided: dt.date,
    act: dt.date | None,
    sentence: str | None,
    sealed: bool,
    ground: str | None,
) -> None:
    decision = decide(P, outcome, decided, act, sentence)
    assert decision.sealed is sealed
    assert decision.ground == ground
    assert decision.why


def test_an_unreadable_id_number_is_not_taken_for_a_minors() -> None:
    assert minor_at_act("52020320X6051012", None, D(2024, 1, 1)) is False
    assert minor_at_act("52020320X6051012", D(2023, 1, 1), D(2024, 1, 1)) is False


@pytest.mark.parametrize(
    ("ground", "sentence", "sealed_ground", "allowed"),
    [
        ("new_crime", "有期徒刑5年", "sentence", True),  # 以上 includes five
        ("new_crime", "有期徒刑7年6个月", "sentence", True),
        ("new_crime", "无期徒刑", "sentence", True),
        ("new_crime", "有期徒刑4年11个月", "sentence", False),
        ("new_crime", "拘役6个月", "sentence", False),
        ("new_crime", None, "sentence", False),
        ("new_crime", "有期徒刑好几年", "sentence", False),
        ("undiscovered_crime", "有期徒刑6年", "non_prosecution", True),
        ("undiscovered_crime", "有期徒刑3年", "non_prosecution", False),
        ("adult_at_act", None, "act_unknown", True),
        ("adult_at_act", None, "sentence", False),  # a proven seal is not corrected away
        ("sentence_over_five", "有期徒刑6年", "sentence_unknown", True),
        ("sentence_over_five", "有期徒刑3年", "sentence_unknown", False),
        ("sentence_over_five", "有期徒刑6年", "act_unknown", False),
        ("because", None, "sentence", False),
    ],
)
def test_unsealing(ground: str, sentence: str | None, sealed_ground: str, allowed: bool) -> None:
    refused = unseal_allowed(ground, sentence, sealed_ground)
    assert (refused is None) is allowed


@pytest.mark.parametrize("outcome", load_datasets()["offence_records"].column("outcome").values)
def test_only_the_sealable_outcomes_are_ever_sealed(outcome: str) -> None:
    """An import reads only the rows with an outcome in `SEALABLE` (a million-row export is
    not handed to the rule row by row): every other declared outcome is never sealed, even
    for a child of twelve with a short sentence, and each sealable one is."""
    child = id_card(D(2014, 1, 1))
    sealed = decide(child, outcome, dt.date(2026, 6, 1), dt.date(2026, 3, 1), "有期徒刑一年")
    assert sealed.sealed is (outcome in SEALABLE)
