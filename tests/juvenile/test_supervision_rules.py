"""督办's rules as tables: the day a month's prompt is due (调休, holidays, 2027 provisional),
quarters, deadlines and overdue items, the monthly sample (reproducible, unguessable, stable),
file names, and who may see and do 督办."""

from __future__ import annotations

import datetime as dt

import pytest

from shujian.calendar import BUNDLED, YearSchedule
from shujian.errors import UserError
from shujian.juvenile.register import Month
from shujian.juvenile.supervision.access import check_supervise, check_view
from shujian.juvenile.supervision.rules import (
    Quarter,
    days_overdue,
    deadline_after,
    declarations,
    done_rate,
    draw_sample,
    ended_months,
    file_names,
    first_working_day,
    item_status,
    overdue_in,
    prompt_timing,
    refuse_unfinished,
    safe_file_name,
    sample_size,
    spot_score,
    subject_number,
)
from shujian.users.user import User

D = dt.date
P = "青岚县人民检察院"


# ---------------------------------------------------------------------------- 一月一提示


@pytest.mark.parametrize(
    ("month", "first", "why"),
    [
        ("2026-01", D(2026, 1, 4), "元旦 1–3 January; the 4th is a make-up Sunday"),
        ("2026-02", D(2026, 2, 2), "1 February is a Sunday"),
        ("2026-05", D(2026, 5, 6), "劳动节 1–5 May"),
        ("2026-10", D(2026, 10, 8), "国庆 and 中秋 1–7 October"),
        ("2026-11", D(2026, 11, 2), "1 November is a Sunday"),
        ("2026-12", D(2026, 12, 1), "an ordinary Tuesday"),
        ("2027-01", D(2027, 1, 4), "provisional: 元旦 on Friday, then the weekend"),
        ("2027-10", D(2027, 10, 4), "provisional: 国庆 1–3 only, no bridging days known yet"),
    ],
)
def test_the_first_working_day_of_a_month(month: str, first: dt.date, why: str) -> None:
    assert first_working_day(Month.parse(month), BUNDLED) == first, why


@pytest.mark.parametrize(
    ("today", "state", "day"),
    [
        (D(2026, 9, 30), "not_over", D(2026, 10, 8)),  # the month's last day: not judged yet
        (D(2026, 10, 1), "preview", D(2026, 10, 8)),
        (D(2026, 10, 7), "preview", D(2026, 10, 8)),
        (D(2026, 10, 8), "final", D(2026, 10, 8)),
        (D(2027, 3, 1), "final", D(2026, 10, 8)),
    ],
)
def test_a_months_prompt_is_a_preview_until_the_next_months_first_working_day(
    today: dt.date, state: str, day: dt.date
) -> None:
    timing = prompt_timing(Month.parse("2026-09"), today, BUNDLED)
    assert (timing.state, timing.day, timing.provisional) == (state, day, ())


def test_a_prompt_day_in_an_unpublished_year_is_provisional_until_the_notice_is_added() -> None:
    december = Month.parse("2026-12")
    timing = prompt_timing(december, D(2027, 1, 2), BUNDLED)
    assert (timing.day, timing.provisional, timing.state) == (D(2027, 1, 4), (2027,), "preview")
    published = BUNDLED.with_year(
        YearSchedule(
            2027,
            frozenset([D(2027, 1, 4), *_statutory(2027)]),
            frozenset(),
            "国办发明电〔2026〕（假设）",
        )
    )
    again = prompt_timing(december, D(2027, 1, 2), published)
    assert (again.day, again.provisional) == (D(2027, 1, 5), ())


def _statutory(year: int) -> list[dt.date]:
    from shujian.calendar import statutory_days

    return [s.day for s in statutory_days(year)]


def test_a_month_not_over_is_refused_with_the_day_the_prompt_is_due() -> None:
    timing = prompt_timing(Month.parse("2026-12"), D(2026, 12, 6), BUNDLED)
    with pytest.raises(UserError, match="2027-01-04") as refused:
        refuse_unfinished(timing)
    assert refused.value.code == "month_not_over"
    refuse_unfinished(prompt_timing(Month.parse("2026-11"), D(2026, 12, 6), BUNDLED))


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("青岚县妇联", "青岚县妇联"),
        ("城关镇/东街社区居委会", "城关镇_东街社区居委会"),
        ('县"关工委":办公室?', "县_关工委_办公室_"),
        (" ..县团委.. ", "县团委"),
        ("a\\b*c<d>e|f", "a_b_c_d_e_f"),
        ("", "未命名单位"),
        ("...", "未命名单位"),
        ("长" * 100, "长" * 80),
    ],
)
def test_a_units_name_made_safe_for_a_file(name: str, safe: str) -> None:
    assert safe_file_name(name) == safe


