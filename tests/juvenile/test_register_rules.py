"""The register's rules as tables (`juvenile.register`, `juvenile.access`): active on a day, the
周岁 rule, assignments covering a day, the months a visit is due and its missing targets, and who
sees the register."""

from __future__ import annotations

import datetime as dt

import pytest

from juvenile.people import id_card
from shujian.data.datasets import load_datasets
from shujian.engine.dialects import compile_query
from shujian.errors import UserError
from shujian.juvenile.access import register_scope
from shujian.juvenile.register import (
    FOUR_VISITS,
    Month,
    active_on,
    age_on,
    covers,
    due_in_month,
    has_school,
    late_months,
    missing_targets,
    on_register,
    required_targets,
    school_required,
    shown_school,
    under_18_on,
    visit_status,
    visited_targets,
)
from shujian.users.user import User

D = dt.date
LEAP_BORN = id_card(D(2008, 2, 29))
JUNE_BORN = id_card(D(2008, 6, 10))


@pytest.mark.parametrize(
    ("number", "day", "age"),
    [
        (JUNE_BORN, D(2026, 6, 9), 17),
        (JUNE_BORN, D(2026, 6, 10), 17),  # the 18th birthday itself: still 17
        (JUNE_BORN, D(2026, 6, 11), 18),  # the day after: 18
        (LEAP_BORN, D(2026, 2, 28), 17),
        (LEAP_BORN, D(2026, 3, 1), 18),  # no 29 February in 2026: 18 on 1 March
        (LEAP_BORN, D(2028, 2, 29), 19),  # the birthday exists in 2028: still 19 on it
        (LEAP_BORN, D(2028, 3, 1), 20),
        (JUNE_BORN, D(2008, 6, 10), -1),  # the day of birth (before it: not a minor of ours)
        ("5202031234", D(2026, 1, 1), None),  # no birth date to read
    ],
)
def test_age_follows_the_zhousui_rule(number: str, day: dt.date, age: int | None) -> None:
    assert age_on(number, day) == age


@pytest.mark.parametrize(
    "day", [D(2026, 2, 28), D(2026, 3, 1), D(2026, 6, 10), D(2026, 6, 11), D(2028, 2, 29)]
)
def test_the_python_age_is_the_engines_age(day: dt.date) -> None:
    """The same arithmetic as the models' `age_on`, run by DuckDB."""
    import duckdb

    for number in (LEAP_BORN, JUNE_BORN):
        sql = compile_query("SELECT age_on(:n, :d) AS a", {"n": number, "d": day})
        assert duckdb.sql(sql).fetchall()[0][0] == age_on(number, day)


@pytest.mark.parametrize(
    ("day", "under"),
    [(D(2026, 6, 10), True), (D(2026, 6, 11), False), (D(2030, 1, 1), False)],
)
def test_a_minor_leaves_the_day_after_the_18th_birthday(day: dt.date, under: bool) -> None:
    assert under_18_on(JUNE_BORN, day) is under
    assert on_register(JUNE_BORN, D(2020, 1, 1), None, day) is under


def test_an_unreadable_number_is_not_taken_for_a_minors() -> None:
    assert not under_18_on("52020312", D(2026, 1, 1))


@pytest.mark.parametrize(
    ("identified", "withdrawn", "day", "active"),
    [
        (D(2026, 3, 1), None, D(2026, 2, 28), False),
        (D(2026, 3, 1), None, D(2026, 3, 1), True),  # registered that day
        (D(2026, 3, 1), D(2026, 5, 10), D(2026, 5, 9), True),
        (D(2026, 3, 1), D(2026, 5, 10), D(2026, 5, 10), False),  # withdrawn that day
        (D(2026, 3, 1), D(2026, 5, 10), D(2026, 6, 1), False),
    ],
)
def test_active_on_a_day(
    identified: dt.date, withdrawn: dt.date | None, day: dt.date, active: bool
) -> None:
    assert active_on(identified, withdrawn, day) is active


@pytest.mark.parametrize(
    ("started", "ended", "day", "covered"),
    [
        (D(2026, 1, 1), None, D(2025, 12, 31), False),
        (D(2026, 1, 1), None, D(2026, 1, 1), True),
        (D(2026, 1, 1), D(2026, 3, 31), D(2026, 3, 31), True),  # its last day still covered
        (D(2026, 1, 1), D(2026, 3, 31), D(2026, 4, 1), False),
    ],
)
def test_an_assignment_covers_a_day(
    started: dt.date, ended: dt.date | None, day: dt.date, covered: bool
) -> None:
    assert covers(started, ended, day) is covered


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2026-02", D(2026, 2, 1), D(2026, 2, 28)),
        ("2028/2", D(2028, 2, 1), D(2028, 2, 29)),
        ("2026年12月", D(2026, 12, 1), D(2026, 12, 31)),
    ],
)
def test_months_as_typed(text: str, first: dt.date, last: dt.date) -> None:
    month = Month.parse(text)
    assert (month.first, month.last) == (first, last)


@pytest.mark.parametrize("text", ["2026-13", "26-05", "五月", ""])
def test_a_month_that_is_not_one_is_refused_in_chinese(text: str) -> None:
    with pytest.raises(UserError, match="应写作 2026-05"):
        Month.parse(text)


