"""The counting rules of the juvenile statistics (juvenile/counting.py), as tables: the period,
the 周岁 rule in polars against register.age_on, where a fact counts (its category and town on
the register), a month's 四访 done or not, and the table with its 合计 counting each minor,
minor-day or record once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

from juvenile.people import id_card
from shujian.errors import UserError
from shujian.juvenile import counting
from shujian.juvenile.counting import TOTAL, UNFILLED, UNREGISTERED, Period, period
from shujian.juvenile.figures import Figure, Source
from shujian.juvenile.register import age_on, covers, on_register, under_18_on

D = dt.date
TODAY = D(2026, 5, 20)


# ---- the period -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        (None, None, (D(2026, 1, 1), TODAY, TODAY)),  # this year up to today
        (D(2025, 11, 3), None, (D(2025, 11, 3), TODAY, TODAY)),
        (None, D(2025, 6, 30), (D(2025, 1, 1), D(2025, 6, 30), D(2025, 6, 30))),  # that year
        (None, D(2026, 12, 31), (D(2026, 1, 1), TODAY, D(2026, 12, 31))),  # later: today
        (TODAY, TODAY, (TODAY, TODAY, TODAY)),
    ],
)
def test_the_period_asked_for(
    since: dt.date | None, until: dt.date | None, expected: tuple[dt.date, ...]
) -> None:
    got = period(since, until, TODAY)
    assert (got.since, got.until, got.asked_until) == expected


@pytest.mark.parametrize(
    ("since", "until", "says"),
    [
        (D(2026, 5, 21), None, "起始日期 2026-05-21 晚于今天（2026-05-20）"),
        (D(2026, 3, 2), D(2026, 3, 1), "起始日期 2026-03-02 晚于截止日期 2026-03-01"),
    ],
)
def test_a_period_that_ends_before_it_starts_is_refused_in_chinese(
    since: dt.date, until: dt.date | None, says: str
) -> None:
    with pytest.raises(UserError, match=says) as refused:
        period(since, until, TODAY)
    assert refused.value.code == "bad_period"


def test_the_months_of_a_period_and_their_statistics_days() -> None:
    span = Period(D(2026, 1, 31), D(2026, 3, 10), D(2026, 3, 10))
    assert [m.label for m in span.months] == ["2026-01", "2026-02", "2026-03"]
    assert span.as_of_days == (D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 10))
    one_day = Period(D(2026, 3, 1), D(2026, 3, 1), D(2026, 3, 1))
    assert [m.label for m in one_day.months] == ["2026-03"]
    across = Period(D(2025, 12, 15), D(2026, 1, 15), D(2026, 1, 15))
    assert [m.label for m in across.months] == ["2025-12", "2026-01"]


# ---- the 周岁 rule --------------------------------------------------------------------------

BORN = [
    D(2008, 5, 20),  # 18th birthday today: still under 18
    D(2008, 5, 19),  # 18 since today
    D(2008, 2, 29),  # leap day: 18 on 2026-03-01
    D(2010, 1, 1),
]
DAYS = [D(2026, 5, 19), D(2026, 5, 20), D(2026, 5, 21), D(2026, 2, 28), D(2026, 3, 1)]


def test_under_18_in_polars_is_register_age_on() -> None:
    numbers = [id_card(b) for b in BORN] + ["52020320080520123", "5202032008AB2012X1"]
    rows = pl.DataFrame(
        [(n, d) for n in numbers for d in DAYS],
        schema={"id_card": pl.Utf8, "day": pl.Date},
        orient="row",
    )
    got = rows.select(counting.under_18("id_card", "day")).to_series().to_list()
    assert got == [under_18_on(n, d) for n, d in rows.iter_rows()]
    assert age_on(id_card(D(2008, 2, 29)), D(2026, 2, 28)) == 17
    assert got.count(True) > 0 and got.count(False) > 0


# ---- where a fact counts ----------------------------------------------------------------------

A = id_card(D(2010, 3, 15))
ADULT = id_card(D(2008, 5, 19))  # 18 on 2026-05-20 (its 18th birthday was the day before)


def registry(*rows: tuple[str, str, str | None, dt.date, dt.date | None]) -> pl.DataFrame:
    return pl.DataFrame(
        list(rows),
        schema={
            "id_card": pl.Utf8,
            "category": pl.Utf8,
            "town": pl.Utf8,
            "identified_on": pl.Date,
            "withdrawn_on": pl.Date,
        },
        orient="row",
    )


def one_fact(number: str, a: dt.date, b: dt.date | None = None) -> pl.DataFrame:
    return counting.facts(
        pl.DataFrame({"id_card": [number], "day": [b or a], "a": [a], "b": [b or a]}), "visits"
    )


REGISTRY = registry(
    (A, "serious_misconduct", "城关镇", D(2025, 2, 1), None),
    (A, "single_parent", "城关镇", D(2026, 2, 10), D(2026, 4, 30)),
    (ADULT, "care_gap", None, D(2025, 1, 1), None),
)


@pytest.mark.parametrize(
    ("number", "a", "b", "placed"),
    [
        (A, D(2026, 2, 9), None, {("serious_misconduct", "城关镇")}),
        # registered on the day: counts in it
        (A, D(2026, 2, 10), None, {("serious_misconduct", "城关镇"), ("single_parent", "城关镇")}),
        # withdrawn on the day: no longer counts (退出当天已不在册)
        (A, D(2026, 4, 30), None, {("serious_misconduct", "城关镇")}),
        (A, D(2026, 4, 29), None, {("serious_misconduct", "城关镇"), ("single_parent", "城关镇")}),
        # a month: on the register at some day of it
        (A, D(2026, 4, 1), D(2026, 4, 30), {("serious_misconduct", "城关镇"), ("single_parent", "城关镇")}),
        (A, D(2026, 1, 1), D(2026, 1, 31), {("serious_misconduct", "城关镇")}),
        # no town written: （未填）; 18 since 2026-05-20: 未在册 that day
        (ADULT, D(2026, 5, 19), None, {("care_gap", UNFILLED)}),
        (ADULT, D(2026, 5, 20), None, {(UNREGISTERED, UNREGISTERED)}),
        (id_card(D(2011, 1, 1)), D(2026, 5, 1), None, {(UNREGISTERED, UNREGISTERED)}),
    ],
)  # fmt: skip
def test_a_fact_counts_where_the_minor_is_on_the_register(
    number: str, a: dt.date, b: dt.date | None, placed: set[tuple[str, str]]
) -> None:
    got = counting.attribute(one_fact(number, a, b), REGISTRY)
    assert set(got.select("category", "town").iter_rows()) == placed
    assert got.height == len(placed)
    assert got["figure"].unique().to_list() == ["visits"]


@pytest.mark.parametrize(
    "day", [D(2026, 2, 9), D(2026, 2, 10), D(2026, 4, 30), D(2026, 5, 19), D(2026, 5, 20)]
)
def test_the_rows_on_the_register_on_a_day_are_register_on_register(day: dt.date) -> None:
    got = counting.on_register(REGISTRY, day)
    expected = [
        (number, category)
        for number, category, _, identified, withdrawn in REGISTRY.iter_rows()
        if on_register(number, identified, withdrawn, day)
    ]
    assert sorted(got.select("id_card", "category").iter_rows()) == sorted(expected)
    assert set(got["day"]) <= {day}


@pytest.mark.parametrize(
    ("started", "ended", "day"),
    [
        (D(2026, 4, 10), None, D(2026, 4, 9)),
        (D(2026, 4, 10), None, D(2026, 4, 10)),
        (D(2025, 1, 1), D(2026, 3, 31), D(2026, 3, 31)),
        (D(2025, 1, 1), D(2026, 3, 31), D(2026, 4, 1)),
    ],
)
def test_an_assignment_covers_a_day_as_register_covers(
    started: dt.date, ended: dt.date | None, day: dt.date
) -> None:
    rows = pl.DataFrame(
        {"started_on": [started], "ended_on": [ended]},
        schema={"started_on": pl.Date, "ended_on": pl.Date},
    )
    assert rows.select(counting.covering(day)).item() == covers(started, ended, day)


# ---- a month's 四访 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("has_school", "visits", "done"),
    [
        (True, [("2026-05-02", "本人、家庭"), ("2026-05-31", "学校、社区")], True),
        (True, [("2026-05-02", "本人、家庭、社区")], False),  # the school not visited
        (False, [("2026-05-02", "本人、家庭、社区")], True),  # no school: none needed
        (True, [("2026-04-30", "本人、家庭、学校、社区")], False),  # another month
        (True, [], False),
        (None, [("2026-05-09", "本人"), ("2026-05-09", "家庭"), ("2026-05-10", "社区")], True),
    ],
)
def test_a_month_is_done_when_every_required_target_was_visited(
    has_school: bool | None, visits: list[tuple[str, str]], done: bool
) -> None:
    due = pl.DataFrame(
        {"id_card": [A], "first": [D(2026, 5, 1)], "has_school": [has_school]},
        schema={"id_card": pl.Utf8, "first": pl.Date, "has_school": pl.Boolean},
    )
    seen = pl.DataFrame(
        [(A, D.fromisoformat(day), target) for day, target in visits],
        schema={"id_card": pl.Utf8, "visited_on": pl.Date, "target": pl.Utf8},
        orient="row",
    )
    assert counting.done_months(due, seen)["done"].to_list() == [done]


# ---- the table ----------------------------------------------------------------------------------

ACTIVE = Figure("active", "在册人数", "minors", "…", as_of=True, sources=(Source("x"),))
VISITS = Figure("visits", "走访帮扶人次", "minor_days", "…", sources=(Source("x"),))
DUE = Figure("visits_due", "应走访人次", "minor_months", "…", sources=(Source("x"),))
MEASURES = Figure("corrective_measures", "矫治教育措施次数", "records", "…", sources=(Source("x"),))
ASSIGNED = Figure("assigned", "落实包保人数", "minors", "…", as_of=True, sources=(Source("x"),))
RATE = Figure("assignment_rate", "包保落实率", "rate", "…", rate=("assigned", "active"))
FIGURES = (ACTIVE, ASSIGNED, RATE, VISITS, DUE, MEASURES)

B = id_card(D(2012, 1, 1))
SPAN = Period(D(2026, 4, 1), D(2026, 5, 20), D(2026, 5, 20))
APR, MAY = D(2026, 4, 30), D(2026, 5, 20)


def fact(
    figure: str, number: str, day: dt.date, category: str, town: str, record: str = ""
) -> dict[str, Any]:
    return {"figure": figure, "id_card": number, "day": day, "a": day, "b": day,
            "record": record, "category": category, "town": town}  # fmt: skip


FACTS = pl.DataFrame(
    [
        # A is in two categories; B in one, and was in April only
        fact("active", A, APR, "serious_misconduct", "城关镇"),
        fact("active", A, APR, "single_parent", "城关镇"),
        fact("active", B, APR, "care_gap", "龙场乡"),
        fact("active", A, MAY, "serious_misconduct", "城关镇"),
        fact("active", A, MAY, "single_parent", "城关镇"),
        fact("assigned", A, MAY, "serious_misconduct", "城关镇"),
        fact("assigned", A, MAY, "single_parent", "城关镇"),
        # two visits of A on one day (two rows, two visitors): one 人次, in both categories
        fact("visits", A, D(2026, 4, 3), "serious_misconduct", "城关镇"),
        fact("visits", A, D(2026, 4, 3), "single_parent", "城关镇"),
        fact("visits", A, D(2026, 4, 3), "serious_misconduct", "城关镇"),
        fact("visits", A, D(2026, 4, 3), "single_parent", "城关镇"),
        fact("visits", A, D(2026, 5, 6), "serious_misconduct", "城关镇"),
        fact("visits", B, D(2026, 5, 7), UNREGISTERED, UNREGISTERED),
        # due in April and May: one 人次 each month
        fact("visits_due", A, APR, "serious_misconduct", "城关镇"),
        fact("visits_due", A, MAY, "serious_misconduct", "城关镇"),
        # two measures of one conduct record: two 次; the same measure again: once
        fact("corrective_measures", B, D(2026, 4, 9), "care_gap", "龙场乡", "r1/训诫"),
        fact("corrective_measures", B, D(2026, 4, 9), "care_gap", "龙场乡", "r1/具结悔过"),
        fact("corrective_measures", B, D(2026, 4, 9), "care_gap", "龙场乡", "r1/训诫"),
    ],
    schema=counting.FACTS,
    orient="row",
)

ORDER = [("single_parent", "单亲"), ("care_gap", "困境留守"), ("serious_misconduct", "严重不良行为"),
         ("corrections", "社区矫正")]  # fmt: skip


def cells(rows: list[dict[str, Any]], *figures: str) -> dict[str, tuple[Any, ...]]:
    return {r["key"]: tuple(r[f] for f in figures) for r in rows}


def test_by_category_a_minor_counts_in_each_category_and_once_in_the_total() -> None:
    rows = counting.tally(FACTS, FIGURES, "category", SPAN, ORDER)
    assert [r["key"] for r in rows] == [
        "single_parent", "care_gap", "serious_misconduct", "corrections", UNREGISTERED, TOTAL
    ]  # fmt: skip
    got = cells(rows, "active", "assigned", "assignment_rate", "visits", "visits_due",
                "corrective_measures")  # fmt: skip
    assert got == {
        # state figures on the period's last day: B (April only) is not in them
        "single_parent": (1, 1, 1.0, 1, 0, 0),
        "care_gap": (0, 0, None, 0, 0, 2),
        "serious_misconduct": (1, 1, 1.0, 2, 2, 0),
        "corrections": (0, 0, None, 0, 0, 0),  # declared: shown though nothing counts there
        UNREGISTERED: (0, 0, None, 1, 0, 0),
        TOTAL: (1, 1, 1.0, 3, 2, 2),  # A once; the rows add up to more
    }
    assert rows[0]["label"] == "单亲" and rows[-1]["label"] == TOTAL


def test_by_town_the_same_rules() -> None:
    rows = counting.tally(FACTS, FIGURES, "town", SPAN)
    assert [r["key"] for r in rows] == ["城关镇", "龙场乡", UNREGISTERED, TOTAL]
    assert cells(rows, "active", "visits", "corrective_measures") == {
        "城关镇": (1, 2, 0),
        "龙场乡": (0, 0, 2),
        UNREGISTERED: (0, 1, 0),
        TOTAL: (1, 3, 2),
    }


def test_by_month_state_figures_count_on_each_months_day_and_the_total_on_the_last() -> None:
    months = [(m.label, m.label) for m in SPAN.months]
    rows = counting.tally(FACTS, FIGURES, "month", SPAN, months)
    assert [r["key"] for r in rows] == ["2026-04", "2026-05", TOTAL]
    assert cells(rows, "active", "assigned", "assignment_rate", "visits", "visits_due") == {
        "2026-04": (2, 0, 0.0, 1, 1),
        "2026-05": (1, 1, 1.0, 2, 1),
        TOTAL: (1, 1, 1.0, 3, 2),  # the period's last day; events and months summed once
    }


def test_nothing_to_count_gives_the_declared_rows_of_zeros_and_no_rate() -> None:
    rows = counting.tally(counting.no_facts(), FIGURES, "month", SPAN, [("2026-04", "2026-04")])
    assert cells(rows, "active", "assignment_rate", "visits") == {
        "2026-04": (0, None, 0),
        TOTAL: (0, None, 0),
    }


def test_keys_not_declared_come_sorted_with_unfilled_and_unregistered_last() -> None:
    found = pl.DataFrame(
        [fact("visits", A, MAY, "x", t) for t in (UNREGISTERED, "龙场乡", UNFILLED, "城关镇")],
        schema=counting.FACTS,
        orient="row",
    )
    rows = counting.tally(found, (VISITS,), "town", SPAN)
    assert [r["key"] for r in rows] == ["城关镇", "龙场乡", UNFILLED, UNREGISTERED, TOTAL]


def test_by_month_the_states_counted_apart_stand_for_the_facts_of_other_days() -> None:
    months = [(m.label, m.label) for m in SPAN.months]
    states = {"2026-04": {"active": 7, "assigned": 5}, "2026-05": {"active": 1, "assigned": 1}}
    rows = counting.tally(FACTS, FIGURES, "month", SPAN, months, states)
    assert cells(rows, "active", "assigned", "assignment_rate", "visits") == {
        "2026-04": (7, 5, round(5 / 7, 4), 1),
        "2026-05": (1, 1, 1.0, 2),
        TOTAL: (1, 1, 1.0, 3),  # still the facts of the period's last day
    }


def test_the_three_tables_at_once_share_the_total() -> None:
    orders = {"category": ORDER, "town": [], "month": [(m.label, m.label) for m in SPAN.months]}
    tables = counting.tables(FACTS, FIGURES, SPAN, orders)
    assert {by: rows[-1] for by, rows in tables.items()} == {
        by: counting.tally(FACTS, FIGURES, by, SPAN, order)[-1] for by, order in orders.items()
    }
    assert tables["category"][-1]["visits"] == 3


def test_packed_tokens_count_exactly_as_text_would() -> None:
    """A minor-day packed in one number: one number per (number, day), whatever the check
    character; a number of another shape is counted as text, beside the packed ones."""
    x_number = A[:17] + "X"
    rows = [
        (A, D(2026, 4, 1)),
        (A, D(2026, 4, 1)),  # the same minor and day: once
        (A, D(2026, 4, 2)),
        (x_number, D(2026, 4, 1)),  # differs only in its check character
        (A[:17] + "0" if A[17] != "0" else A[:17] + "1", D(2026, 4, 1)),
        ("5202031970010", D(2026, 4, 1)),  # another shape: text
        ("5202031970010", D(2026, 4, 1)),
        ("5202031970010", D(1969, 12, 31)),  # before 1970
        (A, D(1969, 12, 31)),
        (A, D(1970, 1, 1)),
        ("+" + A[1:], D(2026, 4, 1)),  # a sign, a space, a letter inside: text
        (A[:5] + " " + A[6:], D(2026, 4, 1)),
        (A[:5] + "Y" + A[6:], D(2026, 4, 1)),
    ]
    found = pl.DataFrame(
        [fact("visits", n, d, "x", "t") for n, d in rows], schema=counting.FACTS, orient="row"
    )
    total = counting.tally(found, (VISITS,), "town", SPAN)[-1]["visits"]
    assert total == len(set(rows)) == 11