def test_two_units_made_alike_get_distinct_files() -> None:
    names = file_names(["城关镇/东街", "城关镇:东街", "县妇联", "ABC", "abc"])
    assert names == {
        "城关镇/东街": "城关镇_东街.xlsx",
        "城关镇:东街": "城关镇_东街-2.xlsx",
        "县妇联": "县妇联.xlsx",
        "ABC": "ABC.xlsx",
        "abc": "abc-2.xlsx",
    }


# ---------------------------------------------------------------------------- 一季一督导


@pytest.mark.parametrize(
    ("day", "quarter", "first", "last"),
    [
        (D(2026, 1, 1), Quarter(2026, 1), D(2026, 1, 1), D(2026, 3, 31)),
        (D(2026, 3, 31), Quarter(2026, 1), D(2026, 1, 1), D(2026, 3, 31)),
        (D(2026, 4, 1), Quarter(2026, 2), D(2026, 4, 1), D(2026, 6, 30)),
        (D(2026, 9, 30), Quarter(2026, 3), D(2026, 7, 1), D(2026, 9, 30)),
        (D(2026, 12, 31), Quarter(2026, 4), D(2026, 10, 1), D(2026, 12, 31)),
        (D(2028, 2, 29), Quarter(2028, 1), D(2028, 1, 1), D(2028, 3, 31)),
    ],
)
def test_quarter_boundaries(day: dt.date, quarter: Quarter, first: dt.date, last: dt.date) -> None:
    assert Quarter.of(day) == quarter
    assert (quarter.first, quarter.last) == (first, last)
    assert [m.first.month for m in quarter.months] == [first.month + i for i in range(3)]


@pytest.mark.parametrize(
    ("text", "quarter"),
    [
        ("2026Q4", Quarter(2026, 4)),
        ("2026-q1", Quarter(2026, 1)),
        ("2026 Q2", Quarter(2026, 2)),
        ("2026年第三季度", Quarter(2026, 3)),
        ("2026年第4季度", Quarter(2026, 4)),
        ("2026年一季度", Quarter(2026, 1)),
    ],
)
def test_a_quarter_as_users_write_it(text: str, quarter: Quarter) -> None:
    assert Quarter.parse(text) == quarter


@pytest.mark.parametrize("text", ["2026Q5", "2026Q0", "2026-13", "Q4", "", "第四季度"])
def test_a_quarter_that_is_not_one_is_refused_in_chinese(text: str) -> None:
    with pytest.raises(UserError, match="2026Q4") as refused:
        Quarter.parse(text)
    assert refused.value.code == "bad_quarter"


def test_quarter_labels_and_the_one_before() -> None:
    assert Quarter(2026, 4).label == "2026年第四季度" and Quarter(2026, 4).code == "2026Q4"
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)
    assert Quarter(2026, 3).previous() == Quarter(2026, 2)


@pytest.mark.parametrize(
    ("today", "ended"),
    [
        (D(2026, 10, 1), []),
        (D(2026, 10, 31), []),
        (D(2026, 11, 1), ["2026-10"]),
        (D(2026, 12, 6), ["2026-10", "2026-11"]),
        (D(2027, 1, 1), ["2026-10", "2026-11", "2026-12"]),
    ],
)
def test_only_the_quarters_ended_months_are_judged(today: dt.date, ended: list[str]) -> None:
    assert [m.label for m in ended_months(Quarter(2026, 4), today)] == ended


@pytest.mark.parametrize(
    ("due", "done", "rate"), [(0, 0, "—"), (3, 3, "100.0%"), (3, 2, "66.7%"), (7, 0, "0.0%")]
)
def test_the_done_rate(due: int, done: int, rate: str) -> None:
    assert done_rate(due, done) == rate


# ---------------------------------------------------------------------------- 一案一督办


