"""12309 信访's pure rules: the two due dates of 件件有回复 on the bundled calendar (a receipt
before a holiday, a month without the corresponding day, a date into 2027 marked 暂定), minors,
how a petitioner is named, the figures and who sees which petition."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from shujian.calendar import BUNDLED
from shujian.errors import UserError
from shujian.petitions import rules
from shujian.petitions.access import check_intake, petition_scope
from shujian.users.user import User

D = dt.date
P = "青岚县人民检察院"
INTAKE = "控告申诉检察部"


@pytest.mark.parametrize(
    ("received", "procedural", "result", "provisional"),
    [
        # an ordinary week: seven calendar days, the day of receipt not counted
        (D(2026, 11, 2), D(2026, 11, 9), D(2027, 2, 2), (2027,)),
        (D(2026, 7, 6), D(2026, 7, 13), D(2026, 10, 8), ()),  # 10-06 in 国庆 → 10-08
        # before 国庆 (10-01…10-07): day 7 is 10-05, a holiday → the next working day
        (D(2026, 9, 28), D(2026, 10, 8), D(2026, 12, 28), ()),
        (D(2026, 9, 30), D(2026, 10, 8), D(2026, 12, 30), ()),
        # before 春节 (02-15…02-23): 02-17 → 02-24; 05-10 a Sunday → 05-11
        (D(2026, 2, 10), D(2026, 2, 24), D(2026, 5, 11), ()),
        # day 7 a Saturday → Monday; 31 January + 3 months → 30 April (no 31 April)
        (D(2026, 1, 31), D(2026, 2, 9), D(2026, 4, 30), ()),
        # into 2027, whose holidays are not published: 暂定
        (D(2026, 12, 20), D(2026, 12, 28), D(2027, 3, 22), (2027,)),
        (D(2026, 12, 28), D(2027, 1, 4), D(2027, 3, 29), (2027,)),
    ],
)
def test_due_dates(
    received: dt.date, procedural: dt.date, result: dt.date, provisional: tuple[int, ...]
) -> None:
    due = rules.due_dates(received, BUNDLED)
    assert (due.procedural, due.result, due.provisional) == (procedural, result, provisional)


def test_a_year_nobody_knows_is_refused_in_chinese() -> None:
    with pytest.raises(UserError) as refused:
        rules.due_dates(D(2040, 1, 5), BUNDLED)
    assert refused.value.code == "calendar_year_unknown"


@pytest.mark.parametrize(
    ("id_card", "declared", "on", "minor"),
    [
        ("52020320090301002X", False, D(2026, 11, 2), True),  # 17
        ("52020320080301002X", False, D(2026, 3, 1), False),  # 18 that day
        ("52020320080301002X", False, D(2026, 2, 28), True),
        ("520203200802290018", False, D(2026, 2, 28), True),  # born 29 Feb: adult 1 March
        ("520203200802290018", False, D(2026, 3, 1), False),
        (None, True, D(2026, 11, 2), True),  # no number, declared a child
        (None, False, D(2026, 11, 2), False),
    ],
)
def test_minor(id_card: str | None, declared: bool, on: dt.date, minor: bool) -> None:
    assert rules.is_minor(id_card, declared, on) is minor


@pytest.mark.parametrize(
    ("name", "minor", "full", "shown"),
    [
        ("郭小明", True, False, "郭某（未成年人）"),
        ("欧阳娜娜", True, False, "欧阳某（未成年人）"),
        ("郭小明", True, True, "郭小明"),
        ("王大山", False, False, "王大山"),
        ("", False, False, "（匿名）"),
    ],
)
def test_shown_name(name: str, minor: bool, full: bool, shown: str) -> None:
    assert rules.shown_name(name, minor, full=full) == shown


@pytest.mark.parametrize(
    ("value", "found"),
    [("来信", "letter"), ("letter", "letter"), ("电话", "phone"), ("网络", "online"),
     ("12309", None), ("", None)],
)  # fmt: skip
def test_choice_by_label_or_id(value: str, found: str | None) -> None:
    assert rules.choice(rules.declarations().channels, value) == found


def petition(**over: object) -> dict[str, object]:
    row: dict[str, object] = {
        "received_on": D(2026, 9, 1), "channel": "letter", "category": "appeal",
        "department": "民事检察部", "state": "routed", "no_contact": False,
        "procedural_due": D(2026, 9, 8), "procedural_on": None,
        "result_due": D(2026, 12, 1), "result_on": None, "closed_on": None,
        "feedback": None, "feedback_on": None, "leader": None, "reception_day_id": None,
    }  # fmt: skip
    row.update(over)
    return row


def test_figures_count_what_was_due_and_what_was_done_in_time() -> None:
    as_of = D(2026, 10, 1)
    rows = [
        petition(procedural_on=D(2026, 9, 8)),  # last day: in time
        petition(procedural_on=D(2026, 9, 9)),  # a day late
        petition(),  # nothing yet, past its 7 days: counted, not in time
        petition(received_on=D(2026, 9, 29), procedural_due=D(2026, 10, 8)),  # not yet due
        petition(no_contact=True),  # anonymous: in no reply rate
        petition(procedural_on=D(2026, 9, 2), result_on=D(2026, 9, 20), state="closed",
                 closed_on=D(2026, 9, 20), feedback="satisfied", feedback_on=D(2026, 9, 25),
                 leader="王检察长"),
        petition(procedural_on=D(2026, 9, 2), result_on=D(2026, 9, 21), state="closed",
                 closed_on=D(2026, 9, 21), feedback="dissatisfied", feedback_on=D(2026, 9, 26),
                 channel="visit", reception_day_id=1),
        # replied after as_of: not yet counted
        petition(procedural_on=D(2026, 10, 2), channel="online"),
    ]  # fmt: skip
    f = rules.count(rows, as_of)
    assert f["received"] == 8
    assert (f["procedural_counted"], f["procedural_in_time"]) == (6, 3)
    assert f["procedural_rate"] == pytest.approx(0.5)
    assert (f["result_counted"], f["result_in_time"]) == (2, 2)  # none past its 3 months
    assert f["result_rate"] == 1.0
    assert (f["closed"], f["closed_rate"]) == (2, 0.25)
    assert (f["feedback"], f["satisfied"], f["dissatisfied"]) == (2, 1, 1)
    assert f["satisfaction_rate"] == 0.5
    assert (f["leader_cases"], f["reception_day"]) == (1, 1)
    by_channel = rules.table(rows, "channel", as_of)
    assert [r["key"] for r in by_channel] == ["来信", "来访", "网络（12309检察服务中心）", "合计"]
    assert by_channel[-1]["received"] == 8
    empty = rules.count([], as_of)
    assert empty["procedural_rate"] is None and rules.percent(empty["satisfaction_rate"]) == "—"


def user(department: str | None, *roles: str, name: str = "某人") -> User:
    return User(name, P, department, frozenset(roles))


@pytest.mark.parametrize(
    ("who", "row_department", "handler", "sees"),
    [
        (user(None, "chief"), "民事检察部", None, True),
        (user(INTAKE, "prosecutor"), "民事检察部", None, True),
        (user(INTAKE, "assistant"), None, None, True),
        (user("民事检察部", "department_head"), "民事检察部", None, True),
        (user("民事检察部", "prosecutor"), "民事检察部", "别人", True),
        (user("民事检察部", "prosecutor"), "刑事检察部", None, False),
        (user("民事检察部", "prosecutor"), None, None, False),
        (user("民事检察部", "assistant", name="小李"), "民事检察部", "小李", True),
        (user("民事检察部", "assistant", name="小李"), "民事检察部", "别人", False),
    ],
)
def test_who_sees_which_petition(
    who: User, row_department: str | None, handler: str | None, sees: bool
) -> None:
    scope = petition_scope(who, INTAKE)
    assert scope.sees(SimpleNamespace(department=row_department, handler=handler)) is sees


@pytest.mark.parametrize(
    ("who", "code"),
    [
        (user(None, "admin"), "forbidden"),
        (user(None, "helper"), "forbidden"),
    ],
)
def test_no_petitions_for(who: User, code: str) -> None:
    with pytest.raises(UserError) as refused:
        petition_scope(who, INTAKE)
    assert refused.value.code == code


def test_only_the_intake_department_registers() -> None:
    check_intake(user(INTAKE, "assistant"), INTAKE)
    with pytest.raises(UserError, match="控告申诉检察部登记"):
        check_intake(user("民事检察部", "department_head"), INTAKE)
    with pytest.raises(UserError) as refused:
        check_intake(user(None, "chief"), INTAKE)  # sees all, handles none
    assert refused.value.code == "forbidden"