def test_late_months_are_the_complete_months_before_this_one() -> None:
    assert [m.label for m in late_months(D(2026, 1, 31))] == ["2025-10", "2025-11", "2025-12"]
    assert [m.label for m in late_months(D(2026, 3, 1), 1)] == ["2026-02"]
    assert Month.of(D(2026, 1, 15)).previous().label == "2025-12"
    assert Month.of(D(2025, 12, 15)).next().label == "2026-01"


MAY = Month(D(2026, 5, 1))


@pytest.mark.parametrize(
    ("number", "identified", "withdrawn", "due", "why"),
    [
        (JUNE_BORN, D(2026, 5, 1), None, True, "registered on the first day"),
        (JUNE_BORN, D(2026, 5, 2), None, False, "registered after the first day"),
        (JUNE_BORN, D(2025, 1, 1), D(2026, 5, 31), True, "withdrawn on the last day"),
        (JUNE_BORN, D(2025, 1, 1), D(2026, 5, 30), False, "withdrawn before the last day"),
        (id_card(D(2008, 5, 31)), D(2025, 1, 1), None, True, "18th birthday on the last day"),
        (id_card(D(2008, 5, 30)), D(2025, 1, 1), None, False, "18 on the last day"),
    ],
)
def test_a_visit_is_due_in_a_month(
    number: str, identified: dt.date, withdrawn: dt.date | None, due: bool, why: str
) -> None:
    assert due_in_month(number, identified, withdrawn, MAY) is due, why


@pytest.mark.parametrize(
    ("school", "needs_school"),
    [("青岚一中", True), (None, False), ("", False), ("  ", False), ("无", False), ("辍学", False)],
)
def test_no_school_visit_without_a_school(school: str | None, needs_school: bool) -> None:
    assert has_school(school) is needs_school
    assert ("学校" in required_targets(has_school(school))) is needs_school


@pytest.mark.parametrize(
    ("schools", "required", "shown"),
    [
        (["青岚中学"], True, "青岚中学"),
        (["青岚中学", "无"], True, "青岚中学"),
        (["辍学", "第1镇中学"], True, "第1镇中学"),  # 辍 sorts after 第: not the greatest value
        (["第1镇中学", None], True, "第1镇中学"),
        (["青岚中学", "第1镇中学"], True, "青岚中学"),
        (["无", "辍学"], False, "辍学"),
        ([None, "辍学"], False, "辍学"),
        ([None, None], False, None),
        ([], False, None),
    ],
)
def test_a_school_named_in_any_due_row_is_visited(
    schools: list[str | None], required: bool, shown: str | None
) -> None:
    """Several due rows (two categories) whose 就读学校 differ: a school named in any of them is
    visited, and shown."""
    assert school_required(schools) is required
    assert shown_school(schools) == shown


@pytest.mark.parametrize(
    ("cells", "school", "missing"),
    [
        (["本人、家庭", "学校", "社区"], True, ()),
        (["本人、家庭"], True, ("学校", "社区")),
        (["本人、家庭", "社区"], False, ()),
        ([], False, ("本人", "家庭", "社区")),
        ([None, "社区、本人"], True, ("家庭", "学校")),
    ],
)
def test_missing_targets(cells: list[str | None], school: bool, missing: tuple[str, ...]) -> None:
    assert missing_targets(required_targets(school), visited_targets(cells)) == missing


@pytest.mark.parametrize(
    ("today", "missing", "status"),
    [
        (D(2026, 5, 20), ("社区",), "due"),
        (D(2026, 5, 31), ("社区",), "due"),  # its last day: still time
        (D(2026, 6, 1), ("社区",), "late"),
        (D(2026, 6, 1), (), "done"),
    ],
)
def test_visit_status(today: dt.date, missing: tuple[str, ...], status: str) -> None:
    assert visit_status(MAY, today, missing) == status


def test_the_four_visits_are_the_declared_targets() -> None:
    assert load_datasets()["minor_visits"].column("target").values == FOUR_VISITS


# ---- who sees the register ----------------------------------------------------------------------

JUV = "未成年人检察部"
P = "青岚县人民检察院"


@pytest.mark.parametrize(
    ("roles", "department", "juvenile", "sees"),
    [
        ({"chief"}, None, JUV, "all"),
        ({"department_head"}, JUV, JUV, "all"),
        ({"prosecutor"}, JUV, JUV, "all"),
        ({"prosecutor"}, "第二检察部", "第二检察部", "all"),  # mapped by [departments]
        ({"prosecutor"}, "公益诉讼检察部", JUV, "refused"),
        ({"department_head"}, "公益诉讼检察部", JUV, "refused"),
        ({"prosecutor"}, JUV, None, "refused"),  # the procuratorate has no such department
        ({"chief"}, None, None, "all"),
        ({"assistant"}, JUV, JUV, "refused"),
        ({"admin"}, None, JUV, "refused"),
        ({"helper"}, None, JUV, "granted"),
        ({"single_user"}, None, JUV, "all"),
    ],
)
def test_who_sees_the_register(
    roles: set[str], department: str | None, juvenile: str | None, sees: str
) -> None:
    grants = frozenset({("minor", JUNE_BORN), ("lead", "7")})
    user = User("某人", P, department, frozenset(roles), grants=grants)
    if sees == "refused":
        with pytest.raises(UserError) as refused:
            register_scope(user, juvenile)
        assert refused.value.code == "forbidden"
        return
    scope = register_scope(user, juvenile)
    assert scope.everything is (sees == "all")
    if sees == "granted":
        assert scope.ids == {JUNE_BORN}
        assert scope.sees(JUNE_BORN) and not scope.sees(LEAP_BORN)
