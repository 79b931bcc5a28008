"""督促监护令's pure rules: the follow-up schedule (months by 民法典 art. 202, rest days moved by
art. 203, 2027 暂定), on-time / late / overdue visits, the order's state, outcomes and grounds
as typed."""

from __future__ import annotations

import datetime as dt

import pytest

from shujian.calendar import BUNDLED
from shujian.juvenile.guardianship import rules

D = dt.date


@pytest.mark.parametrize(
    ("issued", "months", "expected"),
    [
        # 2026-02-28 is a Saturday but a make-up working day (Spring Festival 2026): not moved.
        (D(2026, 1, 31), (1, 3, 6), [(D(2026, 2, 28), False), (D(2026, 4, 30), False), (D(2026, 7, 31), False)]),
        # A month after 31 December is Saturday 31 January: moved to Monday 2 February.
        (D(2025, 12, 31), (1, 3, 6), [(D(2026, 2, 2), True), (D(2026, 3, 31), False), (D(2026, 6, 30), False)]),
        # National Day: 1 October moves to the first working day after the holiday.
        (D(2026, 9, 1), (1, 3, 6), [(D(2026, 10, 8), True), (D(2026, 12, 1), False), (D(2027, 3, 1), False)]),
        # 31 October 2026 is a Saturday; 31 January 2027 a Sunday.
        (D(2026, 7, 31), (1, 3, 6), [(D(2026, 8, 31), False), (D(2026, 11, 2), True), (D(2027, 2, 1), True)]),
        # A schedule of its own, given unsorted and with a repeat.
        (D(2026, 3, 10), (2, 1, 2), [(D(2026, 4, 10), False), (D(2026, 5, 11), True)]),
    ],
)  # fmt: skip
def test_the_schedule(
    issued: dt.date, months: tuple[int, ...], expected: list[tuple[dt.date, bool]]
) -> None:
    due = rules.schedule(issued, months, BUNDLED)
    assert [(d.on, d.moved) for d in due] == expected
    assert [d.visit for d in due] == list(range(1, len(expected) + 1))


def test_dates_counted_through_2027_are_provisional() -> None:
    due = rules.schedule(D(2026, 9, 1), (1, 3, 6), BUNDLED)
    assert [d.provisional for d in due] == [(), (), (2027,)]
    assert rules.schedule(D(2027, 1, 4), (1,), BUNDLED)[0].provisional == (2027,)


@pytest.mark.parametrize(
    ("due", "visited", "today", "status"),
    [
        (D(2026, 3, 31), None, D(2026, 3, 31), "pending"),
        (D(2026, 3, 31), None, D(2026, 4, 1), "overdue"),
        (D(2026, 3, 31), D(2026, 3, 31), D(2026, 12, 1), "on_time"),
        (D(2026, 3, 31), D(2026, 3, 2), D(2026, 12, 1), "on_time"),
        (D(2026, 3, 31), D(2026, 4, 1), D(2026, 12, 1), "late"),
    ],
)
def test_a_visit_is_on_time_late_or_overdue(
    due: dt.date, visited: dt.date | None, today: dt.date, status: str
) -> None:
    assert rules.visit_status(due, visited, today) == status


T = D(2026, 12, 6)


@pytest.mark.parametrize(
    ("visits", "reprimanded", "status"),
    [
        ([(D(2026, 2, 2), D(2026, 2, 2), "good"), (D(2027, 3, 1), None, None)], [], "following"),
        ([(D(2026, 2, 2), D(2026, 2, 2), "good"), (D(2026, 3, 1), None, None)], [], "overdue"),
        ([(D(2026, 2, 2), D(2026, 2, 2), "good"), (D(2026, 3, 1), D(2026, 3, 1), "improved")], [], "done"),
        # The latest visit found 未改善: action first, whatever else.
        ([(D(2026, 2, 2), D(2026, 2, 5), "not_improved"), (D(2026, 3, 1), None, None)], [], "attention"),
        # A 训诫 on or after that visit answers it (before it does not).
        ([(D(2026, 2, 2), D(2026, 2, 5), "not_improved"), (D(2027, 3, 1), None, None)], [D(2026, 2, 5)], "following"),
        ([(D(2026, 2, 2), D(2026, 2, 5), "not_improved"), (D(2027, 3, 1), None, None)], [D(2026, 2, 4)], "attention"),
        # An earlier 未改善 followed by a better visit no longer needs action.
        ([(D(2026, 2, 2), D(2026, 2, 2), "not_improved"), (D(2026, 3, 1), D(2026, 3, 1), "good")], [], "done"),
    ],
)  # fmt: skip
def test_the_orders_state(
    visits: list[tuple[dt.date, dt.date | None, str | None]],
    reprimanded: list[dt.date],
    status: str,
) -> None:
    assert rules.order_status(visits, reprimanded, T) == status


@pytest.mark.parametrize(
    ("typed", "found"),
    [("监护到位", "good"), ("improved", "improved"), ("未改善", "not_improved"), ("好", None)],
)
def test_outcomes_as_typed(typed: str, found: str | None) -> None:
    assert rules.outcome_id(typed) == found


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("49", "family_education_49"),
        ("《中华人民共和国家庭教育促进法》第四十九条", "family_education_49"),
        ("预防未成年人犯罪法第六十一条", "prevention_61"),
        ("未成年人保护法118", "protection_118"),
        ("民法典第二十七条", None),
    ],
)
def test_grounds_as_typed(typed: str, found: str | None) -> None:
    assert rules.ground_id(typed) == found


def test_the_newest_record_of_a_visit_stands() -> None:
    rows = [
        {"id": 1, "visit": 1, "outcome": "good"},
        {"id": 3, "visit": 1, "outcome": "not_improved"},
        {"id": 2, "visit": 2, "outcome": "good"},
    ]
    assert {k: v["id"] for k, v in rules.standing(rows).items()} == {1: 3, 2: 2}