@pytest.mark.parametrize(
    ("opened", "days", "deadline"),
    [
        (D(2026, 11, 16), 10, D(2026, 11, 30)),  # Monday: two weeks
        # across 国庆: 9/28–9/30, 10/8, 10/9, 10/10 (a make-up Saturday), 10/12–10/15
        (D(2026, 9, 25), 10, D(2026, 10, 15)),
        (D(2026, 9, 25), 1, D(2026, 9, 28)),  # the opening day is never counted
        (D(2026, 12, 21), 10, D(2027, 1, 5)),  # into 2027, provisional
        (D(2026, 12, 31), 1, D(2027, 1, 4)),
    ],
)
def test_a_deadline_counts_working_days_from_the_day_after(
    opened: dt.date, days: int, deadline: dt.date
) -> None:
    assert deadline_after(opened, days, BUNDLED) == deadline


def test_a_deadline_into_2027_is_provisional() -> None:
    opened = D(2026, 12, 21)
    assert BUNDLED.provisional_in(opened, deadline_after(opened, 10, BUNDLED)) == (2027,)
    assert BUNDLED.provisional_in(D(2026, 11, 16), D(2026, 11, 30)) == ()


@pytest.mark.parametrize("days", [0, -3, 251, 10_000])
def test_a_deadline_of_no_or_too_many_working_days_is_refused(days: int) -> None:
    with pytest.raises(UserError, match="应为1至250个工作日") as refused:
        deadline_after(D(2026, 11, 16), days, BUNDLED)
    assert refused.value.code == "bad_deadline"


def test_the_longest_deadline_is_counted() -> None:
    assert deadline_after(D(2026, 11, 16), 250, BUNDLED).year == 2027


DEADLINE = D(2026, 11, 30)


@pytest.mark.parametrize(
    ("closed", "today", "status", "late_days"),
    [
        (None, D(2026, 11, 29), "open", 0),
        (None, D(2026, 11, 30), "open", 0),  # the deadline day itself is in time
        (None, D(2026, 12, 1), "overdue", 1),
        (None, D(2026, 12, 6), "overdue", 6),
        (D(2026, 11, 30), D(2026, 12, 6), "closed", 0),
        (D(2026, 12, 3), D(2026, 12, 6), "closed_late", 3),
    ],
)
def test_an_items_status_on_a_day(
    closed: dt.date | None, today: dt.date, status: str, late_days: int
) -> None:
    assert item_status(DEADLINE, closed, today) == status
    assert days_overdue(DEADLINE, closed, today) == late_days


Q4 = Quarter(2026, 4)


@pytest.mark.parametrize(
    ("deadline", "closed", "today", "overdue"),
    [
        (D(2026, 11, 30), None, D(2026, 12, 6), True),
        (D(2026, 11, 30), None, D(2026, 11, 30), False),  # not yet past
        (D(2026, 11, 30), D(2026, 11, 30), D(2026, 12, 6), False),
        (D(2026, 11, 30), D(2026, 12, 1), D(2026, 12, 6), True),  # closed late
        (D(2026, 9, 30), None, D(2026, 12, 6), False),  # overdue in the third quarter, not here
        (D(2027, 1, 5), None, D(2027, 2, 1), False),  # in the next quarter
        (D(2026, 10, 1), None, D(2026, 12, 6), True),  # the quarter's first day
        (D(2026, 12, 31), None, D(2027, 1, 1), True),  # the last day, passed
    ],
)
def test_an_item_is_overdue_in_the_quarter_of_its_deadline(
    deadline: dt.date, closed: dt.date | None, today: dt.date, overdue: bool
) -> None:
    assert overdue_in(deadline, closed, Q4.first, Q4.last, today) is overdue


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("520203201003150011/2026-09", "520203201003150011"),
        ("52020320100315001X", "52020320100315001X"),
    ],
)
def test_the_minors_number_in_a_warnings_subject(subject: str, number: str) -> None:
    assert subject_number(subject) == number


def test_the_declared_defaults_have_their_source() -> None:
    rule = declarations()
    assert rule.working_days == 10 and "工作日" in rule.deadline_source
    assert "juvenile.visit_missing" in rule.warning_models
    assert "netcafe.minor_admitted" not in rule.warning_models  # a venue, not a minor
    spot = rule.spot_check
    assert (spot.percent, spot.minimum, spot.by) == (5, 1, "town") and spot.source
    assert set(spot.results) == {"as_reported", "not_visited", "unreachable"}


# ---------------------------------------------------------------------------- 一月一暗访


