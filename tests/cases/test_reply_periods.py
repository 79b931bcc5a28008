"""The reply period of a 检察建议书 and the provision cited beside it, for every kind of
recommendation, juvenile or not, urgent or not (declared once, in the workflow's `reply` rule).

检察建议工作规定 art. 19: two months unless another rule applies; a shorter period when urgent.
两高公益诉讼解释 art. 21: two months, fifteen days when urgent, for 公益诉讼.
未成年人保护法 art. 114: one month for a recommendation that a unit did not protect minors.
When two rules apply, the earlier date binds and its provision is cited.
"""

from __future__ import annotations

import datetime as dt

import pytest

from shujian.calendar import BUNDLED
from shujian.cases.deadlines import binding_rule, deadline
from shujian.cases.recommendations import period_text

ART19 = "《人民检察院检察建议工作规定》第十九条"
ART21 = "《最高人民法院、最高人民检察院关于检察公益诉讼案件适用法律若干问题的解释》第二十一条"
ART114 = "《中华人民共和国未成年人保护法》第一百一十四条"
TWO, ONE, FIFTEEN = "二个月内", "一个月内", "十五日内"

TABLE = [
    # (kind, juvenile, urgent) → (period, provision)
    ("criminal", False, False, TWO, ART19),
    ("criminal", False, True, FIFTEEN, ART19),
    ("criminal", True, False, ONE, ART114),
    ("criminal", True, True, FIFTEEN, ART19),
    ("civil", False, False, TWO, ART19),
    ("civil", False, True, FIFTEEN, ART19),
    ("civil", True, False, ONE, ART114),
    ("civil", True, True, FIFTEEN, ART19),
    ("administrative", False, False, TWO, ART19),
    ("administrative", False, True, FIFTEEN, ART19),
    ("administrative", True, False, ONE, ART114),
    ("administrative", True, True, FIFTEEN, ART19),
    ("juvenile", False, False, TWO, ART19),
    ("juvenile", False, True, FIFTEEN, ART19),
    ("juvenile", True, False, ONE, ART114),
    ("juvenile", True, True, FIFTEEN, ART19),
    ("public_interest", False, False, TWO, ART21),
    ("public_interest", False, True, FIFTEEN, ART21),
    ("public_interest", True, False, ONE, ART114),
    ("public_interest", True, True, FIFTEEN, ART21),
]


@pytest.mark.parametrize(("kind", "juvenile", "urgent", "period", "cite"), TABLE)
def test_every_combination_cites_the_provision_of_its_period(
    kind: str, juvenile: bool, urgent: bool, period: str, cite: str
) -> None:
    rule = binding_rule("reply", dt.date(2026, 12, 7), urgent, juvenile, category=kind)
    assert period_text(rule) == f"收到本检察建议书之日起{period}"
    assert rule.cite == cite


@pytest.mark.parametrize(("kind", "juvenile", "urgent", "period", "cite"), TABLE)
def test_the_kind_changes_the_provision_never_the_date(
    kind: str, juvenile: bool, urgent: bool, period: str, cite: str
) -> None:
    start = dt.date(2026, 12, 7)
    assert deadline("reply", start, urgent, juvenile) == deadline(
        "reply", start, urgent, juvenile, calendar=BUNDLED
    )
    rule = binding_rule("reply", start, urgent, juvenile, category=kind)
    other = binding_rule("reply", start, urgent, juvenile, category="criminal")
    assert (rule.months, rule.days) == (other.months, other.days)


def test_two_rules_apply_and_the_earlier_date_binds_across_a_holiday() -> None:
    # Served just before the National Day holiday: both periods run through it and are extended
    # to a working day; the fifteen days still end first, so the urgent rule binds.
    start = dt.date(2026, 9, 24)
    urgent_only = deadline("reply", start, urgent=True)
    juvenile_only = deadline("reply", start, juvenile=True)
    both = deadline("reply", start, urgent=True, juvenile=True)
    assert both == min(urgent_only, juvenile_only) == urgent_only
    assert binding_rule("reply", start, True, True, category="juvenile").days == 15