@pytest.mark.parametrize(
    ("population", "percent", "minimum", "size"),
    [
        (0, 5, 1, 0),
        (1, 5, 1, 1),
        (19, 5, 1, 1),
        (20, 5, 1, 1),
        (21, 5, 1, 2),  # 1.05 rounded up
        (100, 5, 1, 5),
        (3, 5, 5, 3),  # all of a stratum smaller than the minimum
        (40, 5, 3, 3),
        (41789, 5, 1, 2090),
        (10, 100, 1, 10),
    ],
)
def test_the_samples_size(population: int, percent: float, minimum: int, size: int) -> None:
    assert sample_size(population, percent, minimum) == size


def people(n: int, town: str = "城关镇") -> dict[str, str]:
    return {f"52020320100101{i:04d}": town for i in range(n)}


SECRET = "a" * 64
NOVEMBER = Month.parse("2026-11")


def test_the_sample_is_reproducible_and_depends_on_the_month_and_the_secret() -> None:
    population = {**people(60, "城关镇"), **{k[:-4] + f"9{k[-3:]}": "龙场乡" for k in people(30)}}
    first = draw_sample(population, SECRET, NOVEMBER, 5, 1)
    assert draw_sample(dict(reversed(population.items())), SECRET, NOVEMBER, 5, 1) == first
    assert {k: len(v) for k, v in first.items()} == {"城关镇": 3, "龙场乡": 2}
    assert draw_sample(population, SECRET, NOVEMBER.next(), 5, 1) != first
    assert draw_sample(population, "b" * 64, NOVEMBER, 5, 1) != first


def test_the_score_is_a_keyed_hash_no_one_can_compute_without_the_secret() -> None:
    import hashlib

    number = "520203201001010001"
    score = spot_score(SECRET, NOVEMBER, number)
    assert len(score) == 64
    assert score != hashlib.sha256(f"2026-11|{number}".encode()).hexdigest()
    assert score != spot_score("", NOVEMBER, number)


def test_the_sample_is_stable_when_one_minor_joins_or_leaves() -> None:
    population = people(100)  # 5 drawn
    drawn = set(draw_sample(population, SECRET, NOVEMBER, 5, 1)["城关镇"])
    not_drawn = next(i for i in population if i not in drawn)
    without = {k: v for k, v in population.items() if k != not_drawn}  # 99: still 5
    assert set(draw_sample(without, SECRET, NOVEMBER, 5, 1)["城关镇"]) == drawn
    one_drawn = sorted(drawn)[0]
    gone = {k: v for k, v in population.items() if k != one_drawn}
    after = set(draw_sample(gone, SECRET, NOVEMBER, 5, 1)["城关镇"])
    assert len(after - drawn) == 1 and drawn - after == {one_drawn}
    joined = {**population, "520203201001019999": "城关镇"}  # 101: 6 drawn (rounded up)
    assert drawn < set(draw_sample(joined, SECRET, NOVEMBER, 5, 1)["城关镇"])


def test_a_bad_sample_size_is_refused_in_chinese() -> None:
    for percent, minimum in ((0, 1), (101, 1), (5, -1)):
        with pytest.raises(UserError) as refused:
            draw_sample(people(3), SECRET, NOVEMBER, percent, minimum)
        assert refused.value.code == "bad_sample_size"


# ---------------------------------------------------------------------------- who


JUV = "未成年人检察部"


@pytest.mark.parametrize(
    ("roles", "department", "unit", "view", "supervise"),
    [
        ({"department_head"}, JUV, None, True, True),
        ({"prosecutor"}, JUV, None, True, True),
        ({"chief"}, None, None, True, False),
        ({"prosecutor"}, "公益诉讼检察部", None, False, False),
        ({"department_head"}, "公益诉讼检察部", None, False, False),
        ({"assistant"}, JUV, None, False, False),
        ({"admin"}, None, None, False, False),
        ({"helper"}, None, "青岚县妇联", False, False),
        ({"system"}, None, None, True, True),
    ],
)
def test_who_sees_and_who_does_supervision(
    roles: set[str], department: str | None, unit: str | None, view: bool, supervise: bool
) -> None:
    user = User("某人", P, department, frozenset(roles), unit=unit)
    for check, allowed in ((check_view, view), (check_supervise, supervise)):
        if allowed:
            check(user, JUV)
        else:
            with pytest.raises(UserError) as refused:
                check(user, JUV)
            assert refused.value.code == "forbidden"
